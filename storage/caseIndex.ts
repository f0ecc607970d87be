import { readSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import type { IndexEntry } from './indexEntry.js';
import { readSnapshot, snapshotLayout, snapshotLines, type Snapshot, type SnapshotHeader } from './indexSnapshot.js';

/** The first line of the index file: a snapshot in columns, then the journal since it. */
const FORMAT = 'dsr-case-index/2';
/** An index written before the snapshot: a journal only, read as it is and rewritten in the new format. */
const JOURNAL_ONLY_FORMAT = 'dsr-case-index/1';
/**
 * Journal lines a clean close folds into a fresh snapshot: each is parsed whole at the next open,
 * so the journal a start reads stays small however long the store has run.
 */
const JOURNAL_KEPT_AT_CLOSE = 1000;
/** Read first, to find the header line; a header is a few hundred bytes. */
const HEAD_BYTES = 64 * 1024;
const NEWLINE = Buffer.from('\n');

/** One line of the journal: a case as it was saved (with the audit event that saved it), or a checkpoint. */
interface Line {
  format?: string;
  /** The audit trail's sequence number this line brings the index up to. */
  seq?: number;
  entry?: IndexEntry;
  /** On the checkpoint a clean close writes: the case folder's modification time then, in nanoseconds. */
  folder?: string;
}

export type IndexRead =
  | {
      ok: true;
      /** The rows of the last snapshot; none in an index written before snapshots. */
      snapshot: Snapshot | undefined;
      /** The entries saved after the snapshot, the last line of a case winning, in the order they were saved. */
      journal: Map<string, IndexEntry>;
      seq: number;
      /** The case folder's modification time at a clean close, when nothing was written after it. */
      folder: string | undefined;
      /** Written in an older format, to be rewritten in this one. */
      older: boolean;
    }
  | { ok: false; reason: 'missing' | 'corrupt' };

/**
 * The saved index of the embedded store: a snapshot of every case (see indexSnapshot.ts), then a
 * journal of one JSON line per save since, the last line of a case winning. It is rewritten whole
 * (aside, then renamed) when the journal has grown past a quarter of the cases, and at a clean
 * close when it has more than a thousand lines. It is never the only record of anything: the case
 * files are, and the audit trail says which cases were saved after the index's last line, so a
 * line a crash lost is read again from the file.
 */
export class CaseIndexFile {
  private handle: FileHandle | undefined;
  /** The file as it was read, kept open so that the snapshot's later line is read from it even once it is renamed over. */
  private readHandle: FileHandle | undefined;
  /** Lines after the snapshot (every line of an index without one). */
  private journalLines = 0;

  constructor(private readonly path: string) {}

  async read(): Promise<IndexRead> {
    await this.readHandle?.close();
    this.readHandle = undefined;
    let file: FileHandle;
    try {
      file = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing' };
      throw error;
    }
    let keepOpen = false;
    try {
      const read = await this.readFrom(file);
      keepOpen = read.ok && read.snapshot !== undefined;
      return read;
    } finally {
      if (keepOpen) this.readHandle = file;
      else await file.close();
    }
  }

  private async readFrom(file: FileHandle): Promise<IndexRead> {
    const { size } = await file.stat();
    const head = await readAt(file, 0, Math.min(size, HEAD_BYTES));
    const headerEnd = head.indexOf(0x0a);
    if (headerEnd < 0) return { ok: false, reason: 'corrupt' };
    let header: Line & Partial<SnapshotHeader>;
    try {
      header = JSON.parse(head.toString('utf8', 0, headerEnd)) as Line & Partial<SnapshotHeader>;
    } catch {
      return { ok: false, reason: 'corrupt' };
    }
    if (typeof header !== 'object' || header === null || typeof header.seq !== 'number') {
      return { ok: false, reason: 'corrupt' };
    }
    let snapshot: Snapshot | undefined;
    let journalStart = headerEnd + 1;
    if (header.format === FORMAT) {
      const layout = snapshotLayout(header as SnapshotHeader, headerEnd);
      // Cut short: the later line must end, with its newline, within the file.
      if (!layout || layout.laterEnd >= size) return { ok: false, reason: 'corrupt' };
      const serving = await readAt(file, layout.servingStart, layout.laterStart - layout.servingStart);
      const { fd } = file;
      const laterBytes = layout.laterEnd - layout.laterStart;
      snapshot = readSnapshot(header as SnapshotHeader, serving, () => {
        const line = Buffer.allocUnsafe(laterBytes);
        const read = readSync(fd, line, 0, laterBytes, layout.laterStart);
        return line.subarray(0, read);
      });
      if (!snapshot) return { ok: false, reason: 'corrupt' };
      journalStart = layout.laterEnd;
    } else if (header.format !== JOURNAL_ONLY_FORMAT) {
      return { ok: false, reason: 'corrupt' };
    }
    const rest = await readAt(file, journalStart, size - journalStart);
    let journalBytes = rest;
    if (snapshot) {
      if (rest[0] !== 0x0a) return { ok: false, reason: 'corrupt' };
      journalBytes = rest.subarray(1);
    }
    // A line a crash cut short was never relied on: the audit trail names its case.
    const whole = journalBytes.toString('utf8', 0, journalBytes.lastIndexOf(0x0a) + 1);
    let lines: Line[];
    try {
      // One parse of the whole journal is several times faster than one per line.
      lines = JSON.parse(`[${whole.trimEnd().replaceAll('\n', ',')}]`) as Line[];
    } catch {
      return { ok: false, reason: 'corrupt' };
    }
    const journal = new Map<string, IndexEntry>();
    let seq = header.seq;
    for (const line of lines) {
      if (typeof line !== 'object' || line === null) return { ok: false, reason: 'corrupt' };
      if (line.entry) {
        if (typeof line.entry.id !== 'string' || typeof line.entry.version !== 'number') {
          return { ok: false, reason: 'corrupt' };
        }
        // In the order of the last save of each case, as a case saved again moves to the end.
        journal.delete(line.entry.id);
        journal.set(line.entry.id, line.entry);
      }
      if (typeof line.seq === 'number') seq = Math.max(seq, line.seq);
    }
    this.journalLines = lines.length;
    return { ok: true, snapshot, journal, seq, folder: lines.at(-1)?.folder, older: header.format !== FORMAT };
  }

  /** Opens the file for appending, as it was read. */
  async openForAppend(): Promise<void> {
    this.handle = await open(this.path, 'a');
  }

  /** Appends one line. Not flushed on its own: the audit line before it is, and names the case. */
  async append(line: Omit<Line, 'format'>): Promise<void> {
    if (!this.handle) throw new Error('The case index is not open');
    await this.handle.appendFile(`${JSON.stringify(line)}\n`, 'utf8');
    this.journalLines += 1;
  }

  /** Worth rewriting once the journal a start after a crash would read has grown to a quarter of the cases. */
  needsCompaction(cases: number): boolean {
    return this.journalLines > cases / 4 + 1000;
  }

  /** Worth a fresh snapshot at a clean close, so that the next start reads few journal lines. */
  worthSnapshotAtClose(): boolean {
    return this.handle !== undefined && this.journalLines > JOURNAL_KEPT_AT_CLOSE;
  }

  /** Writes a snapshot of every entry beside the file, then renames it into place. */
  async rewrite(entries: Iterable<IndexEntry>, seq: number): Promise<void> {
    // Every entry first: one from the snapshot may still read its later line from the file read.
    const bytes = Buffer.concat(snapshotLines(entries, FORMAT, seq).flatMap((line) => [line, NEWLINE]));
    await this.handle?.close();
    this.handle = undefined;
    await this.readHandle?.close();
    this.readHandle = undefined;
    const temp = `${this.path}.tmp`;
    const file = await open(temp, 'w');
    try {
      await file.writeFile(bytes);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(temp, this.path);
    this.journalLines = 0;
    await this.openForAppend();
  }

  /**
   * Says the index holds every save up to the audit event `seq`, and the case folder as it was at
   * `folder`; nothing when the file is not open.
   */
  async checkpoint(seq: number, folder: string): Promise<void> {
    if (this.handle) await this.append({ seq, folder });
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    await this.readHandle?.close();
    this.readHandle = undefined;
  }
}

/** `length` bytes of the file from `position`, fewer when it ends first. */
async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  // Not zeroed first: only the bytes read are returned.
  const bytes = Buffer.allocUnsafe(Math.max(0, length));
  let filled = 0;
  while (filled < bytes.length) {
    const { bytesRead } = await file.read(bytes, filled, bytes.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return bytes.subarray(0, filled);
}

import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { isOpen, type DsrCase } from '../dsr/case.js';
import { strongKeys, type SubjectKeys } from '../dsr/repeats.js';

/** The first line of the index file; another first line is an index of another kind, rebuilt. */
const FORMAT = 'dsr-case-index/1';

/** What the store's queries and the start need of a case, without reading its file. */
export interface IndexEntry {
  id: string;
  version: number;
  open: boolean;
  requesterId: string;
  intakeKey: string;
  /**
   * Digests of the subject's strong identifiers (`email:…`, `customer:…`, `employee:…`): the index
   * names no one, and a lookup digests what it looks for the same way.
   */
  keys: string[];
  /** Closed and not purged yet: `started` is due at once, `after` once `purgeAfter` has passed. */
  purge?: 'started' | 'after';
  purgeAfter?: string;
  keptDueAt?: string;
}

/** One line of the index file: a case as it was saved (with the audit event that saved it), or a checkpoint. */
interface Line {
  format?: string;
  /** The audit trail's sequence number this line brings the index up to. */
  seq?: number;
  entry?: IndexEntry;
  /** On the checkpoint a clean close writes: the case folder's modification time then, in nanoseconds. */
  folder?: string;
}

export function entryOf(dsrCase: DsrCase): IndexEntry {
  const entry: IndexEntry = {
    id: dsrCase.id,
    version: dsrCase.version,
    open: isOpen(dsrCase),
    requesterId: dsrCase.requester.id,
    intakeKey: dsrCase.intakeKey,
    keys: subjectKeyDigests(strongKeys(dsrCase.subject)),
  };
  // The same reading as purgeIsDue, kept so the purge need not read closed cases to find the due ones.
  if (dsrCase.status === 'closed' && dsrCase.purge?.doneAt === undefined) {
    if (dsrCase.purge) entry.purge = 'started';
    else if (!dsrCase.hold && dsrCase.purgeAfter !== undefined) entry.purge = 'after';
  }
  if (dsrCase.purgeAfter !== undefined) entry.purgeAfter = dsrCase.purgeAfter;
  if (dsrCase.keptDueAt !== undefined) entry.keptDueAt = dsrCase.keptDueAt;
  return entry;
}

export function subjectKeyDigests(keys: SubjectKeys): string[] {
  return [
    ...keys.emails.map((e) => `email:${e}`),
    ...keys.customerNumbers.map((n) => `customer:${n}`),
    ...keys.employeeIds.map((n) => `employee:${n}`),
  ].map((key) => createHash('sha256').update(key).digest('base64url').slice(0, 24));
}

export type IndexRead =
  | {
      ok: true;
      entries: Map<string, IndexEntry>;
      seq: number;
      /** The case folder's modification time at a clean close, when nothing was written after it. */
      folder: string | undefined;
    }
  | { ok: false; reason: 'missing' | 'corrupt' };

/**
 * The saved index of the embedded store: a journal of one JSON line per save, the last line of a
 * case winning, rewritten whole (aside, then renamed) when it has grown to several times the cases.
 * It is never the only record of anything: the case files are, and the audit trail says which
 * cases were saved after the index's last line, so a line a crash lost is read again from the file.
 */
export class CaseIndexFile {
  private handle: FileHandle | undefined;
  private lines = 0;

  constructor(private readonly path: string) {}

  async read(): Promise<IndexRead> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing' };
      throw error;
    }
    // A line a crash cut short was never relied on: the audit trail names its case.
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    let parsed: Line[];
    try {
      // One parse of the whole file is several times faster than one per line.
      parsed = JSON.parse(`[${whole.trimEnd().replaceAll('\n', ',')}]`) as Line[];
    } catch {
      return { ok: false, reason: 'corrupt' };
    }
    if (parsed[0]?.format !== FORMAT) return { ok: false, reason: 'corrupt' };
    const entries = new Map<string, IndexEntry>();
    let seq = 0;
    for (const line of parsed) {
      if (typeof line !== 'object' || line === null) return { ok: false, reason: 'corrupt' };
      if (line.entry) {
        if (typeof line.entry.id !== 'string' || typeof line.entry.version !== 'number') {
          return { ok: false, reason: 'corrupt' };
        }
        entries.set(line.entry.id, line.entry);
      }
      if (typeof line.seq === 'number') seq = Math.max(seq, line.seq);
    }
    this.lines = parsed.length;
    return { ok: true, entries, seq, folder: parsed.at(-1)?.folder };
  }

  /** Opens the file for appending, as it was read. */
  async openForAppend(): Promise<void> {
    this.handle = await open(this.path, 'a');
  }

  /** Appends one line. Not flushed on its own: the audit line before it is, and names the case. */
  async append(line: Omit<Line, 'format'>): Promise<void> {
    if (!this.handle) throw new Error('The case index is not open');
    await this.handle.appendFile(`${JSON.stringify(line)}\n`, 'utf8');
    this.lines += 1;
  }

  /** Worth rewriting once most lines are older versions of a case. */
  needsCompaction(cases: number): boolean {
    return this.lines > 2 * cases + 1000;
  }

  /** Writes every entry afresh beside the file, then renames it into place. */
  async rewrite(entries: Iterable<IndexEntry>, seq: number): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    const temp = `${this.path}.tmp`;
    const file = await open(temp, 'w');
    let lines = 1;
    try {
      const chunk: string[] = [JSON.stringify({ format: FORMAT, seq } satisfies Line)];
      for (const entry of entries) {
        chunk.push(JSON.stringify({ entry } satisfies Line));
        lines += 1;
        if (chunk.length >= 4096) {
          await file.writeFile(`${chunk.join('\n')}\n`, 'utf8');
          chunk.length = 0;
        }
      }
      if (chunk.length > 0) await file.writeFile(`${chunk.join('\n')}\n`, 'utf8');
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(temp, this.path);
    this.lines = lines;
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
  }
}

/**
 * Ids under a key (a requester, a subject's identifier). Most keys hold one case, so one id is
 * kept as a string and only a second makes an array: a hundred thousand sets cost a second to build.
 */
export class IdsByKey {
  private readonly map = new Map<string, string | string[]>();

  add(key: string, id: string): void {
    const held = this.map.get(key);
    if (held === undefined) this.map.set(key, id);
    else if (typeof held === 'string') {
      if (held !== id) this.map.set(key, [held, id]);
    } else if (!held.includes(id)) held.push(id);
  }

  delete(key: string, id: string): void {
    const held = this.map.get(key);
    if (held === id) this.map.delete(key);
    else if (Array.isArray(held)) {
      const rest = held.filter((other) => other !== id);
      if (rest.length === 0) this.map.delete(key);
      else this.map.set(key, rest.length === 1 ? rest[0]! : rest);
    }
  }

  get(key: string): readonly string[] {
    const held = this.map.get(key);
    return held === undefined ? [] : typeof held === 'string' ? [held] : held;
  }
}

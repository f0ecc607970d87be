import { createReadStream } from 'node:fs';
import { open, readFile, rename, stat, truncate, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { AuditKeys } from '../dsr/auditKeys.js';
import { GENESIS_HASH, sealEvent, type AuditDraft, type AuditEvent, type AuditHead } from '../dsr/audit.js';

const TAIL_CHUNK = 64 * 1024;

/**
 * The audit trail as an append-only JSON Lines file. Appending costs the same however long the
 * trail is, and each line is flushed to disk before the change it records is acknowledged.
 */
export class AuditLog {
  private handle: FileHandle | undefined;
  private lastSeq = 0;
  private headHash = GENESIS_HASH;
  private last: AuditEvent | undefined;

  private readonly headPath: string;

  constructor(
    private readonly path: string,
    private readonly keys?: AuditKeys,
  ) {
    this.headPath = path.replace(/\.jsonl$/, '') + '-head.json';
  }

  /**
   * Opens the file, dropping a line a crash left half-written (it was never acknowledged).
   * `hadHead` says a head file was written before: a trail older than heads is given one from its
   * last event, while a head that went missing since stays missing for "verify audit" to report.
   */
  async open(hadHead: boolean): Promise<{ headMissing: boolean }> {
    this.handle = await open(this.path, 'a+');
    const { size } = await stat(this.path);
    const tail = await this.readTail(size);
    if (tail.cutAt !== size) await truncate(this.path, tail.cutAt);
    if (tail.lastLine) {
      const event = JSON.parse(tail.lastLine) as AuditEvent;
      this.last = event;
      this.lastSeq = event.seq;
      this.headHash = event.hash;
    }
    const head = await this.head();
    if (!head) {
      if (hadHead && this.lastSeq > 0) return { headMissing: true };
      await this.writeHead();
      return { headMissing: false };
    }
    // A crash between the synced line and the head's rename leaves the head one event behind.
    if (head.seq === this.lastSeq - 1 && head.hash === this.last?.prevHash) await this.writeHead();
    return { headMissing: false };
  }

  /** The head as it is on disk now, not as this process remembers it, so a deleted or edited file shows. */
  async head(): Promise<AuditHead | undefined> {
    let text: string;
    try {
      text = await readFile(this.headPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<AuditHead>;
    return typeof parsed.seq === 'number' && typeof parsed.hash === 'string'
      ? { seq: parsed.seq, hash: parsed.hash }
      : undefined;
  }

  /** Written by rename after a flushed temporary file, so a reader never sees half a head. */
  private async writeHead(): Promise<void> {
    const temp = `${this.headPath}.tmp`;
    const file = await open(temp, 'w');
    try {
      await file.writeFile(JSON.stringify({ seq: this.lastSeq, hash: this.headHash }), 'utf8');
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(temp, this.headPath);
  }

  lastEvent(): AuditEvent | undefined {
    return this.last;
  }

  async append(draft: AuditDraft): Promise<AuditEvent> {
    if (!this.handle) throw new Error('The audit trail is not open');
    const event = sealEvent(draft, this.lastSeq + 1, this.headHash, this.keys);
    await this.handle.appendFile(`${JSON.stringify(event)}\n`, 'utf8');
    await this.handle.datasync();
    this.lastSeq = event.seq;
    this.headHash = event.hash;
    this.last = event;
    await this.writeHead();
    return event;
  }

  /** Appends an event sealed elsewhere, unchanged, when it links to this trail's head. */
  async appendSealed(event: AuditEvent): Promise<void> {
    if (!this.handle) throw new Error('The audit trail is not open');
    if (event.seq !== this.lastSeq + 1 || event.prevHash !== this.headHash) {
      throw new Error(`Audit event #${event.seq} does not follow the trail's head #${this.lastSeq}`);
    }
    await this.handle.appendFile(`${JSON.stringify(event)}\n`, 'utf8');
    await this.handle.datasync();
    this.lastSeq = event.seq;
    this.headHash = event.hash;
    this.last = event;
    await this.writeHead();
  }

  /**
   * The events after `seq`, read backwards from the end, so what happened since a checkpoint
   * costs the same however long the trail is.
   */
  async eventsAfter(seq: number): Promise<AuditEvent[]> {
    if (!this.handle || this.lastSeq <= seq) return [];
    const { size } = await this.handle.stat();
    let chunk = Math.min(size, TAIL_CHUNK);
    for (;;) {
      const buffer = Buffer.alloc(chunk);
      await this.handle.read(buffer, 0, chunk, size - chunk);
      const whole = chunk === size;
      // Unless the chunk starts the file, its first line is cut: it is read whole by a larger chunk.
      const start = whole ? 0 : buffer.indexOf(0x0a) + 1;
      const lines = start === 0 && !whole ? [] : buffer.subarray(start).toString('utf8').split('\n');
      const found: AuditEvent[] = [];
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        if (!lines[i]) continue;
        const event = JSON.parse(lines[i]!) as AuditEvent;
        if (event.seq <= seq) return found.reverse();
        found.push(event);
      }
      if (whole) return found.reverse();
      chunk = Math.min(size, chunk * 2);
    }
  }

  async *events(caseId?: string): AsyncGenerator<AuditEvent> {
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      const event = JSON.parse(line) as AuditEvent;
      if (caseId === undefined || event.caseId === caseId) yield event;
    }
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Finds the last complete line by reading backwards, so opening a long trail stays cheap. */
  private async readTail(size: number): Promise<{ cutAt: number; lastLine: string | undefined }> {
    if (!this.handle || size === 0) return { cutAt: 0, lastLine: undefined };
    let chunk = Math.min(size, TAIL_CHUNK);
    for (;;) {
      const buffer = Buffer.alloc(chunk);
      await this.handle.read(buffer, 0, chunk, size - chunk);
      // Work on bytes: a chunk may start inside a multi-byte character.
      const lastNewline = buffer.lastIndexOf(0x0a);
      const before = lastNewline > 0 ? buffer.lastIndexOf(0x0a, lastNewline - 1) : -1;
      const whole = chunk === size;
      if (lastNewline === -1 || before === -1) {
        if (!whole) {
          chunk = Math.min(size, chunk * 2);
          continue;
        }
        if (lastNewline === -1) return { cutAt: 0, lastLine: undefined };
      }
      return {
        cutAt: size - chunk + lastNewline + 1,
        lastLine: buffer.subarray(before + 1, lastNewline).toString('utf8'),
      };
    }
  }
}

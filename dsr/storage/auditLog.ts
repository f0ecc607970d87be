import { createReadStream } from 'node:fs';
import { open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { GENESIS_HASH, sealEvent, type AuditDraft, type AuditEvent } from '../audit.js';

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

  constructor(private readonly path: string) {}

  /** Opens the file, dropping a line a crash left half-written (it was never acknowledged). */
  async open(): Promise<void> {
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
  }

  lastEvent(): AuditEvent | undefined {
    return this.last;
  }

  async append(draft: AuditDraft): Promise<AuditEvent> {
    if (!this.handle) throw new Error('The audit trail is not open');
    const event = sealEvent(draft, this.lastSeq + 1, this.headHash);
    await this.handle.appendFile(`${JSON.stringify(event)}\n`, 'utf8');
    await this.handle.datasync();
    this.lastSeq = event.seq;
    this.headHash = event.hash;
    this.last = event;
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

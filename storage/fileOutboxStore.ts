import { createHash, randomUUID } from 'node:crypto';
import { appendFile, link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pendingRecord, type OutboxMessage, type OutboxRecord, type OutboxSettlement } from '../dsr/ports/outbox.js';
import type { PortableOutbox } from './postgresShared.js';

interface Lease {
  owner: string;
  until: string;
}

const fileName = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 40);

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** The lease a file holds; undefined when there is none (or it cannot be read as one). */
const readLease = (path: string): Promise<Lease | undefined> =>
  readFile(path, 'utf8')
    .then((text) => JSON.parse(text) as Lease)
    .catch(() => undefined);

/**
 * The outbox in the embedded store's folder. Every step is a single atomic file operation, so
 * two processes sharing the folder agree: a record is created by hard-linking a complete file
 * (which fails if the id exists), updated by rename, and a send is leased by an exclusive create.
 * A marker per unfinished record keeps finding due work proportional to what is waiting.
 */
export class FileOutboxStore implements PortableOutbox {
  constructor(private readonly dir: string) {}

  private path(kind: 'records' | 'pending' | 'leases' | 'tmp' | 'givenup', id: string): string {
    return join(this.dir, kind, kind === 'records' ? `${fileName(id)}.json` : fileName(id));
  }

  async open(): Promise<void> {
    for (const sub of ['records', 'pending', 'leases', 'tmp', 'givenup'])
      await mkdir(join(this.dir, sub), { recursive: true });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private get attemptsPath(): string {
    return join(this.dir, 'attempts.log');
  }

  noteAttempt(conversationKey: string, at: Date): Promise<void> {
    return appendFile(this.attemptsPath, `${at.getTime()} ${conversationKey}\n`);
  }

  /** Appended as a move (`>sent answered key`), applied when the log is read. */
  noteAnswer(conversationKey: string, sentAt: Date, answeredAt: Date): Promise<void> {
    return appendFile(this.attemptsPath, `>${sentAt.getTime()} ${answeredAt.getTime()} ${conversationKey}\n`);
  }

  async attemptsSince(since: Date): Promise<Array<{ conversationKey: string; at: number }>> {
    const text = await readFile(this.attemptsPath, 'utf8').catch(() => '');
    const all: Array<{ conversationKey: string; at: number }> = [];
    const byTime = new Map<string, Array<{ conversationKey: string; at: number }>>();
    for (const line of text.split('\n')) {
      const moved = /^>(\d+) (\d+) (.+)$/.exec(line);
      if (moved) {
        const attempt = byTime.get(`${moved[1]} ${moved[3]}`)?.pop();
        if (attempt) attempt.at = Number(moved[2]);
        continue;
      }
      const space = line.indexOf(' ');
      const at = Number(line.slice(0, space));
      if (space <= 0 || !Number.isFinite(at)) continue;
      const attempt = { at, conversationKey: line.slice(space + 1) };
      all.push(attempt);
      const key = `${at} ${attempt.conversationKey}`;
      byTime.set(key, [...(byTime.get(key) ?? []), attempt]);
    }
    const found = all.filter((a) => a.at >= since.getTime()).sort((a, b) => a.at - b.at);
    // Only the last hour matters to any limit; keep the log that short, its moves applied.
    await writeFile(this.attemptsPath, found.map((a) => `${a.at} ${a.conversationKey}\n`).join(''));
    return found;
  }

  private async writeTemp(record: OutboxRecord): Promise<string> {
    const tmp = join(this.dir, 'tmp', `${fileName(record.id)}.${randomUUID()}`);
    await writeFile(tmp, JSON.stringify(record));
    return tmp;
  }

  async enqueue(message: OutboxMessage, now: Date): Promise<boolean> {
    const record = pendingRecord(message, now);
    // The marker comes first: a crash before the record leaves a marker that is cleaned up, never a
    // record nobody looks at.
    await writeFile(this.path('pending', message.id), message.id);
    const tmp = await this.writeTemp(record);
    try {
      await link(tmp, this.path('records', message.id));
      return true;
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error;
      const existing = await this.get(message.id);
      if (existing && existing.status !== 'pending') await rm(this.path('pending', message.id), { force: true });
      return false;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async get(id: string): Promise<OutboxRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.path('records', id), 'utf8')) as OutboxRecord;
    } catch (error) {
      if (errno(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  async due(now: Date, limit: number): Promise<OutboxRecord[]> {
    const found: OutboxRecord[] = [];
    for (const name of await readdir(join(this.dir, 'pending'))) {
      const markerPath = join(this.dir, 'pending', name);
      const id = await readFile(markerPath, 'utf8').catch(() => undefined);
      if (id === undefined) continue;
      const record = await this.get(id);
      if (!record) {
        // An enqueue that died before its record existed; give a live one a minute to finish.
        const age = now.getTime() - (await stat(markerPath).catch(() => ({ mtimeMs: now.getTime() }))).mtimeMs;
        if (age > 60_000) await rm(markerPath, { force: true });
        continue;
      }
      if (record.status !== 'pending') {
        await rm(markerPath, { force: true });
        continue;
      }
      if (Date.parse(record.notBefore) <= now.getTime()) found.push(record);
    }
    found.sort((a, b) => a.notBefore.localeCompare(b.notBefore) || a.enqueuedAt.localeCompare(b.enqueuedAt));
    return found.slice(0, limit);
  }

  async leaseConversation(conversationKey: string, owner: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const leasePath = join(this.dir, 'leases', `conversation-${fileName(conversationKey)}`);
    const held = await readLease(leasePath);
    if (held?.owner === owner) {
      const tmp = join(this.dir, 'tmp', `lease-${randomUUID()}`);
      await writeFile(tmp, JSON.stringify({ owner, until: leaseUntil.toISOString() } satisfies Lease));
      await rename(tmp, leasePath);
      return true;
    }
    if (held && Date.parse(held.until) > now.getTime()) return false;
    if (held) {
      const stale = `${leasePath}.stale-${randomUUID()}`;
      try {
        await rename(leasePath, stale);
        await rm(stale, { force: true });
      } catch (error) {
        if (errno(error) !== 'ENOENT') throw error;
      }
    }
    return this.createLease(leasePath, { owner, until: leaseUntil.toISOString() });
  }

  /**
   * Creates a lease file only if none exists, complete from the first moment: the lease is written
   * to a temporary file and hard-linked into place, which fails if the name exists. An exclusive
   * create followed by a write would show another process an empty lease for a moment, which it
   * would take for a dead owner's and replace, and two owners would then hold one lease.
   */
  private async createLease(leasePath: string, lease: Lease): Promise<boolean> {
    const tmp = join(this.dir, 'tmp', `lease-${randomUUID()}`);
    await writeFile(tmp, JSON.stringify(lease));
    try {
      await link(tmp, leasePath);
      return true;
    } catch (error) {
      if (errno(error) === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async releaseConversation(conversationKey: string, owner: string): Promise<void> {
    const leasePath = join(this.dir, 'leases', `conversation-${fileName(conversationKey)}`);
    const held = await readLease(leasePath);
    if (held?.owner === owner) await rm(leasePath, { force: true });
  }

  async claim(id: string, owner: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const leasePath = this.path('leases', id);
    const lease: Lease = { owner, until: leaseUntil.toISOString() };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      if (await this.createLease(leasePath, lease)) {
        const record = await this.get(id);
        if (record?.status === 'pending') return true;
        await rm(leasePath, { force: true });
        return false;
      }
      const held = await readLease(leasePath);
      if (held && Date.parse(held.until) > now.getTime()) return false;
      // Renaming is atomic: of two processes taking over a dead owner's lease, one moves it away.
      const stale = `${leasePath}.stale-${randomUUID()}`;
      try {
        await rename(leasePath, stale);
      } catch (renameError) {
        if (errno(renameError) === 'ENOENT') continue;
        throw renameError;
      }
      const moved = await readLease(stale);
      if (moved && Date.parse(moved.until) > now.getTime()) {
        // Another process took the dead lease over between our read and our rename: what we moved
        // is its live lease, so put it back and leave the message to it.
        await link(stale, leasePath).catch(() => undefined);
        await rm(stale, { force: true });
        return false;
      }
      await rm(stale, { force: true });
    }
    return false;
  }

  /** Replaces the record in one rename, so a reader sees the old or the new one, never half. */
  private async replace(record: OutboxRecord): Promise<void> {
    const tmp = await this.writeTemp(record);
    await rename(tmp, this.path('records', record.id));
  }

  private async heldBy(id: string): Promise<string | undefined> {
    const held = await readLease(this.path('leases', id));
    return held?.owner;
  }

  async beginAttempt(
    id: string,
    owner: string,
    change: Pick<OutboxRecord, 'sendingSince' | 'resentAfterCrash'>,
  ): Promise<void> {
    // The lease was taken just before; the record is read again so nothing written meanwhile is lost.
    const record = await this.get(id);
    if (!record) throw new Error('The outbox message is gone');
    await this.replace({ ...record, ...change });
  }

  async settle(id: string, owner: string, change: OutboxSettlement): Promise<void> {
    const record = await this.get(id);
    if (!record) return;
    const next: OutboxRecord = { ...record, ...change };
    delete next.sendingSince;
    // The outcome is the first thing written: once Teams answered, nothing else comes before it.
    await this.replace(next);
    if (next.status !== 'pending') await rm(this.path('pending', id), { force: true });
    if (next.givenUp) await writeFile(this.path('givenup', id), `${next.conversationKey}\n${id}`);
    if ((await this.heldBy(id)) === owner) await rm(this.path('leases', id), { force: true });
  }

  async requeueGivenUp(conversationKey: string | undefined, now: Date): Promise<number> {
    let count = 0;
    for (const name of await readdir(join(this.dir, 'givenup'))) {
      const markerPath = join(this.dir, 'givenup', name);
      const text = await readFile(markerPath, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const [key, id] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n') + 1)];
      if (conversationKey !== undefined && key !== conversationKey) continue;
      const record = await this.get(id);
      if (record?.status === 'failed' && record.givenUp) {
        // The marker first, as when it was queued: a crash between the two leaves a marker, never a lost record.
        await writeFile(this.path('pending', id), id);
        const { givenUp: _givenUp, finishedAt: _finishedAt, ...rest } = record;
        await this.replace({ ...rest, status: 'pending', attempts: 0, notBefore: now.toISOString() });
        count += 1;
      }
      await rm(markerPath, { force: true });
    }
    return count;
  }

  async redact(match: (record: OutboxRecord) => boolean): Promise<number> {
    let redacted = 0;
    for await (const record of this.records()) {
      if (!match(record)) continue;
      const next: OutboxRecord = {
        ...record,
        activity: {},
        ...(record.status === 'pending' ? { status: 'cancelled' as const } : {}),
      };
      const tmp = await this.writeTemp(next);
      await rename(tmp, this.path('records', record.id));
      await rm(this.path('pending', record.id), { force: true });
      redacted += 1;
    }
    return redacted;
  }

  async *records(): AsyncGenerator<OutboxRecord> {
    for (const name of (await readdir(join(this.dir, 'records'))).sort()) {
      const text = await readFile(join(this.dir, 'records', name), 'utf8').catch(() => undefined);
      if (text !== undefined) yield JSON.parse(text) as OutboxRecord;
    }
  }

  async importRecord(record: OutboxRecord): Promise<void> {
    if (record.status === 'pending') await writeFile(this.path('pending', record.id), record.id);
    const tmp = await this.writeTemp(record);
    try {
      await link(tmp, this.path('records', record.id));
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { AuditKeys } from '../dsr/auditKeys.js';
import {
  AUDIT_HEAD_MISSING,
  keyIntroduction,
  needsKeyIntroduction,
  type AuditDraft,
  type AuditEvent,
  type AuditHead,
} from '../dsr/audit.js';
import { formatCaseId, type DsrCase } from '../dsr/case.js';
import {
  DuplicateIntakeError,
  StateConflictError,
  VersionConflictError,
  type CaseQuery,
  type KeyValueStore,
  type NewCase,
} from '../dsr/ports/store.js';
import type { SubjectKeys } from '../dsr/repeats.js';
import { purgeIsDue } from '../dsr/retention.js';
import { AuditLog } from './auditLog.js';
import { CaseIndexFile } from './caseIndex.js';
import { IndexedCases } from './indexedCases.js';
import { entryOf, sameEntry, subjectKeyDigests } from './indexEntry.js';
import { laterColumnsOf, type LaterColumns } from './indexSnapshot.js';
import { acquireLock } from './lockFile.js';
import { Mutex } from './mutex.js';
import type { PortableStore } from './portable.js';

/** Case files read between two pauses that let other work in, when many are wanted. */
const READ_SLICE = 64;
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Cases kept in memory after they were read or saved, the most recently used first. */
const CACHED_CASES = 2_000;

interface Meta {
  counters: Record<string, number>;
  /** Set once the trail has a head file, so a head deleted later is not mistaken for an old trail. */
  auditHead?: boolean;
}

interface StateRecord {
  key: string;
  eTag: string;
  value: unknown;
}

/** Where the store says what it had to repair at open; never a name or an email, only counts. */
export interface StoreLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

const SILENT: StoreLog = { warn: () => undefined };

/**
 * The embedded store: one lowdb file per case (written atomically by rename), so a change
 * rewrites one small file however many cases exist; the audit trail is an append-only log.
 * What the queries need of each case (version, open or not, requester, intake key, subject keys,
 * purge and kept-record dates) is kept in a saved index beside the case files, so opening reads
 * that index and not every case; a case file is read when it is asked for, and the most recently
 * used are cached. One process owns the folder at a time, so the cache is never stale.
 */
export class LowdbCaseStore implements PortableStore {
  private cases = new IndexedCases();
  /** The snapshot's file was changed while open: it is written afresh at the latest at close. */
  private snapshotDamaged = false;
  private readonly cache = new Map<string, DsrCase>();
  private readonly mutex = new Mutex();
  private readonly audit: AuditLog;
  private readonly meta: Low<Meta>;
  private readonly indexFile: CaseIndexFile;
  private readonly casesDir: string;
  /**
   * The folder of the case files with its separator: a listing makes the path of each of a thousand
   * cases, and joining them took as much as a third of the time their reading takes.
   */
  private readonly casesPrefix: string;
  private releaseLock: (() => Promise<void>) | undefined;
  readonly state: LowdbStateStore;

  constructor(
    private readonly dir: string,
    readonly auditKeys: AuditKeys | undefined = undefined,
    private readonly log: StoreLog = SILENT,
  ) {
    this.audit = new AuditLog(join(dir, 'audit.jsonl'), auditKeys);
    this.meta = new Low<Meta>(new JSONFile(join(dir, 'meta.json')), { counters: {} });
    this.indexFile = new CaseIndexFile(join(dir, 'case-index.jsonl'));
    this.state = new LowdbStateStore(join(dir, 'state'), this.mutex);
    this.casesDir = join(dir, 'cases');
    this.casesPrefix = `${this.casesDir}${sep}`;
  }

  async open(): Promise<void> {
    await mkdir(this.casesDir, { recursive: true });
    await mkdir(join(this.dir, 'state'), { recursive: true });
    this.releaseLock = await acquireLock(join(this.dir, '.lock'));
    await this.meta.read();
    const { headMissing } = await this.audit.open(this.meta.data.auditHead === true);
    if (!this.meta.data.auditHead) {
      this.meta.data.auditHead = true;
      await this.meta.write();
    }
    await this.loadIndex();
    await this.reconcileInterruptedWrite();
    if (headMissing) await this.recordMissingHead();
    if (needsKeyIntroduction(this.audit.lastEvent(), this.auditKeys)) {
      await this.audit.append(keyIntroduction(this.audit.lastEvent(), this.auditKeys!, new Date()));
    }
    await this.raiseCountersToCases();
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      // Every save of this process is in the index: a clean start need not look at the trail again.
      if (this.releaseLock) {
        const seq = this.audit.lastEvent()?.seq ?? 0;
        if (this.indexFile.worthSnapshotAtClose() || this.snapshotDamaged) {
          await this.indexFile.rewrite(this.cases.entries(), seq);
        }
        await this.indexFile.checkpoint(seq, await this.folderStamp());
      }
      await this.indexFile.close();
      await this.audit.close();
      await this.releaseLock?.();
      this.releaseLock = undefined;
    });
  }

  getCase(id: string): Promise<DsrCase | undefined> {
    return this.read(id);
  }

  listCases(query: CaseQuery): Promise<DsrCase[]> {
    // "My requests" does not scan every case in the organisation: the index has them by requester.
    return this.readMany(this.cases.idsWhere(query));
  }

  /** The open cases of the index, their files read a page at a time. */
  async *openCasePages(pageSize: number): AsyncIterable<DsrCase[]> {
    const ids = this.cases.idsWhere({ openOnly: true });
    for (let start = 0; start < ids.length; start += pageSize) {
      const page = await this.readMany(ids.slice(start, start + pageSize));
      if (page.length > 0) yield page;
    }
  }

  async findByIntakeKey(intakeKey: string): Promise<DsrCase | undefined> {
    const id = this.cases.idOfIntakeKey(intakeKey);
    return id === undefined ? undefined : this.read(id);
  }

  allocateCaseId(year: number): Promise<string> {
    return this.mutex.run(async () => {
      const next = (this.meta.data.counters[String(year)] ?? 0) + 1;
      this.meta.data.counters[String(year)] = next;
      await this.meta.write();
      return formatCaseId(year, next);
    });
  }

  createCase(year: number, build: (id: string) => NewCase): Promise<NewCase & { event: AuditEvent }> {
    return this.mutex.run(async () => {
      const next = (this.meta.data.counters[String(year)] ?? 0) + 1;
      const created = build(formatCaseId(year, next));
      const holder = this.cases.idOfIntakeKey(created.case.intakeKey);
      if (holder !== undefined) throw new DuplicateIntakeError(holder);
      if (this.cases.has(created.case.id)) throw new VersionConflictError(created.case.id, null, 1);
      // Audit line, case file, index line, then the counter: a crash before the index line is
      // repaired at open from the trail, one before the counter from the highest case number.
      const event = await this.audit.append(created.audit);
      await this.writeCaseFile(created.case);
      await this.saved(created.case, event.seq);
      this.meta.data.counters[String(year)] = next;
      await this.meta.write();
      return { ...created, event };
    });
  }

  saveCase(next: DsrCase, expectedVersion: number | null, draft: AuditDraft): Promise<AuditEvent> {
    return this.mutex.run(async () => {
      const current = this.cases.version(next.id) ?? null;
      if (current !== expectedVersion) throw new VersionConflictError(next.id, expectedVersion, current);
      const holder = this.cases.idOfIntakeKey(next.intakeKey);
      if (holder !== undefined && holder !== next.id) throw new DuplicateIntakeError(holder);
      // The audit line goes first: if the process dies before the case file is renamed into
      // place, opening the store finds an event the case does not reflect and records that;
      // if it dies before the index line, opening reads the case that event names again.
      const event = await this.audit.append(draft);
      await this.writeCaseFile(next);
      await this.saved(next, event.seq);
      return event;
    });
  }

  appendAudit(draft: AuditDraft): Promise<AuditEvent> {
    return this.mutex.run(() => this.audit.append(draft));
  }

  auditEvents(caseId?: string): AsyncIterable<AuditEvent> {
    return this.audit.events(caseId);
  }

  auditHead(): Promise<AuditHead | undefined> {
    return this.audit.head();
  }

  async casesToPurge(now: Date, limit: number): Promise<DsrCase[]> {
    // The index says which closed cases are due; only those files are read.
    const due = this.cases
      .entriesWith('purge')
      .filter(
        (entry) =>
          entry.purge === 'started' || (entry.purge === 'after' && Date.parse(entry.purgeAfter ?? '') <= now.getTime()),
      );
    due.sort((a, b) => ((a.purgeAfter ?? '') < (b.purgeAfter ?? '') ? -1 : 1));
    const cases = await this.readMany(due.slice(0, limit).map((entry) => entry.id));
    return cases.filter((dsrCase) => purgeIsDue(dsrCase, now));
  }

  casesWithKeptDue(now: Date, limit: number): Promise<DsrCase[]> {
    const at = now.toISOString();
    const due = this.cases.entriesWith('keptDueAt').filter((e) => e.keptDueAt! <= at);
    due.sort((a, b) => (a.keptDueAt! < b.keptDueAt! ? -1 : 1));
    return this.readMany(due.slice(0, limit).map((entry) => entry.id));
  }

  casesOfSubject(keys: SubjectKeys): Promise<DsrCase[]> {
    const ids = new Set<string>();
    for (const key of subjectKeyDigests(keys)) for (const id of this.cases.idsOfSubjectKey(key)) ids.add(id);
    return this.readMany([...ids]);
  }

  counters(): Promise<Record<string, number>> {
    return Promise.resolve({ ...this.meta.data.counters });
  }

  raiseCounter(year: number, last: number): Promise<void> {
    return this.mutex.run(async () => {
      this.meta.data.counters[String(year)] = Math.max(this.meta.data.counters[String(year)] ?? 0, last);
      await this.meta.write();
    });
  }

  importCase(dsrCase: DsrCase): Promise<void> {
    return this.mutex.run(async () => {
      await this.writeCaseFile(dsrCase);
      await this.saved(dsrCase, undefined);
    });
  }

  importAuditEvents(events: AuditEvent[]): Promise<void> {
    return this.mutex.run(async () => {
      for (const event of events) await this.audit.appendSealed(event);
    });
  }

  stateEntries(): AsyncIterable<{ key: string; value: unknown }> {
    return this.state.entries();
  }

  /** A case as its file holds it, from the cache when it was read or saved lately. */
  private read(id: string): Promise<DsrCase | undefined> {
    return Promise.resolve(this.readNow(id));
  }

  /**
   * Case files are small and, once written, in the page cache: read at once they take a fifth of
   * the time the asynchronous calls take (four trips through the thread pool each). A list reads
   * them in slices and lets other work in between, so the event loop is never held for long.
   */
  private readNow(id: string): DsrCase | undefined {
    const version = this.cases.version(id);
    if (version === undefined) return undefined;
    const cached = this.cache.get(id);
    if (cached) {
      // Most recently used last, so the oldest is the first to go.
      this.cache.delete(id);
      this.cache.set(id, cached);
      return cached;
    }
    const dsrCase = this.readFile(id);
    if (dsrCase && dsrCase.version === version) this.remember(dsrCase);
    return dsrCase;
  }

  private async readMany(ids: string[]): Promise<DsrCase[]> {
    const found: DsrCase[] = [];
    for (let i = 0; i < ids.length; i += 1) {
      if (i % READ_SLICE === READ_SLICE - 1) await yieldToOthers();
      const dsrCase = this.readNow(ids[i]!);
      if (dsrCase) found.push(dsrCase);
    }
    return found;
  }

  private readFile(id: string): DsrCase | undefined {
    let text: string;
    try {
      text = readFileSync(this.caseFile(id), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return (JSON.parse(text) as DsrCase | null) ?? undefined;
  }

  private caseFile(id: string): string {
    return `${this.casesPrefix}${id}.json`;
  }

  private remember(dsrCase: DsrCase): void {
    this.cache.delete(dsrCase.id);
    this.cache.set(dsrCase.id, dsrCase);
    if (this.cache.size > CACHED_CASES) this.cache.delete(this.cache.keys().next().value!);
  }

  /** After the case file is in place: the index in memory, its line in the file, the cache. */
  private async saved(dsrCase: DsrCase, seq: number | undefined): Promise<void> {
    const entry = entryOf(dsrCase);
    const before = this.cases.get(entry.id)?.keys ?? [];
    this.cases.set(entry);
    this.remember(dsrCase);
    await this.indexFile.append(seq === undefined ? { entry } : { entry, seq });
    // A purge or a correction takes identifiers off the case: the older lines that hold their
    // digests go at once, so the index keeps no trace of a person the case no longer names.
    const dropped = before.some((key) => !entry.keys.includes(key));
    if (dropped || this.indexFile.needsCompaction(this.cases.size)) {
      await this.indexFile.rewrite(this.cases.entries(), this.audit.lastEvent()?.seq ?? 0);
    }
  }

  /**
   * Reads the saved index and checks it against the folder and the audit trail: a case file the
   * index does not know is read, an entry whose file is gone is dropped, and every case the trail
   * saw saved after the index's last line is read again. A missing or unreadable index, or one
   * ahead of the trail, is rebuilt from the case files, as a store without an index is; one in an
   * older format is read and written again in this one.
   */
  private async loadIndex(): Promise<void> {
    const lastSeq = this.audit.lastEvent()?.seq ?? 0;
    const saved = await this.indexFile.read();
    if (saved.ok) {
      this.cases = new IndexedCases(saved.snapshot, (ids, problem) => this.laterFromCaseFiles(ids, problem));
      for (const entry of saved.journal.values()) this.cases.set(entry);
    }
    // Closed cleanly, and the folder not touched since (every write renames a file into it, which
    // moves its time): the index is the folder, and a hundred thousand names need not be listed.
    if (
      saved.ok &&
      saved.seq === lastSeq &&
      saved.folder !== undefined &&
      saved.folder === (await this.folderStamp())
    ) {
      if (saved.older) await this.indexFile.rewrite(this.cases.entries(), lastSeq);
      else await this.indexFile.openForAppend();
      return;
    }
    const ids: string[] = [];
    for (const name of await readdir(this.casesDir)) {
      // A dot file is the temporary copy of a write that a crash interrupted before its rename:
      // the case file it was replacing is still whole, and the change was never acknowledged.
      if (name.startsWith('.')) await rm(join(this.casesDir, name), { force: true });
      else if (name.endsWith('.json')) ids.push(name.slice(0, -'.json'.length));
    }
    if (!saved.ok || saved.seq > lastSeq) {
      const reason = saved.ok ? 'ahead of the audit trail' : saved.reason;
      // A new store has no index and no cases: nothing to warn about.
      if (ids.length > 0 || reason !== 'missing') {
        this.log.warn({ cases: ids.length, reason }, 'case index rebuilt from the case files');
      }
      this.cases = new IndexedCases();
      await this.indexAll(ids);
      await this.indexFile.rewrite(this.cases.entries(), lastSeq);
      return;
    }
    const onDisk = new Set(ids);
    const gone = [...this.cases.ids()].filter((id) => !onDisk.has(id));
    for (const id of gone) this.cases.remove(id);
    const unknown = ids.filter((id) => !this.cases.has(id));
    // The cases the trail saw saved after the index's last line: at most the one a crash
    // interrupted, unless the machine lost lines the process had written.
    const since = new Set(unknown);
    for (const event of await this.audit.eventsAfter(saved.seq)) {
      if (event.caseId !== null && event.version !== null && onDisk.has(event.caseId)) since.add(event.caseId);
    }
    const changed = await this.indexAll([...since]);
    if (gone.length > 0 || unknown.length > 0) {
      this.log.warn(
        { missingFiles: gone.length, filesNotIndexed: unknown.length },
        'case index did not match the case files; repaired',
      );
    }
    if (changed > 0 || gone.length > 0 || saved.older || this.indexFile.needsCompaction(this.cases.size)) {
      await this.indexFile.rewrite(this.cases.entries(), lastSeq);
    } else {
      await this.indexFile.openForAppend();
    }
  }

  /**
   * What only intake, the purge and kept records need of the snapshot's cases, from their files: the
   * snapshot's own line of it is read at its first use, and the file was changed since the open.
   */
  private laterFromCaseFiles(ids: readonly string[], problem: unknown): LaterColumns {
    this.snapshotDamaged = true;
    this.log.warn(
      { cases: ids.length, problem: problem instanceof Error ? problem.message : 'unknown' },
      'case index changed on disk while open; read from the case files',
    );
    return laterColumnsOf(
      ids.map((id) => {
        const dsrCase = this.readFile(id);
        return dsrCase && entryOf(dsrCase);
      }),
    );
  }

  /** Reads these case files and indexes what they hold; returns how many entries changed. */
  private async indexAll(ids: string[]): Promise<number> {
    let changed = 0;
    for (let i = 0; i < ids.length; i += 1) {
      if (i % READ_SLICE === READ_SLICE - 1) await yieldToOthers();
      const dsrCase = this.readFile(ids[i]!);
      if (!dsrCase) continue;
      const entry = entryOf(dsrCase);
      const known = this.cases.get(entry.id);
      if (known && sameEntry(known, entry)) continue;
      this.cases.set(entry);
      changed += 1;
    }
    return changed;
  }

  /** The case folder's modification time, to the nanosecond the file system keeps. */
  private async folderStamp(): Promise<string> {
    return String((await stat(this.casesDir, { bigint: true })).mtimeNs);
  }

  private async writeCaseFile(dsrCase: DsrCase): Promise<void> {
    const file = new Low<DsrCase>(new JSONFile(this.caseFile(dsrCase.id)), dsrCase);
    await file.write();
  }

  /** A case saved just before a crash, its counter not yet written, still holds its number. */
  private async raiseCountersToCases(): Promise<void> {
    let raised = false;
    for (const [year, sequence] of this.cases.highestNumbers()) {
      const key = String(year);
      if ((this.meta.data.counters[key] ?? 0) < sequence) {
        this.meta.data.counters[key] = sequence;
        raised = true;
      }
    }
    if (raised) await this.meta.write();
  }

  /**
   * Appending must go on, and the next append writes a new head; the event keeps on the trail
   * that the head was gone and how long the trail was then, for "verify audit" to report.
   */
  private async recordMissingHead(): Promise<void> {
    const last = this.audit.lastEvent();
    await this.audit.append({
      at: new Date().toISOString(),
      actorId: 'system',
      caseId: null,
      action: AUDIT_HEAD_MISSING,
      outcome: 'recovered',
      version: null,
      detail: { lastSeq: last?.seq ?? 0 },
    });
  }

  private async reconcileInterruptedWrite(): Promise<void> {
    const last = this.audit.lastEvent();
    if (!last || last.outcome !== 'applied' || last.caseId === null || last.version === null) return;
    const stored = this.cases.version(last.caseId);
    if (stored !== undefined && stored >= last.version) return;
    await this.audit.append({
      at: new Date().toISOString(),
      actorId: 'system',
      caseId: last.caseId,
      action: 'write-not-completed',
      outcome: 'recovered',
      version: stored ?? null,
      detail: { discardedEvent: last.seq, discardedVersion: last.version },
    });
  }
}

/**
 * Conversation state, one file per key. The folder belongs to this process (see the lock), so
 * what it last read or wrote is cached: a turn reads its state from memory, not from disk.
 */
class LowdbStateStore implements KeyValueStore {
  private readonly cache = new Map<string, StateRecord | null>();

  constructor(
    private readonly dir: string,
    private readonly mutex: Mutex,
  ) {}

  private path(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  private file(key: string): Low<StateRecord | null> {
    return new Low<StateRecord | null>(new JSONFile(this.path(key)), null);
  }

  private async load(key: string): Promise<StateRecord | null> {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const file = this.file(key);
    await file.read();
    this.cache.set(key, file.data);
    return file.data;
  }

  async read(keys: string[]): Promise<Record<string, { value: unknown; eTag: string }>> {
    const found: Record<string, { value: unknown; eTag: string }> = {};
    for (const key of keys) {
      const record = await this.load(key);
      // Callers get their own copy: the bot mutates state objects in place during a turn.
      if (record) found[key] = { value: structuredClone(record.value), eTag: record.eTag };
    }
    return found;
  }

  write(entries: Record<string, { value: unknown; eTag?: string }>): Promise<void> {
    return this.mutex.run(async () => {
      for (const [key, entry] of Object.entries(entries)) {
        const current = await this.load(key);
        const expected = entry.eTag;
        if (current && expected !== undefined && expected !== '*' && expected !== current.eTag) {
          throw new StateConflictError(key);
        }
        const file = this.file(key);
        file.data = { key, eTag: randomUUID(), value: structuredClone(entry.value) };
        await file.write();
        this.cache.set(key, file.data);
      }
    });
  }

  delete(keys: string[]): Promise<void> {
    return this.mutex.run(async () => {
      for (const key of keys) {
        await rm(this.path(key), { force: true });
        this.cache.set(key, null);
      }
    });
  }

  /** Every stored entry; the file names are hashes, so the key comes from inside each file. */
  async *entries(): AsyncGenerator<{ key: string; value: unknown }> {
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      const file = new Low<StateRecord | null>(new JSONFile(join(this.dir, name)), null);
      await file.read();
      if (file.data) yield { key: file.data.key, value: file.data.value };
    }
  }
}

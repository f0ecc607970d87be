import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
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
import { caseNumber, formatCaseId, isOpen, type DsrCase } from '../dsr/case.js';
import {
  DuplicateIntakeError,
  StateConflictError,
  VersionConflictError,
  type CaseQuery,
  type KeyValueStore,
  type NewCase,
} from '../dsr/ports/store.js';
import { strongKeys, type SubjectKeys } from '../dsr/repeats.js';
import { purgeIsDue } from '../dsr/retention.js';
import { AuditLog } from './auditLog.js';
import { acquireLock } from './lockFile.js';
import { Mutex } from './mutex.js';
import type { PortableStore } from './portable.js';

/** Case files read at once when the store opens. */
const PARALLEL_READS = 16;

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

/**
 * The embedded store: one lowdb file per case (written atomically by rename), so a change
 * rewrites one small file however many cases exist; the audit trail is an append-only log.
 * Every case is also held in memory for reads. One process owns the folder at a time.
 */
export class LowdbCaseStore implements PortableStore {
  private readonly cases = new Map<string, DsrCase>();
  private readonly byIntakeKey = new Map<string, string>();
  // "My requests" must not scan every case in the organisation.
  private readonly byRequester = new Map<string, Set<string>>();
  // Intake looks for the same person's other cases; a scan of every case at each intake would not do.
  private readonly bySubjectKey = new Map<string, Set<string>>();
  private readonly subjectKeysOf = new Map<string, string[]>();
  private readonly mutex = new Mutex();
  private readonly audit: AuditLog;
  private readonly meta: Low<Meta>;
  private releaseLock: (() => Promise<void>) | undefined;
  readonly state: LowdbStateStore;

  constructor(
    private readonly dir: string,
    readonly auditKeys: AuditKeys | undefined = undefined,
  ) {
    this.audit = new AuditLog(join(dir, 'audit.jsonl'), auditKeys);
    this.meta = new Low<Meta>(new JSONFile(join(dir, 'meta.json')), { counters: {} });
    this.state = new LowdbStateStore(join(dir, 'state'), this.mutex);
  }

  private get casesDir(): string {
    return join(this.dir, 'cases');
  }

  async open(): Promise<void> {
    await mkdir(this.casesDir, { recursive: true });
    await mkdir(join(this.dir, 'state'), { recursive: true });
    this.releaseLock = await acquireLock(join(this.dir, '.lock'));
    await this.meta.read();
    const names = await readdir(this.casesDir);
    // Read several at a time: one after another, each file waited for the disk on its own.
    let next = 0;
    const reader = async () => {
      for (let i = next++; i < names.length; i = next++) {
        const name = names[i]!;
        // A dot file is the temporary copy of a write that a crash interrupted before its rename:
        // the case file it was replacing is still whole, and the change was never acknowledged.
        if (name.startsWith('.')) {
          await rm(join(this.casesDir, name), { force: true });
          continue;
        }
        if (!name.endsWith('.json')) continue;
        const text = await readFile(join(this.casesDir, name), 'utf8');
        const dsrCase = JSON.parse(text) as DsrCase | null;
        if (dsrCase) this.index(dsrCase);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_READS }, reader));
    const { headMissing } = await this.audit.open(this.meta.data.auditHead === true);
    if (!this.meta.data.auditHead) {
      this.meta.data.auditHead = true;
      await this.meta.write();
    }
    await this.reconcileInterruptedWrite();
    if (headMissing) await this.recordMissingHead();
    if (needsKeyIntroduction(this.audit.lastEvent(), this.auditKeys)) {
      await this.audit.append(keyIntroduction(this.audit.lastEvent(), this.auditKeys!, new Date()));
    }
    await this.raiseCountersToCases();
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      await this.audit.close();
      await this.releaseLock?.();
      this.releaseLock = undefined;
    });
  }

  getCase(id: string): Promise<DsrCase | undefined> {
    return Promise.resolve(this.cases.get(id));
  }

  listCases(query: CaseQuery): Promise<DsrCase[]> {
    const candidates =
      query.requesterId === undefined
        ? this.cases.values()
        : [...(this.byRequester.get(query.requesterId) ?? [])].map((id) => this.cases.get(id)!);
    const result: DsrCase[] = [];
    for (const dsrCase of candidates) {
      if (query.openOnly && !isOpen(dsrCase)) continue;
      result.push(dsrCase);
    }
    return Promise.resolve(result);
  }

  findByIntakeKey(intakeKey: string): Promise<DsrCase | undefined> {
    const id = this.byIntakeKey.get(intakeKey);
    return Promise.resolve(id === undefined ? undefined : this.cases.get(id));
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
      const holder = this.byIntakeKey.get(created.case.intakeKey);
      if (holder !== undefined) throw new DuplicateIntakeError(holder);
      if (this.cases.has(created.case.id)) throw new VersionConflictError(created.case.id, null, 1);
      // Audit line, case file, then the counter: a crash before the counter is written is
      // repaired at open from the highest case number on disk.
      const event = await this.audit.append(created.audit);
      await this.writeCaseFile(created.case);
      this.index(created.case);
      this.meta.data.counters[String(year)] = next;
      await this.meta.write();
      return { ...created, event };
    });
  }

  saveCase(next: DsrCase, expectedVersion: number | null, draft: AuditDraft): Promise<AuditEvent> {
    return this.mutex.run(async () => {
      const current = this.cases.get(next.id);
      if ((current?.version ?? null) !== expectedVersion) {
        throw new VersionConflictError(next.id, expectedVersion, current?.version ?? null);
      }
      const holder = this.byIntakeKey.get(next.intakeKey);
      if (holder !== undefined && holder !== next.id) throw new DuplicateIntakeError(holder);
      // The audit line goes first: if the process dies before the case file is renamed into
      // place, opening the store finds an event the case does not reflect and records that.
      const event = await this.audit.append(draft);
      await this.writeCaseFile(next);
      this.index(next);
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

  casesToPurge(now: Date, limit: number): Promise<DsrCase[]> {
    // Every case is in memory already; a scan of a hundred thousand takes milliseconds.
    const due = [...this.cases.values()].filter((dsrCase) => purgeIsDue(dsrCase, now));
    due.sort((a, b) => ((a.purgeAfter ?? '') < (b.purgeAfter ?? '') ? -1 : 1));
    return Promise.resolve(due.slice(0, limit));
  }

  casesWithKeptDue(now: Date, limit: number): Promise<DsrCase[]> {
    const at = now.toISOString();
    const due = [...this.cases.values()].filter((c) => c.keptDueAt !== undefined && c.keptDueAt <= at);
    due.sort((a, b) => (a.keptDueAt! < b.keptDueAt! ? -1 : 1));
    return Promise.resolve(due.slice(0, limit));
  }

  casesOfSubject(keys: SubjectKeys): Promise<DsrCase[]> {
    const ids = new Set<string>();
    for (const key of subjectKeyStrings(keys)) for (const id of this.bySubjectKey.get(key) ?? []) ids.add(id);
    return Promise.resolve([...ids].map((id) => this.cases.get(id)!));
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
      this.index(dsrCase);
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

  private index(dsrCase: DsrCase): void {
    for (const key of this.subjectKeysOf.get(dsrCase.id) ?? []) this.bySubjectKey.get(key)?.delete(dsrCase.id);
    const keys = subjectKeyStrings(strongKeys(dsrCase.subject));
    for (const key of keys) {
      const holders = this.bySubjectKey.get(key) ?? new Set<string>();
      holders.add(dsrCase.id);
      this.bySubjectKey.set(key, holders);
    }
    this.subjectKeysOf.set(dsrCase.id, keys);
    this.cases.set(dsrCase.id, dsrCase);
    this.byIntakeKey.set(dsrCase.intakeKey, dsrCase.id);
    const mine = this.byRequester.get(dsrCase.requester.id) ?? new Set<string>();
    mine.add(dsrCase.id);
    this.byRequester.set(dsrCase.requester.id, mine);
  }

  private async writeCaseFile(dsrCase: DsrCase): Promise<void> {
    const file = new Low<DsrCase>(new JSONFile(join(this.casesDir, `${dsrCase.id}.json`)), dsrCase);
    await file.write();
  }

  /** A case saved just before a crash, its counter not yet written, still holds its number. */
  private async raiseCountersToCases(): Promise<void> {
    let raised = false;
    for (const id of this.cases.keys()) {
      const number = caseNumber(id);
      if (!number) continue;
      const key = String(number.year);
      if ((this.meta.data.counters[key] ?? 0) < number.sequence) {
        this.meta.data.counters[key] = number.sequence;
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
    const stored = this.cases.get(last.caseId);
    if (stored && stored.version >= last.version) return;
    await this.audit.append({
      at: new Date().toISOString(),
      actorId: 'system',
      caseId: last.caseId,
      action: 'write-not-completed',
      outcome: 'recovered',
      version: stored?.version ?? null,
      detail: { discardedEvent: last.seq, discardedVersion: last.version },
    });
  }
}

function subjectKeyStrings(keys: SubjectKeys): string[] {
  return [
    ...keys.emails.map((e) => `email:${e}`),
    ...keys.customerNumbers.map((n) => `customer:${n}`),
    ...keys.employeeIds.map((n) => `employee:${n}`),
  ];
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

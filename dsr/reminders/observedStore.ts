import type { AuditDraft, AuditEvent, AuditHead } from '../audit.js';
import type { AuditKeys } from '../auditKeys.js';
import type { DsrCase } from '../case.js';
import type { CaseQuery, CaseStore, KeyValueStore, NewCase } from '../ports/store.js';
import type { SubjectKeys } from '../repeats.js';

/** A case store that tells a listener about every saved case, so schedules follow every change. */
export class ObservedCaseStore implements CaseStore {
  private listeners: Array<(dsrCase: DsrCase) => void> = [];

  constructor(private readonly inner: CaseStore) {}

  onSaved(listener: (dsrCase: DsrCase) => void): void {
    this.listeners.push(listener);
  }

  get state(): KeyValueStore {
    return this.inner.state;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  getCase(id: string): Promise<DsrCase | undefined> {
    return this.inner.getCase(id);
  }

  listCases(query: CaseQuery): Promise<DsrCase[]> {
    return this.inner.listCases(query);
  }

  openCasePages(pageSize: number): AsyncIterable<DsrCase[]> {
    return this.inner.openCasePages(pageSize);
  }

  findByIntakeKey(intakeKey: string): Promise<DsrCase | undefined> {
    return this.inner.findByIntakeKey(intakeKey);
  }

  allocateCaseId(year: number): Promise<string> {
    return this.inner.allocateCaseId(year);
  }

  async createCase(year: number, build: (id: string) => NewCase): Promise<NewCase & { event: AuditEvent }> {
    const created = await this.inner.createCase(year, build);
    for (const listener of this.listeners) listener(created.case);
    return created;
  }

  async saveCase(next: DsrCase, expectedVersion: number | null, audit: AuditDraft): Promise<AuditEvent> {
    const event = await this.inner.saveCase(next, expectedVersion, audit);
    for (const listener of this.listeners) listener(next);
    return event;
  }

  appendAudit(audit: AuditDraft): Promise<AuditEvent> {
    return this.inner.appendAudit(audit);
  }

  auditEvents(caseId?: string): AsyncIterable<AuditEvent> {
    return this.inner.auditEvents(caseId);
  }

  get auditKeys(): AuditKeys | undefined {
    return this.inner.auditKeys;
  }

  auditHead(): Promise<AuditHead | undefined> {
    return this.inner.auditHead();
  }

  casesToPurge(now: Date, limit: number): Promise<DsrCase[]> {
    return this.inner.casesToPurge(now, limit);
  }

  casesWithKeptDue(now: Date, limit: number): Promise<DsrCase[]> {
    return this.inner.casesWithKeptDue(now, limit);
  }

  casesOfSubject(keys: SubjectKeys): Promise<DsrCase[]> {
    return this.inner.casesOfSubject(keys);
  }
}

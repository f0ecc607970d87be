import type { AuditDraft, AuditEvent, AuditHead } from '../audit.js';
import type { AuditKeys } from '../auditKeys.js';
import type { DsrCase } from '../case.js';
import type { SubjectKeys } from '../repeats.js';

export class VersionConflictError extends Error {
  constructor(
    readonly caseId: string,
    readonly expected: number | null,
    readonly actual: number | null,
  ) {
    super(`Case ${caseId} is at version ${actual ?? 'none'}, not ${expected ?? 'none'}`);
    this.name = 'VersionConflictError';
  }
}

export class DuplicateIntakeError extends Error {
  constructor(readonly existingCaseId: string) {
    super(`This intake already created ${existingCaseId}`);
    this.name = 'DuplicateIntakeError';
  }
}

export class StateConflictError extends Error {
  constructor(readonly key: string) {
    super(`State ${key} was changed by another turn`);
    this.name = 'StateConflictError';
  }
}

export interface NewCase {
  case: DsrCase;
  audit: AuditDraft;
}

export interface CaseQuery {
  requesterId?: string;
  openOnly?: boolean;
}

/** A versioned document store for conversation state; `eTag: '*'` or no eTag overwrites. */
export interface KeyValueStore {
  read(keys: string[]): Promise<Record<string, { value: unknown; eTag: string }>>;
  write(entries: Record<string, { value: unknown; eTag?: string }>): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

/**
 * Where cases and their audit trail live. A save persists the case and its audit event together
 * or not at all, and costs the same however many cases are stored.
 */
export interface CaseStore {
  open(): Promise<void>;
  close(): Promise<void>;
  getCase(id: string): Promise<DsrCase | undefined>;
  listCases(query: CaseQuery): Promise<DsrCase[]>;
  /**
   * Every open case once, a page of at most `pageSize` at a time: for work that reads
   * them all (the reminder index at start) and must let the bot answer between pages.
   */
  openCasePages(pageSize: number): AsyncIterable<DsrCase[]>;
  findByIntakeKey(intakeKey: string): Promise<DsrCase | undefined>;
  /** Never hands out the same id twice, even across crashes. */
  allocateCaseId(year: number): Promise<string>;
  /**
   * Numbers a new case and saves it with its audit event in one step: the id is the year's next
   * number only if the case is saved, so the register has no gaps from a duplicate, a refused or
   * a failed save.
   * @throws DuplicateIntakeError when a case already holds the intake key
   */
  createCase(year: number, build: (id: string) => NewCase): Promise<NewCase & { event: AuditEvent }>;
  /**
   * `expectedVersion` null means the case must not exist yet.
   * @throws VersionConflictError, DuplicateIntakeError
   */
  saveCase(next: DsrCase, expectedVersion: number | null, audit: AuditDraft): Promise<AuditEvent>;
  appendAudit(audit: AuditDraft): Promise<AuditEvent>;
  auditEvents(caseId?: string): AsyncIterable<AuditEvent>;
  /** The head kept outside the chain, read from storage as it is now; undefined when it is missing. */
  auditHead(): Promise<AuditHead | undefined>;
  /** The keys this store seals events with, which verification needs; undefined seals with plain SHA-256. */
  readonly auditKeys: AuditKeys | undefined;
  /**
   * Closed cases whose personal data is due for deletion at `now` (not held), and those whose
   * purge started and did not finish, at most `limit`, the earliest first.
   */
  casesToPurge(now: Date, limit: number): Promise<DsrCase[]>;
  /**
   * Cases with a kept record due at `now` (its reason ended, or its condition is to be checked
   * again), whatever their status, purged or not, at most `limit`, the earliest first.
   */
  casesWithKeptDue(now: Date, limit: number): Promise<DsrCase[]>;
  /** Every case whose data subject shares one of these strong identifiers. */
  casesOfSubject(keys: SubjectKeys): Promise<DsrCase[]>;
  readonly state: KeyValueStore;
}

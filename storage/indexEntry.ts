import { createHash } from 'node:crypto';
import { isOpen, type DsrCase } from '../dsr/case.js';
import { strongKeys, type SubjectKeys } from '../dsr/repeats.js';

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

/** Whether two entries say the same of a case, whichever way each was built. */
export function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  return (
    a.id === b.id &&
    a.version === b.version &&
    a.open === b.open &&
    a.requesterId === b.requesterId &&
    a.intakeKey === b.intakeKey &&
    a.keys.length === b.keys.length &&
    a.keys.every((key, i) => key === b.keys[i]) &&
    a.purge === b.purge &&
    a.purgeAfter === b.purgeAfter &&
    a.keptDueAt === b.keptDueAt
  );
}

export function subjectKeyDigests(keys: SubjectKeys): string[] {
  return [
    ...keys.emails.map((e) => `email:${e}`),
    ...keys.customerNumbers.map((n) => `customer:${n}`),
    ...keys.employeeIds.map((n) => `employee:${n}`),
  ].map((key) => createHash('sha256').update(key).digest('base64url').slice(0, 24));
}

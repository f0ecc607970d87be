import { DateTime } from 'luxon';
import { isOpen, type DataSubject, type DsrCase, type RelatedCase } from './case.js';

/**
 * The identifiers strong enough to say two requests are from the same person (an exact email, a
 * customer or employee number); names and phones are weak and never link cases on their own.
 */
export interface SubjectKeys {
  emails: string[];
  customerNumbers: string[];
  employeeIds: string[];
}

export function strongKeys(subject: DataSubject): SubjectKeys {
  const one = (value: string | undefined) => (value && value.trim() ? [value.trim()] : []);
  return {
    emails: [...new Set(subject.emails.map((e) => e.toLowerCase()))],
    customerNumbers: one(subject.identifiers.customerNumber),
    employeeIds: one(subject.identifiers.employeeId),
  };
}

export function hasKeys(keys: SubjectKeys): boolean {
  return keys.emails.length + keys.customerNumbers.length + keys.employeeIds.length > 0;
}

/** When the person was answered: the response, the decline, or the closing, whichever came first. */
function answeredAt(dsrCase: DsrCase): string | undefined {
  if (dsrCase.response) return dsrCase.response.at;
  if (dsrCase.decision?.outcome === 'declined') return dsrCase.decision.at;
  return dsrCase.closedAt ?? (isOpen(dsrCase) ? undefined : dsrCase.updatedAt);
}

/**
 * The other cases of the same person the team should see: every open one, and those answered in
 * the last `months`. Art. 12(5) GDPR lets a controller charge a fee or refuse manifestly unfounded
 * or excessive requests, "in particular because of their repetitive character"; that is the team's
 * decision, so this only links the cases.
 */
export function relatedCases(sameSubject: DsrCase[], selfId: string, now: Date, months: number): RelatedCase[] {
  const since = DateTime.fromJSDate(now).minus({ months }).toJSDate().getTime();
  const related: RelatedCase[] = [];
  for (const other of sameSubject) {
    if (other.id === selfId) continue;
    if (isOpen(other)) {
      related.push({ caseId: other.id, why: 'open' });
      continue;
    }
    const at = answeredAt(other);
    if (at !== undefined && Date.parse(at) >= since)
      related.push({ caseId: other.id, why: 'answered', answeredAt: at });
  }
  return related.sort((a, b) => (a.caseId < b.caseId ? -1 : 1)).slice(0, 10);
}

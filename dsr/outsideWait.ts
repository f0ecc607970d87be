import { DateTime } from 'luxon';
import type { OrgCalendar } from './deadlines.js';

/**
 * A step that waits for someone outside the team: the Service Trust Portal's Data Log Export "can
 * take up to 30 days" (the guide, Part 2, "Accessing and exporting system-generated logs"), a
 * processor asked to erase, a vendor asked for an export. The expected day is what reminders track.
 */
export interface OutsideWait {
  /** Who the team waits for, in the team's words ("Microsoft Data Log Export"). */
  party: string;
  /** The local day (YYYY-MM-DD, organisation's zone) by which the answer is expected. */
  expectedBy: string;
  since: string;
  byId: string;
  /** Why the expected day may fall after the legal deadline. */
  reason?: string;
}

export const OUTSIDE_PARTY_MAX_LENGTH = 120;
export const OUTSIDE_REASON_MAX_LENGTH = 500;

export type OutsideWaitProblem =
  | { problem: 'party' }
  | { problem: 'date' }
  | { problem: 'past' }
  | { problem: 'afterDeadline'; due: string }
  | { problem: 'reason' };

/** The local day of an instant in the organisation's zone. */
export function localDate(instant: Date | string, calendar: Pick<OrgCalendar, 'timeZone'>): string {
  const at = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  return at.setZone(calendar.timeZone).toISODate() ?? '';
}

/**
 * What is wrong with a wait, or undefined: a party named, a real day, not before today, and not
 * after the legal deadline unless a reason says why (the person must be told of a delay, Art. 12(3)).
 */
export function outsideWaitProblem(
  wait: { party: string; expectedBy: string; reason?: string },
  dueAt: string,
  now: Date,
  calendar: Pick<OrgCalendar, 'timeZone'>,
): OutsideWaitProblem | undefined {
  const party = wait.party.trim();
  if (party === '' || party.length > OUTSIDE_PARTY_MAX_LENGTH) return { problem: 'party' };
  const day = DateTime.fromISO(wait.expectedBy, { zone: calendar.timeZone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(wait.expectedBy) || !day.isValid) return { problem: 'date' };
  if (wait.expectedBy < localDate(now, calendar)) return { problem: 'past' };
  if ((wait.reason?.trim().length ?? 0) > OUTSIDE_REASON_MAX_LENGTH) return { problem: 'reason' };
  const due = localDate(dueAt, calendar);
  if (wait.expectedBy > due && !wait.reason?.trim()) return { problem: 'afterDeadline', due };
  return undefined;
}

/** Whether the expected day has passed in the organisation's zone. */
export function waitOverdue(wait: OutsideWait, now: Date, calendar: Pick<OrgCalendar, 'timeZone'>): boolean {
  return localDate(now, calendar) > wait.expectedBy;
}

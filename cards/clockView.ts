import { counted } from '../dsr/counted.js';
import { DateTime } from 'luxon';
import type { DsrCase } from '../dsr/case.js';
import { pausedDays } from '../dsr/caseActions.js';
import {
  calendarDaysBetween,
  calendarName,
  computeDueDate,
  DEFAULT_IDENTITY_REQUEST_DAYS,
  policyFor,
  type OrgCalendar,
} from '../dsr/deadlines.js';
import { clip, formatDay, formatInstant } from './format.js';

export interface ClockLine {
  text: string;
  color: 'Default' | 'Good' | 'Warning' | 'Attention';
}

/**
 * What the privacy team must see about the legal clock of a case: how the due date is counted,
 * every wait for proof of identity with the days it added, the extension and its notice, and the
 * CCPA confirmation of receipt. Each line names the rule it follows.
 */
export function clockLines(dsrCase: DsrCase, now: Date, calendar: OrgCalendar): ClockLine[] {
  const policy = policyFor(dsrCase.regulation);
  const lines: ClockLine[] = [
    {
      text: `Due date counted as ${policy.legalBasis}${policy.rollToWorkingDay ? `; ${calendarName(calendar)}` : ''}.`,
      color: 'Default',
    },
  ];
  if (dsrCase.dueAt < dsrCase.createdAt) {
    lines.push({
      text: `Recorded on ${formatDay(dsrCase.createdAt, calendar)}, after its legal due date: overdue from the start. Answer at once.`,
      color: 'Attention',
    });
  }
  const askWithin = calendar.identityRequestDays ?? DEFAULT_IDENTITY_REQUEST_DAYS;
  const asked = [...dsrCase.identityRequests.map((r) => r.askedAt), ...(dsrCase.pause ? [dsrCase.pause.since] : [])];
  for (const request of dsrCase.identityRequests) {
    lines.push({
      text: `Proof of identity asked for on ${formatDay(request.askedAt, calendar)}, arrived on ${formatDay(DateTime.fromISO(request.arrivedOn, { zone: calendar.timeZone }).toISO() ?? '', calendar)}: ${
        policy.pauseStopsClock
          ? `${counted(request.daysAdded, 'day')} added to the deadline (GDPR Art. 12(6)).`
          : `the ${policy.label} deadline does not stop for it.`
      }`,
      color: 'Default',
    });
  }
  const firstAsked = asked.sort()[0];
  if (firstAsked !== undefined) {
    const after = calendarDaysBetween(new Date(dsrCase.receivedAt), new Date(firstAsked), calendar.timeZone);
    if (after > askWithin) {
      lines.push({
        text: `Proof of identity was first asked for ${counted(after, 'day')} after receipt, later than the ${counted(askWithin, 'day')} we allow ourselves: ask without undue delay (GDPR Art. 12(2)).`,
        color: 'Warning',
      });
    }
  }
  if (dsrCase.extension) {
    const firstDue = computeDueDate(policy, new Date(dsrCase.receivedAt), calendar, {
      pausedDays: pausedDays(dsrCase),
    });
    lines.push({
      text: `Extended on ${formatDay(dsrCase.extension.at, calendar)} by ${clip(dsrCase.extension.by.name, 60)}: ${clip(dsrCase.extension.reason, 300)}. New due date ${formatDay(dsrCase.dueAt, calendar)}.`,
      color: 'Default',
    });
    const noticeAt = dsrCase.extension.noticeSentAt;
    lines.push(
      noticeAt
        ? {
            text: `The person was told of the extension and why on ${formatDay(noticeAt, calendar)}.`,
            color: noticeAt <= firstDue.toISOString() ? 'Good' : 'Attention',
          }
        : {
            text: `The extension notice has not been sent. The person must be told, with the reasons, by ${formatDay(firstDue.toISOString(), calendar)} (GDPR Art. 12(3)).`,
            color: 'Attention',
          },
    );
  }
  const confirmation = dsrCase.receiptConfirmation;
  if (confirmation) {
    const late = confirmation.sentAt
      ? confirmation.sentAt > confirmation.dueAt
      : now.toISOString() > confirmation.dueAt;
    lines.push({
      text: confirmation.sentAt
        ? `Receipt confirmed to the person on ${formatInstant(confirmation.sentAt, calendar)} (due by ${formatDay(confirmation.dueAt, calendar)}, 11 CCR § 7021(a)).`
        : `Confirm receipt to the person by ${formatDay(confirmation.dueAt, calendar)}: 10 business days (11 CCR § 7021(a)).`,
      color: late ? 'Attention' : confirmation.sentAt ? 'Good' : 'Warning',
    });
  }
  return lines;
}

/** The local date an officer would enter as today, for date inputs. */
export function localToday(now: Date, calendar: OrgCalendar): string {
  return DateTime.fromJSDate(now).setZone(calendar.timeZone).toISODate() ?? '';
}

import type { TFunction } from 'i18next';
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
import { dayText } from './caseCard.js';
import { clip } from './format.js';
import { translator } from '../i18n/index.js';

export interface ClockLine {
  text: string;
  color: 'Default' | 'Good' | 'Warning' | 'Attention';
}

/**
 * What the privacy team must see about the legal clock of a case: how the due date is counted,
 * every wait for proof of identity with the days it added, the extension and its notice, and the
 * CCPA confirmation of receipt. Each line names the rule it follows; `color` says how urgent it is,
 * and the card draws that as a tint (see notices.ts), never as coloured text.
 */
export function clockLines(
  dsrCase: DsrCase,
  now: Date,
  calendar: OrgCalendar,
  t: TFunction = translator('en'),
): ClockLine[] {
  const day = (iso: string) => dayText(t, iso, calendar.timeZone);
  const policy = policyFor(dsrCase.regulation);
  const lines: ClockLine[] = [
    {
      text: policy.rollToWorkingDay
        ? t('case.clock.countedWithCalendar', { basis: policy.legalBasis, calendar: calendarName(calendar) })
        : t('case.clock.counted', { basis: policy.legalBasis }),
      color: 'Default',
    },
  ];
  if (dsrCase.dueAt < dsrCase.createdAt) {
    lines.push({ text: t('case.clock.lateFromStart', { date: day(dsrCase.createdAt) }), color: 'Attention' });
  }
  const askWithin = calendar.identityRequestDays ?? DEFAULT_IDENTITY_REQUEST_DAYS;
  const asked = [...dsrCase.identityRequests.map((r) => r.askedAt), ...(dsrCase.pause ? [dsrCase.pause.since] : [])];
  for (const request of dsrCase.identityRequests) {
    const arrived = DateTime.fromISO(request.arrivedOn, { zone: calendar.timeZone }).toISO() ?? request.arrivedOn;
    lines.push({
      text: policy.pauseStopsClock
        ? t('case.clock.proofAdded', { asked: day(request.askedAt), arrived: day(arrived), count: request.daysAdded })
        : t('case.clock.proofNoStop', { asked: day(request.askedAt), arrived: day(arrived), regulation: policy.label }),
      color: 'Default',
    });
  }
  const firstAsked = asked.sort()[0];
  if (firstAsked !== undefined) {
    const after = calendarDaysBetween(new Date(dsrCase.receivedAt), new Date(firstAsked), calendar.timeZone);
    if (after > askWithin) {
      lines.push({ text: t('case.clock.proofLate', { count: after, allowed: askWithin }), color: 'Warning' });
    }
  }
  if (dsrCase.extension) {
    const firstDue = computeDueDate(policy, new Date(dsrCase.receivedAt), calendar, {
      pausedDays: pausedDays(dsrCase),
    });
    lines.push({
      text: t('case.clock.extended', {
        date: day(dsrCase.extension.at),
        name: clip(dsrCase.extension.by.name, 60),
        reason: clip(dsrCase.extension.reason, 300),
        due: day(dsrCase.dueAt),
      }),
      color: 'Default',
    });
    const noticeAt = dsrCase.extension.noticeSentAt;
    lines.push(
      noticeAt
        ? {
            text: t('case.clock.extensionTold', { date: day(noticeAt) }),
            color: noticeAt <= firstDue.toISOString() ? 'Good' : 'Attention',
          }
        : { text: t('case.clock.extensionNotTold', { date: day(firstDue.toISOString()) }), color: 'Attention' },
    );
  }
  const confirmation = dsrCase.receiptConfirmation;
  if (confirmation) {
    const late = confirmation.sentAt
      ? confirmation.sentAt > confirmation.dueAt
      : now.toISOString() > confirmation.dueAt;
    lines.push({
      text: confirmation.sentAt
        ? t('case.clock.receiptConfirmed', { date: day(confirmation.sentAt), due: day(confirmation.dueAt) })
        : t('case.clock.receiptDue', { due: day(confirmation.dueAt) }),
      color: late ? 'Attention' : confirmation.sentAt ? 'Good' : 'Warning',
    });
  }
  return lines;
}

/** The local date an officer would enter as today, for date inputs. */
export function localToday(now: Date, calendar: OrgCalendar): string {
  return DateTime.fromJSDate(now).setZone(calendar.timeZone).toISODate() ?? '';
}

import { DateTime } from 'luxon';
import { z } from 'zod';
import { said, type Said } from '../i18n/index.js';
import { holidayRegionName, publicHolidays, type HolidayRegion } from './holidays.js';

export const REGULATIONS = ['GDPR', 'CCPA', 'LGPD'] as const;
export type Regulation = (typeof REGULATIONS)[number];

export type Period = { months: number } | { days: number };

/** How a regulation counts the time to answer. Every regulation is one value of this shape. */
export interface DeadlinePolicy {
  regulation: Regulation;
  label: string;
  legalBasis: string;
  initialPeriod: Period;
  /** The total period once extended, counted from receipt; null where no extension exists. */
  extendedPeriod: Period | null;
  /** A period ending on a weekend or public holiday ends at the end of the next working day. */
  rollToWorkingDay: boolean;
  /** Whether time spent waiting for the person to prove who they are does not count. */
  pauseStopsClock: boolean;
  /** Business days within which receipt must be confirmed; null where the law sets no such step. */
  receiptConfirmationDays: number | null;
}

const POLICIES: Record<Regulation, DeadlinePolicy> = {
  // Art. 12(3) GDPR counted as Regulation 1182/71 Art. 3 counts periods; the EDPB's guidance on the
  // right of access lets the clock wait while the controller asks for proof of identity.
  GDPR: {
    regulation: 'GDPR',
    label: 'GDPR',
    legalBasis: 'GDPR Art. 12(3); Regulation (EEC, Euratom) 1182/71 Art. 3',
    initialPeriod: { months: 1 },
    extendedPeriod: { months: 3 },
    rollToWorkingDay: true,
    pauseStopsClock: true,
    receiptConfirmationDays: null,
  },
  // Cal. Civ. Code 1798.130 counts calendar days and does not stop for verification.
  CCPA: {
    regulation: 'CCPA',
    label: 'CCPA / CPRA',
    legalBasis: 'Cal. Civ. Code 1798.130(a)(2)',
    initialPeriod: { days: 45 },
    extendedPeriod: { days: 90 },
    rollToWorkingDay: false,
    pauseStopsClock: false,
    // 11 CCR § 7021(a): confirm receipt of a request to delete, correct or know within 10 business days.
    receiptConfirmationDays: 10,
  },
  // LGPD Art. 19 II: a complete answer within 15 days, with no extension.
  LGPD: {
    regulation: 'LGPD',
    label: 'LGPD',
    legalBasis: 'LGPD Art. 19, II',
    initialPeriod: { days: 15 },
    extendedPeriod: null,
    rollToWorkingDay: false,
    pauseStopsClock: false,
    receiptConfirmationDays: null,
  },
};

export function policyFor(regulation: Regulation): DeadlinePolicy {
  return POLICIES[regulation];
}

export interface OrgCalendar {
  timeZone: string;
  /** Further public holidays the calendar library does not know (a city's own feast), as local dates YYYY-MM-DD. */
  holidays: string[];
  /** ISO weekday numbers: 1 is Monday, 7 is Sunday. The company's week, for reminders; never for legal periods. */
  workingDays: number[];
  /** The country (and region) whose public holidays apply; none: only `holidays`. */
  publicHolidays?: HolidayRegion;
  /** Days after receipt within which proof of identity should be asked for (GDPR Art. 12(2): without undue delay); default 7. */
  identityRequestDays?: number;
}

export const orgCalendarSchema = z.object({
  timeZone: z.string().refine((zone) => DateTime.local().setZone(zone).isValid, 'an IANA time zone'),
  holidays: z.array(
    z.string().refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && DateTime.fromISO(d).isValid, 'a date as YYYY-MM-DD'),
  ),
  workingDays: z.array(z.number().int().min(1).max(7)).min(1),
});

const DAY_MS = 24 * 60 * 60 * 1000;

function localDay(instant: Date, calendar: OrgCalendar): DateTime {
  return DateTime.fromJSDate(instant).setZone(calendar.timeZone).startOf('day');
}

export const DEFAULT_IDENTITY_REQUEST_DAYS = 7;

export function isPublicHoliday(day: DateTime, calendar: OrgCalendar): boolean {
  const date = day.toISODate() ?? '';
  if (calendar.holidays.includes(date)) return true;
  return calendar.publicHolidays !== undefined && publicHolidays(calendar.publicHolidays, day.year).has(date);
}

/** A day the company works: for reminders and working hours. */
export function isWorkingDay(day: DateTime, calendar: OrgCalendar): boolean {
  return calendar.workingDays.includes(day.weekday) && !isPublicHoliday(day, calendar);
}

/**
 * A working day in the sense of Regulation 1182/71 Art. 2(2) and 3(4): any day other than a
 * Saturday, Sunday or public holiday, whatever days the company itself works.
 */
export function isLegalWorkingDay(day: DateTime, calendar: OrgCalendar): boolean {
  return day.weekday <= 5 && !isPublicHoliday(day, calendar);
}

function rollToLegalWorkingDay(day: DateTime, calendar: OrgCalendar): DateTime {
  let rolled = day;
  // A year of holidays would be a configuration error; stop rather than loop forever.
  for (let i = 0; i < 366 && !isLegalWorkingDay(rolled, calendar); i += 1) rolled = rolled.plus({ days: 1 });
  return rolled;
}

/** "Public holidays of Germany, Bayern, and 2 dates of the organisation": what the due dates are counted against. */
export function calendarName(calendar: OrgCalendar): string {
  const extra = calendar.holidays.length;
  const own = extra === 0 ? '' : `${extra} further date${extra === 1 ? '' : 's'} (DSR_HOLIDAYS)`;
  if (calendar.publicHolidays) {
    return `Public holidays of ${holidayRegionName(calendar.publicHolidays)}${own ? ` and ${own}` : ''}`;
  }
  return own ? `Public holidays: ${own} only` : 'No public holidays configured: weekends only';
}

/**
 * The end of the `count`-th working day after the day of an instant, weekends and public holidays
 * skipped. Used for the CCPA's "business days" (11 CCR § 7021(a)). The CCPA regulations do not
 * define a business day; Monday to Friday without the configured public holidays is our reading,
 * not confirmed by a source.
 */
export function workingDaysAfter(instant: Date, count: number, calendar: OrgCalendar): Date {
  let day = localDay(instant, calendar);
  for (let counted = 0; counted < count;) {
    day = day.plus({ days: 1 });
    if (isLegalWorkingDay(day, calendar)) counted += 1;
  }
  return day.endOf('day').toJSDate();
}

export interface DueDateOptions {
  extended?: boolean;
  /** Whole days the clock stood still awaiting proof of identity; count only where the policy stops the clock. */
  pausedDays?: number;
}

/**
 * The last instant to answer: the end of the due day in the organisation's time zone. The day of
 * receipt is not counted, so adding the period to the local receipt date gives the last day; luxon
 * clamps a month end (31 January + 1 month is the last day of February), as Art. 3 requires.
 */
export function computeDueDate(
  policy: DeadlinePolicy,
  receivedAt: Date,
  calendar: OrgCalendar,
  options: DueDateOptions = {},
): Date {
  const period = options.extended && policy.extendedPeriod ? policy.extendedPeriod : policy.initialPeriod;
  let day = localDay(receivedAt, calendar).plus(period);
  if (policy.pauseStopsClock && options.pausedDays && options.pausedDays > 0) {
    day = day.plus({ days: options.pausedDays });
  }
  // Art. 3(4): only Saturdays, Sundays and public holidays move the end, never the company's own week.
  if (policy.rollToWorkingDay) day = rollToLegalWorkingDay(day, calendar);
  return day.endOf('day').toJSDate();
}

export type ExtensionDecision = { allowed: true; newDueDate: Date } | { allowed: false; reason: Said };

export function extensionAllowed(
  policy: DeadlinePolicy,
  receivedAt: Date,
  now: Date,
  calendar: OrgCalendar,
  alreadyExtended: boolean,
  pausedDays = 0,
): ExtensionDecision {
  if (!policy.extendedPeriod)
    return { allowed: false, reason: said('refusals.case.noExtension', { regulation: policy.label }) };
  if (alreadyExtended) return { allowed: false, reason: said('refusals.case.extendedOnce') };
  const firstDue = computeDueDate(policy, receivedAt, calendar, { pausedDays });
  if (now.getTime() > firstDue.getTime()) {
    return {
      allowed: false,
      reason: said('refusals.case.extensionLate', {
        ended: { day: firstDue.toISOString(), timeZone: calendar.timeZone },
      }),
    };
  }
  return { allowed: true, newDueDate: computeDueDate(policy, receivedAt, calendar, { extended: true, pausedDays }) };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * Local days already worked out, per zone and instant. A list of cases asks for each case's due
 * instant on every turn, and formatting a date in a zone costs microseconds; an instant's day in a
 * zone never changes, so a bounded memo answers the repeats.
 */
const epochDays = new Map<string, Map<number, number>>();
const EPOCH_DAYS_KEPT = 10_000;

/** The local calendar date of an instant as days since the epoch; one cached formatter per zone keeps it cheap. */
function localEpochDay(instant: Date, timeZone: string): number {
  let days = epochDays.get(timeZone);
  if (!days) {
    days = new Map();
    epochDays.set(timeZone, days);
  }
  const time = instant.getTime();
  const known = days.get(time);
  if (known !== undefined) return known;
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const day = Date.UTC(part('year'), part('month') - 1, part('day')) / DAY_MS;
  if (days.size >= EPOCH_DAYS_KEPT) days.clear();
  days.set(time, day);
  return day;
}

/** Whole calendar days between the local dates of two instants: 0 on the same day. */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  return localEpochDay(to, timeZone) - localEpochDay(from, timeZone);
}

/** Whole calendar days from today to the due day, in the organisation's zone: 0 on the day, negative when late. */
export function daysLeft(due: Date, now: Date, calendar: OrgCalendar): number {
  // Calendar dates, not instants, so a 23- or 25-hour day around a clock change still counts as one.
  return localEpochDay(due, calendar.timeZone) - localEpochDay(now, calendar.timeZone);
}

export interface WorkingHours {
  start: string;
  end: string;
}

/** The instant itself when it falls within working hours of a working day, else when the next such period starts. */
export function nextWorkingTime(instant: Date, calendar: OrgCalendar, hours: WorkingHours): Date {
  const [startHour, startMinute] = hours.start.split(':').map(Number) as [number, number];
  const [endHour, endMinute] = hours.end.split(':').map(Number) as [number, number];
  let day = localDay(instant, calendar);
  const local = DateTime.fromJSDate(instant).setZone(calendar.timeZone);
  for (let i = 0; i < 366; i += 1) {
    const opens = day.set({ hour: startHour, minute: startMinute });
    const closes = day.set({ hour: endHour, minute: endMinute });
    if (isWorkingDay(day, calendar) && local < closes) {
      return (local >= opens ? local : opens).toJSDate();
    }
    day = day.plus({ days: 1 });
  }
  return instant;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** "Mon 2 Mar 2026" in the organisation's zone. Cached per zone and locale: lists format a date per row. */
export function formatDue(due: Date, calendar: OrgCalendar, locale = 'en-GB'): string {
  const key = `${locale}|${calendar.timeZone}`;
  let format = dayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: calendar.timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
    dayFormats.set(key, format);
  }
  const parts = format.formatToParts(due);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}`;
}

import { counted } from './counted.js';
import { z } from 'zod';

/**
 * Records a deletion keeps for a legal reason, and when each reason ends. A reason is named by its
 * basis (`posted-document`, `active-employment`); the organisation sets a period per basis, because
 * which law applies, and for how long, is its own decision (GDPR Art. 17(3)(b): erasure does not
 * apply while processing is required by a legal obligation; Art. 5(1)(e): no longer than needed).
 *
 * A basis ends in one of two ways:
 * - `period`: a fixed time, counted from the record's own date or from the end of the calendar year
 *   of that date. German commercial and tax law count the latter way: HGB § 257(5) and AO § 147(4)
 *   start the period "mit dem Schluss des Kalenderjahrs" in which the document arose
 *   (https://www.gesetze-im-internet.de/hgb/__257.html, https://www.gesetze-im-internet.de/ao_1977/__147.html).
 * - `condition`: while something holds (an account enabled, a worker employed, an invoice open); the
 *   period is then how often the condition is checked again, since no date can be known in advance.
 */

export const BASIS_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
export const basisSchema = z
  .string()
  .regex(BASIS_PATTERN, 'a short name in lower case, digits and hyphens, such as posted-document');

export const KEPT_ENDS = ['period', 'condition'] as const;
export type KeptEnds = (typeof KEPT_ENDS)[number];

export const KEPT_COUNTED = ['year-end', 'date'] as const;
export type KeptCounted = (typeof KEPT_COUNTED)[number];

export interface KeptPeriod {
  amount: number;
  unit: 'y' | 'm' | 'd';
}

/** The period the organisation set for each basis. */
export type KeptPeriods = ReadonlyMap<string, KeptPeriod>;

const PERIOD = /^(\d{1,4})([ymd])$/;

/** Days a period spans at least, for comparing it with a legal minimum given in another unit. */
function shortestDays(period: KeptPeriod): number {
  return period.unit === 'y' ? period.amount * 365 : period.unit === 'm' ? period.amount * 28 : period.amount;
}
/** Days a period spans at most. */
function longestDays(period: KeptPeriod): number {
  return period.unit === 'y' ? period.amount * 366 : period.unit === 'm' ? period.amount * 31 : period.amount;
}

export function periodText(period: KeptPeriod): string {
  const unit = { y: 'year', m: 'month', d: 'day' }[period.unit];
  return counted(period.amount, unit);
}

/**
 * Reads `basis=10y, other-basis=6m` (years, months or days). Every problem is named with the
 * basis it is about; an empty text gives an empty map.
 */
export function parseKeptPeriods(text: string | undefined): { periods: Map<string, KeptPeriod>; problems: string[] } {
  const periods = new Map<string, KeptPeriod>();
  const problems: string[] = [];
  for (const part of (text ?? '').split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const [name = '', value = ''] = part.split('=').map((p) => p.trim());
    if (!BASIS_PATTERN.test(name)) {
      problems.push(`'${part}' does not start with a basis name such as posted-document=`);
      continue;
    }
    if (value.startsWith('-')) {
      problems.push(`${name}: a period cannot be negative`);
      continue;
    }
    const match = PERIOD.exec(value);
    if (!match) {
      problems.push(`${name}: give the period as years, months or days, such as 10y, 6m or 90d`);
      continue;
    }
    const amount = Number(match[1]);
    if (amount < 1) {
      problems.push(`${name}: a period of at least 1`);
      continue;
    }
    if (periods.has(name)) problems.push(`${name} is named twice`);
    periods.set(name, { amount, unit: match[2] as KeptPeriod['unit'] });
  }
  return { periods, problems };
}

/**
 * What is wrong with the periods for the bases the connectors keep records by: a basis without a
 * period, or a period shorter than the minimum the organisation set for it (certainly shorter,
 * whatever the months and years between).
 */
export function keptPeriodProblems(
  periods: KeptPeriods,
  minimums: KeptPeriods,
  bases: Iterable<string>,
): { variable: 'DSR_KEPT_PERIODS'; message: string }[] {
  const problems: { variable: 'DSR_KEPT_PERIODS'; message: string }[] = [];
  for (const basis of [...new Set(bases)].sort()) {
    if (!periods.has(basis))
      problems.push({ variable: 'DSR_KEPT_PERIODS', message: `no period for '${basis}', which a record is kept by` });
  }
  for (const [basis, minimum] of minimums) {
    const period = periods.get(basis);
    if (period && longestDays(period) < shortestDays(minimum))
      problems.push({
        variable: 'DSR_KEPT_PERIODS',
        message: `'${basis}' is ${periodText(period)}, shorter than the ${periodText(minimum)} DSR_KEPT_MIN_PERIODS sets`,
      });
  }
  return problems;
}

/**
 * The periods a local run uses when none is configured: the guide's examples, which a deployment
 * replaces with its own (it must set DSR_KEPT_PERIODS).
 */
export const LOCAL_KEPT_PERIODS = 'posted-document=10y, open-invoice=3m, active-employment=6m, enabled-account=3m';

/** One record a deletion kept, as the case holds it: ids and dates only, never what the record says. */
export interface KeptRecord {
  systemId: string;
  /** The plan step that kept it. */
  stepId: string;
  kind: string;
  /** The record's id as the findings name it. */
  id: string;
  basis: string;
  ends: KeptEnds;
  /** YYYY-MM-DD: the last day the reason holds (`period`), or the day it is checked again (`condition`). */
  until: string;
  /** The linked case that erases it, once its reason ended. */
  followUpCaseId?: string;
}

/** A record's kept-for rule, as the connector read it: the basis, and the date the period counts from. */
export interface KeptBasis {
  basis: string;
  ends: KeptEnds;
  counted: KeptCounted;
  /** YYYY-MM-DD, read from the record; absent when the record gave none. */
  documentDate?: string;
}

function addPeriod(date: Date, period: KeptPeriod): Date {
  const next = new Date(date.getTime());
  if (period.unit === 'y') next.setUTCFullYear(next.getUTCFullYear() + period.amount);
  else if (period.unit === 'm') next.setUTCMonth(next.getUTCMonth() + period.amount);
  else next.setUTCDate(next.getUTCDate() + period.amount);
  return next;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * The last day a reason holds. A period counted from the end of the year ends on 31 December of the
 * year the period reaches (an invoice of 15 March 2024 kept 10 years: 31 December 2034). Where the
 * record gave no date, the period counts from the day it was kept, which ends later, never earlier.
 * A condition is checked again one period after `from`.
 */
export function keptUntil(basis: KeptBasis, period: KeptPeriod, from: Date): string {
  if (basis.ends === 'condition') return addPeriod(from, period).toISOString().slice(0, 10);
  const dated = basis.documentDate !== undefined ? ISO_DATE.exec(basis.documentDate) : null;
  const start = dated ? new Date(Date.UTC(Number(dated[1]), Number(dated[2]) - 1, Number(dated[3]))) : from;
  if (basis.counted === 'year-end') {
    const endOfYear = new Date(Date.UTC(start.getUTCFullYear(), 11, 31));
    return addPeriod(endOfYear, period).toISOString().slice(0, 10);
  }
  return addPeriod(start, period).toISOString().slice(0, 10);
}

/** The moment a kept record falls due: the start of the day after its `until` (UTC). */
export function dueAt(record: Pick<KeptRecord, 'until'>): Date {
  return new Date(Date.parse(`${record.until}T00:00:00.000Z`) + 86_400_000);
}

/** The earliest moment a record without a follow-up falls due, as an ISO instant; undefined when none will. */
export function nextKeptDue(records: readonly KeptRecord[]): string | undefined {
  const open = records.filter((r) => r.followUpCaseId === undefined);
  if (open.length === 0) return undefined;
  return new Date(Math.min(...open.map((r) => dueAt(r).getTime()))).toISOString();
}

/** How many kept records one step may hold on the case; the rest are counted and named by a person. */
export const KEPT_PER_STEP = 1000;

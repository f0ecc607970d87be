import type { TFunction } from 'i18next';
import type { DsrCase } from '../dsr/case.js';
import type { KeptEnds, KeptRecord } from '../dsr/keptRecords.js';
import { translator, wordsOf, type Said } from '../i18n/index.js';

const plainDates = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** A plain date (YYYY-MM-DD) as the cards write it, the same day in every time zone. */
export function plainDay(date: string, t?: TFunction): string {
  if (!t) return plainDates.format(new Date(`${date}T12:00:00.000Z`));
  return t('case.kept.day', {
    date: new Date(`${date}T12:00:00.000Z`),
    formatParams: { date: { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' } },
  });
}

/** When a kept record's reason ends, in words: a fixed end, or the next check of its condition. */
export function keptEndText(record: { until?: string; ends?: KeptEnds }, t: TFunction = translator('en')): string {
  if (!record.until) return '';
  const date = plainDay(record.until, t);
  return record.ends === 'condition' ? t('case.kept.whileHolds', { date }) : t('case.kept.until', { date });
}

/** Why a record is kept: in the reader's language where the bot or a built-in system wrote the reason. */
export function keptWhy(t: TFunction, record: { reason: string; reasonSaid?: Said }): string {
  return record.reasonSaid ? wordsOf(t, record.reasonSaid) : record.reason;
}

/**
 * What the case kept for a legal reason, grouped by system, basis and end, and the cases linked to
 * it by a follow-up erasure: ids and dates only, so it reads the same after the purge.
 */
export function keptCaseLines(
  dsrCase: Pick<DsrCase, 'kept' | 'followUpOf' | 'followUps'>,
  t: TFunction = translator('en'),
): string[] {
  const lines: string[] = [];
  const groups = new Map<string, KeptRecord[]>();
  for (const record of dsrCase.kept ?? []) {
    const key = [record.systemId, record.basis, record.until, record.ends, record.followUpCaseId ?? ''].join('|');
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  for (const records of groups.values()) {
    const first = records[0]!;
    const line = t('case.kept.group', {
      count: records.length,
      system: first.systemId,
      basis: first.basis,
      end: keptEndText(first, t),
    });
    lines.push(first.followUpCaseId ? `${line} ${t('case.kept.erasedOn', { caseId: first.followUpCaseId })}` : line);
  }
  if (dsrCase.followUpOf) lines.push(t('case.kept.followUpOf', { caseId: dsrCase.followUpOf }));
  if ((dsrCase.followUps ?? []).length > 0)
    lines.push(t('case.kept.followUps', { list: dsrCase.followUps!.join(', ') }));
  return lines;
}

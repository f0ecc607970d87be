import { counted } from '../dsr/counted.js';
import type { DsrCase } from '../dsr/case.js';
import type { KeptEnds, KeptRecord } from '../dsr/keptRecords.js';

const plainDates = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** A plain date (YYYY-MM-DD) as the cards write it, the same day in every time zone. */
export function plainDay(date: string): string {
  return plainDates.format(new Date(`${date}T12:00:00.000Z`));
}

/** When a kept record's reason ends, in words: a fixed end, or the next check of its condition. */
export function keptEndText(record: { until?: string; ends?: KeptEnds }): string {
  if (!record.until) return '';
  return record.ends === 'condition'
    ? `kept while this holds, checked again on ${plainDay(record.until)}`
    : `kept until ${plainDay(record.until)}`;
}

/**
 * What the case kept for a legal reason, grouped by system, basis and end, and the cases linked to
 * it by a follow-up erasure: ids and dates only, so it reads the same after the purge.
 */
export function keptCaseLines(dsrCase: Pick<DsrCase, 'kept' | 'followUpOf' | 'followUps'>): string[] {
  const lines: string[] = [];
  const groups = new Map<string, KeptRecord[]>();
  for (const record of dsrCase.kept ?? []) {
    const key = [record.systemId, record.basis, record.until, record.ends, record.followUpCaseId ?? ''].join('|');
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  for (const records of groups.values()) {
    const first = records[0]!;
    const count = counted(records.length, 'record');
    const follow = first.followUpCaseId ? `; erased on the follow-up case ${first.followUpCaseId}` : '';
    lines.push(`${count} in ${first.systemId} kept for '${first.basis}', ${keptEndText(first)}${follow}.`);
  }
  if (dsrCase.followUpOf)
    lines.push(`Follow-up of ${dsrCase.followUpOf}: erases the records it kept, whose reason has ended.`);
  if ((dsrCase.followUps ?? []).length > 0) lines.push(`Follow-up cases: ${dsrCase.followUps!.join(', ')}.`);
  return lines;
}

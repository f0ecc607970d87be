import type { TFunction } from 'i18next';
import type { FoundRecord, IdentifierKind, SystemFindings } from '../dsr/discovery.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { humanisedColumn, ISO_INSTANT } from '../dsr/fieldNames.js';
import { personCounts, standingOf } from '../dsr/matching.js';
import { kindCount, kindName } from '../dsr/recordKinds.js';

export { kindName };

/**
 * How a record found reads to a privacy officer: each value beside the label the system's own
 * screens give it, in the officer's language and the organisation's time zone, its kind in plain
 * words. The words live in `locales/<language>/findings.json`.
 */

/** Every kind the person's records fall in, counted in words: "1 contact, 3 email participants". */
export function countsText(t: TFunction, system: SystemFindings): string {
  return Object.entries(personCounts(system))
    .map(([kind, n]) => kindCount(t, kind, n))
    .join(', ');
}

/** An instant as the organisation's clock shows it, in the reader's language and date format. */
export function localTimeText(t: TFunction, iso: string, calendar: OrgCalendar): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return t('findings.time', {
    date,
    formatParams: {
      date: {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: calendar.timeZone,
        timeZoneName: 'short',
      },
    },
  });
}

/**
 * Dataverse's participation types of an activity party (Learn, "activityparty EntityType":
 * participationtypemask 1 sender, 2 to, 3 cc, 4 bcc, 5 required attendee, 6 optional attendee,
 * 7 organizer, 8 regarding, 9 owner, 10 resource, 11 customer).
 */
const PARTICIPATION_TYPES = 11;

/** A value as a person reads it: yes/no, a local time, a participation type in words. */
export function valueText(t: TFunction, column: string, value: string, calendar: OrgCalendar): string {
  if (value === 'true') return t('findings.value.yes');
  if (value === 'false') return t('findings.value.no');
  if (ISO_INSTANT.test(value)) return localTimeText(t, value, calendar);
  if (column === 'participationtypemask' && /^\d+$/.test(value) && Number(value) <= PARTICIPATION_TYPES)
    return t(`findings.participation.${value}`);
  if (column === 'activitytypecode')
    return t(`findings.activityType.${value.replace(/[^a-z0-9]+/gi, '_')}`, { defaultValue: value });
  return value;
}

/** "Full Name: Maria Garcia · Email: maria@…": each shown value beside its label. */
export function fieldsText(
  t: TFunction,
  system: SystemFindings,
  record: FoundRecord,
  calendar: OrgCalendar,
  max = 60,
): string {
  const labels = system.labels?.[record.kind] ?? {};
  return Object.entries(record.fields)
    .filter(([, value]) => value.trim() !== '')
    .map(([column, value]) => {
      const text = valueText(t, column, value, calendar);
      return `${labels[column] ?? humanisedColumn(column)}: ${text.length > max ? `${text.slice(0, max - 1)}…` : text}`;
    })
    .join(' · ');
}

function ownerOf(system: SystemFindings, record: FoundRecord): FoundRecord | undefined {
  return record.via === undefined ? undefined : system.records.find((r) => r.id === record.via && !r.via);
}

/** "matched on email and name", "through a contact matched on email", in the reader's language. */
export function matchedText(t: TFunction, system: SystemFindings, record: FoundRecord): string {
  const main = record.via === undefined ? record : ownerOf(system, record);
  const on = (main?.matchedOn ?? []).map((identifier: IdentifierKind) => t(`findings.identifier.${identifier}`));
  const words = on.length > 0 ? on.join(t('findings.and')) : t('findings.identifier.none');
  return record.via === undefined
    ? t('findings.matchedOn', { identifiers: words })
    : t('findings.matchedThrough', { kind: kindName(t, main?.kind ?? 'record'), identifiers: words });
}

/** Where a record stands, in words: "(to confirm, matched on name)", "(not this person)". */
export function standingText(t: TFunction, system: SystemFindings, record: FoundRecord): string {
  const standing = standingOf(system, record);
  const how = matchedText(t, system, record);
  if (standing === 'rejected') return t('findings.standing.rejected');
  if (standing === 'candidate') return t('findings.standing.candidate', { how });
  return record.confirmed ? t('findings.standing.confirmed', { how }) : t('findings.standing.finding', { how });
}

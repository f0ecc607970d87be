import { DateTime } from 'luxon';
import { ISO_INSTANT } from '../../dsr/fieldNames.js';

/** How many leading records decide the CSV header; the rest must not be held, so this stays small. */
export const CSV_HEADER_SAMPLE = 100;
/**
 * Keys first seen after the header sample land here as one JSON object per row. A second pass over the source is not
 * allowed (it would fetch the system again and could see different data), so the header cannot grow; this column keeps
 * every late field without breaking the header. It is always present so the shape of the file never depends on data.
 */
export const CSV_ADDITIONAL_FIELDS = '_additionalFields';

/** Beside each date-time column, the same instant in the organisation's time zone (ISO stays the value itself). */
export const CSV_LOCAL_TIME_SUFFIX = '_localTime';

const FORMULA_START = /^'*[=+\-@\t\r]/;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  return jsonText(value);
}

/**
 * One CSV cell, RFC 4180 quoted. A string that a spreadsheet would run as a formula gets one leading apostrophe;
 * strings that already start with apostrophes before such a character get one more, so a reader strips exactly one
 * apostrophe from any cell matching /^'+[=+\-@\t\r]/ and gets the original back.
 */
export function csvCell(value: unknown): string {
  let cell = text(value);
  if (typeof value === 'string' && FORMULA_START.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** JSON that tolerates bigint, which plain JSON.stringify refuses. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return (
      JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)) ?? 'null'
    );
  }
}

/** An ISO instant as a spreadsheet shows a local time, in one zone; '' for anything else. */
export function localTime(value: unknown, timeZone: string): string {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return '';
  const instant = DateTime.fromISO(value, { zone: 'utc' }).setZone(timeZone);
  return instant.isValid ? instant.toFormat('yyyy-MM-dd HH:mm:ss') : '';
}

/**
 * Turns records into CSV text; the header is written once the sample is full or the records end.
 * A column whose sampled values are date-times gets a second column beside it with the local time
 * (`<column>_localTime`), so a reader in Excel sees the time of day they lived it.
 */
export class CsvEncoder {
  private pending: Array<Record<string, unknown>> | undefined = [];
  private columns: string[] = [];
  private known = new Set<string>();
  private extraColumn = CSV_ADDITIONAL_FIELDS;
  /** The local-time column's name for each date-time column. */
  private local = new Map<string, string>();

  constructor(private readonly timeZone = 'UTC') {}

  /** The columns of the file as written, each date-time one followed by its local-time column. */
  localColumns(): ReadonlyMap<string, string> {
    return this.local;
  }

  push(record: Record<string, unknown>): string {
    if (this.pending) {
      this.pending.push(record);
      return this.pending.length >= CSV_HEADER_SAMPLE ? this.flushSample() : '';
    }
    return this.row(record);
  }

  finish(): string {
    return this.pending ? this.flushSample() : '';
  }

  private flushSample(): string {
    const sample = this.pending ?? [];
    this.pending = undefined;
    if (sample.length === 0) return '';
    for (const record of sample) for (const key of Object.keys(record)) this.known.add(key);
    this.columns = [...this.known];
    while (this.known.has(this.extraColumn)) this.extraColumn = `_${this.extraColumn}`;
    const taken = new Set([...this.known, this.extraColumn]);
    for (const column of this.columns) {
      if (!sample.some((record) => localTime(record[column], this.timeZone) !== '')) continue;
      let name = `${column}${CSV_LOCAL_TIME_SUFFIX}`;
      while (taken.has(name)) name = `_${name}`;
      taken.add(name);
      this.local.set(column, name);
    }
    const header = this.columns.flatMap((column) => [
      column,
      ...(this.local.has(column) ? [this.local.get(column)!] : []),
    ]);
    let out = `${[...header, this.extraColumn].map(csvCell).join(',')}\r\n`;
    for (const record of sample) out += this.row(record);
    return out;
  }

  private row(record: Record<string, unknown>): string {
    let out = '';
    for (const column of this.columns) {
      out += `${csvCell(record[column])},`;
      if (this.local.has(column)) out += `${csvCell(localTime(record[column], this.timeZone))},`;
    }
    let extra: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      if (this.known.has(key)) continue;
      extra ??= {};
      extra[key] = record[key];
    }
    return `${out}${extra ? csvCell(jsonText(extra)) : ''}\r\n`;
  }
}

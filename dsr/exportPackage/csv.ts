/** How many leading records decide the CSV header; the rest must not be held, so this stays small. */
export const CSV_HEADER_SAMPLE = 100;
/**
 * Keys first seen after the header sample land here as one JSON object per row. A second pass over the source is not
 * allowed (it would fetch the system again and could see different data), so the header cannot grow; this column keeps
 * every late field without breaking the header. It is always present so the shape of the file never depends on data.
 */
export const CSV_ADDITIONAL_FIELDS = '_additionalFields';

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

/** Turns records into CSV text; the header is written once the sample is full or the records end. */
export class CsvEncoder {
  private pending: Array<Record<string, unknown>> | undefined = [];
  private columns: string[] = [];
  private known = new Set<string>();
  private extraColumn = CSV_ADDITIONAL_FIELDS;

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
    let out = `${[...this.columns, this.extraColumn].map(csvCell).join(',')}\r\n`;
    for (const record of sample) out += this.row(record);
    return out;
  }

  private row(record: Record<string, unknown>): string {
    let out = '';
    for (const column of this.columns) out += `${csvCell(record[column])},`;
    let extra: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      if (this.known.has(key)) continue;
      extra ??= {};
      extra[key] = record[key];
    }
    return `${out}${extra ? csvCell(jsonText(extra)) : ''}\r\n`;
  }
}

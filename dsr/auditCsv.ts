import type { AuditEvent } from './audit.js';

const COLUMNS = [
  'seq',
  'at',
  'caseId',
  'action',
  'outcome',
  'actorId',
  'actorName',
  'version',
  'detail',
  'prevHash',
  'hash',
] as const;

/** RFC 4180 quoting; a leading formula character is neutralised so a spreadsheet never runs a cell. */
export function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A case's trail as CSV, line by line, with the hashes so the export can be checked against the
 * chain. The trail keeps ids; `nameOf` adds the person's name beside each id, found when exported.
 */
export async function* auditCsv(
  events: AsyncIterable<AuditEvent>,
  nameOf: (actorId: string) => string = () => '',
): AsyncGenerator<string> {
  yield `${COLUMNS.join(',')}\r\n`;
  for await (const event of events) {
    const row = { ...event, actorName: nameOf(event.actorId) };
    yield `${COLUMNS.map((column) => cell(row[column])).join(',')}\r\n`;
  }
}

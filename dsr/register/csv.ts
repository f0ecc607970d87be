import { cell } from '../auditCsv.js';
import type { RegisterRow } from './row.js';

const COLUMNS = [
  'caseId',
  'regulation',
  'rights',
  'systems',
  'status',
  'receivedAt',
  'dueAt',
  'answeredAt',
  'outcome',
  'daysTaken',
  'onTime',
] as const;

function values(row: RegisterRow): unknown[] {
  return [
    row.id,
    row.regulation,
    row.rights.join(' '),
    row.systems.map((system) => system.name).join('; '),
    row.status,
    row.receivedAt,
    row.dueAt,
    row.answeredAt,
    row.outcome,
    row.daysTaken,
    row.onTime === null ? '' : row.onTime ? 'yes' : 'no',
  ];
}

/**
 * The register as CSV, line by line. The data subject's name is a last column only when a lookup
 * is given (a team member asked for it); a case purged after its retention has none left to give.
 */
export async function* registerCsv(
  rows: Iterable<RegisterRow>,
  subjectName?: (caseId: string) => Promise<string | undefined>,
): AsyncGenerator<string> {
  const header: string[] = [...COLUMNS];
  if (subjectName) header.push('subjectName');
  yield `${header.join(',')}\r\n`;
  for (const row of rows) {
    const line = values(row);
    if (subjectName) line.push((await subjectName(row.id)) ?? '');
    yield `${line.map(cell).join(',')}\r\n`;
  }
}

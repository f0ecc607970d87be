import type { TFunction } from 'i18next';
import { DateTime } from 'luxon';
import { humanisedColumn } from '../../dsr/fieldNames.js';
import { kindCount } from '../../dsr/recordKinds.js';
import { csvCell } from './csv.js';
import type { ExportManifest } from './types.js';

export const README_FILE = 'README.txt';
export const COLUMNS_FILE = 'columns.csv';

/** The texts of the package in the data subject's language, and the zone its local times are in. */
export interface PackageTexts {
  t: TFunction;
  timeZone: string;
}

/** One file base (`dataverse/contact`) with the columns its records had and how each is labelled. */
export interface DescribedFile {
  base: string;
  columns: string[];
  /** Date-time column to the local-time column the CSV adds beside it. */
  local: ReadonlyMap<string, string>;
  labels: Record<string, string>;
}

/** "2026-03-10T12:00:00.000Z" as the reader's local time, with the ISO form beside it. */
export function localAndIso(iso: string, timeZone: string): string {
  const local = DateTime.fromISO(iso, { zone: 'utc' }).setZone(timeZone);
  return local.isValid ? `${local.toFormat('yyyy-MM-dd HH:mm')} ${timeZone} (${iso})` : iso;
}

export function categoryWords(t: TFunction, categories: readonly string[]): string {
  return categories.map((category) => t(`package.category.${category}`, { defaultValue: category })).join(', ');
}

/**
 * README.txt: what each file of the package holds, in the data subject's language, for a reader
 * who opens the ZIP and has never seen a CSV or JSON file made by a business system.
 */
export function readmeText(manifest: ExportManifest, { t, timeZone }: PackageTexts): string {
  const lines: string[] = [];
  const title = t('package.readme.title');
  lines.push(title, '='.repeat(title.length), '');
  lines.push(
    t('package.readme.intro', {
      subject: manifest.subject,
      caseId: manifest.caseId,
      extracted: localAndIso(manifest.extractedAt, timeZone),
      count: manifest.totalRecords,
    }),
    '',
  );
  lines.push(t('package.readme.filesHeading'), '');
  lines.push(`- summary.html: ${t('package.readme.summaryFile')}`);
  lines.push(`- ${README_FILE}: ${t('package.readme.readmeFile')}`);
  if (manifest.totalRecords > 0) lines.push(`- ${COLUMNS_FILE}: ${t('package.readme.columnsFile')}`);
  lines.push(`- manifest.json: ${t('package.readme.manifestFile')}`, '');
  for (const system of manifest.systems) {
    lines.push(system.systemName);
    if (system.kinds.length === 0) lines.push(`  ${t('package.readme.nothingFound')}`);
    for (const kind of system.kinds) {
      const files = kind.files.map((file) => file.path).join(', ');
      lines.push(
        `- ${files}: ${t('package.readme.kindFile', {
          records: kindCount(t, kind.kind, kind.records),
          categories: categoryWords(t, kind.categories),
        })}`,
      );
    }
    lines.push('');
  }
  lines.push(t('package.readme.formatsHeading'), '');
  for (const format of manifest.formats)
    lines.push(`- ${format.toUpperCase()}: ${t(`package.readme.format.${format}`)}`);
  lines.push('', t('package.readme.times', { timeZone }), '');
  if (manifest.exclusions.length > 0) {
    lines.push(t('package.readme.notIncludedHeading'), '');
    for (const item of manifest.exclusions) lines.push(`- ${item.system}: ${item.reason}`);
    lines.push('');
  }
  lines.push(t('package.readme.questions'), '');
  // CRLF: Notepad on older Windows shows a file with bare LF as one line.
  return lines.join('\r\n');
}

/**
 * columns.csv: every column of every file beside the label the system's own screens give it, so a
 * reader of `createdon` or `_parentcustomerid_value` in Excel can look up "Created On" or "Company Name".
 */
export function columnsCsv(files: readonly DescribedFile[], { t, timeZone }: PackageTexts): string {
  const rows: string[][] = [[t('package.columns.file'), t('package.columns.column'), t('package.columns.label')]];
  for (const file of files) {
    for (const column of file.columns) {
      const label = file.labels[column] ?? humanisedColumn(column);
      rows.push([file.base, column, label]);
      const local = file.local.get(column);
      if (local) rows.push([file.base, local, t('package.columns.localTime', { label, timeZone })]);
    }
  }
  // A byte order mark, so Excel opens the UTF-8 file with its accents intact.
  return `\uFEFF${rows.map((row) => row.map((cell) => csvCell(cell)).join(',')).join('\r\n')}\r\n`;
}

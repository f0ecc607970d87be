import { createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { ZipFile } from 'yazl';
import { z } from 'zod';
import { CSV_ADDITIONAL_FIELDS, CSV_HEADER_SAMPLE, CSV_LOCAL_TIME_SUFFIX, CsvEncoder, jsonText } from './csv.js';
import { DateTime } from 'luxon';
import { translator } from '../../i18n/index.js';
import { COLUMNS_FILE, columnsCsv, README_FILE, readmeText, type DescribedFile } from './readme.js';
import { summaryHtml } from './summary.js';
import type {
  ExportFormat,
  ExportManifest,
  ExportPackageOptions,
  ExportPackageResult,
  ManifestKind,
  ManifestSystem,
  RecordSource,
} from './types.js';
import { XmlEncoder } from './xml.js';

const FLUSH_CHARS = 64 * 1024;

const optionsSchema = z.object({
  caseId: z.string().min(1),
  subjectLabel: z.string(),
  sources: z.array(
    z.object({
      system: z.string().min(1),
      systemName: z.string().min(1),
      kind: z.string().min(1),
      categories: z.array(z.string()).optional(),
      labels: z.record(z.string(), z.string()).optional(),
      records: z.custom<RecordSource['records']>((value) => typeof value === 'function', 'records must be a function'),
    }),
  ),
  exclusions: z.array(z.object({ system: z.string().min(1), reason: z.string().min(1) })).default([]),
  formats: z
    .array(z.enum(['json', 'csv', 'xml']))
    .min(1)
    .default(['json', 'csv'])
    .transform((formats) => [...new Set(formats)]),
  extractedAt: z.date().refine((date) => !Number.isNaN(date.getTime()), 'extractedAt must be a valid date'),
  out: z.union([
    z.string().min(1),
    z.custom<Writable>((value) => value instanceof Writable, 'out must be a path or a writable stream'),
  ]),
  spoolDir: z.string().min(1).optional(),
  onSystemWritten: z
    .custom<NonNullable<ExportPackageOptions['onSystemWritten']>>(
      (value) => typeof value === 'function',
      'onSystemWritten must be a function',
    )
    .optional(),
  language: z.string().max(20).optional(),
  timeZone: z
    .string()
    .refine((zone) => DateTime.local().setZone(zone).isValid, 'timeZone must be an IANA time zone')
    .default('UTC'),
});

/** Thrown when the package could not be completed; the message names the system but never any record content. */
export class ExportPackageError extends Error {}

interface Encoder {
  begin(): string;
  push(record: Record<string, unknown>): string;
  finish(): string;
  /** CSV only: the local-time column beside each date-time column. */
  localColumns?: () => ReadonlyMap<string, string>;
}

class JsonEncoder implements Encoder {
  private first = true;
  begin(): string {
    return '[';
  }
  push(record: Record<string, unknown>): string {
    const prefix = this.first ? '\n' : ',\n';
    this.first = false;
    return prefix + jsonText(record);
  }
  finish(): string {
    return this.first ? ']\n' : '\n]\n';
  }
}

function encoderFor(format: ExportFormat, source: RecordSource, timeZone: string): Encoder {
  if (format === 'json') return new JsonEncoder();
  if (format === 'xml') return new XmlEncoder(source.system, source.kind);
  const csv = new CsvEncoder(timeZone);
  return {
    begin: () => '',
    push: (record) => csv.push(record),
    finish: () => csv.finish(),
    localColumns: () => csv.localColumns(),
  };
}

/** Columns listed per file in columns.csv, at most: a record with more keys is an odd one, not a reason to grow. */
const MAX_COLUMNS_LISTED = 2000;

/**
 * Batches small strings into large writes and waits for the stream to drain, so memory stays flat however many
 * records pass through. `failed` settles when the package as a whole has failed, so a wait never outlives it.
 */
class Sink {
  private buffer = '';
  constructor(
    private readonly stream: Writable,
    private readonly failed: Promise<never>,
  ) {}

  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= FLUSH_CHARS) await this.flush();
  }

  async end(): Promise<void> {
    await this.flush();
    const done = new Promise<void>((resolve) => this.stream.once('finish', () => resolve()));
    this.stream.end();
    await Promise.race([done, this.failed]);
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) {
      await Promise.race([new Promise<void>((resolve) => this.stream.once('drain', () => resolve())), this.failed]);
    }
  }
}

function closed(stream: Writable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

/** A file or folder name that is safe in every unzip tool: no separators, no dot-only names, bounded length. */
function segment(value: string): string {
  const cleaned = value
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 80);
  return cleaned.length > 0 ? cleaned : 'unnamed';
}

const EXTENSIONS: Record<ExportFormat, string> = { json: 'json', csv: 'csv', xml: 'xml' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes the access/portability package as a ZIP: per system and record kind one file per chosen format, then
 * `manifest.json` and `summary.html` (written last because counts are only known at the end). Each source is read
 * exactly once: the first format streams straight into the ZIP, further formats are spooled to private temporary files
 * and added right after, so every format shows the same records. If anything fails, the promise rejects, a path target
 * is never created (the temporary file is removed) and a stream target is destroyed without finishing, so a partial
 * package is never mistaken for a complete one.
 */
export async function writeExportPackage(input: ExportPackageOptions): Promise<ExportPackageResult> {
  const options = optionsSchema.parse(input);
  const formats = options.formats;
  const target = options.out;
  const spool = formats.length > 1 ? await mkdtemp(join(options.spoolDir ?? tmpdir(), 'dsr-export-')) : undefined;
  const partialPath = typeof target === 'string' ? `${target}.${process.pid}.${Date.now()}.partial` : undefined;
  const destination: Writable =
    typeof target === 'string' ? createWriteStream(partialPath!, { flags: 'wx', mode: 0o600 }) : target;
  const open = new Set<Writable>();

  const zip = new ZipFile();
  let rejectFailed: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => undefined);
  const onError = (error: unknown): void => rejectFailed(error);
  destination.on('error', onError);
  zip.on('error', onError);
  const finished = new Promise<void>((resolve) => destination.once(partialPath ? 'close' : 'finish', () => resolve()));
  let bytes = 0;
  zip.outputStream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  zip.outputStream.pipe(destination);

  const systems: ManifestSystem[] = [];
  const described: DescribedFile[] = [];
  const usedPaths = new Set<string>();
  const uniquePath = (base: string, ext: string): string => {
    let candidate = `${base}.${ext}`;
    for (let n = 2; usedPaths.has(candidate.toLowerCase()); n += 1) candidate = `${base}-${n}.${ext}`;
    usedPaths.add(candidate.toLowerCase());
    return candidate;
  };
  const mtime = options.extractedAt;
  // A system's part is written once its last source is.
  const lastSourceOf = new Map(options.sources.map((source, index) => [source.system, index]));
  const written = async (system: string, index: number): Promise<void> => {
    if (lastSourceOf.get(system) === index) await options.onSystemWritten?.(system);
  };

  try {
    for (const [index, source] of options.sources.entries()) {
      const systemOf = (): ManifestSystem => {
        let system = systems.find((known) => known.system === source.system);
        if (!system) {
          system = { system: source.system, systemName: source.systemName, records: 0, kinds: [] };
          systems.push(system);
        }
        return system;
      };
      // Only errors from the source are reported as a failed read; a failing destination keeps its own error.
      const iterator = source.records()[Symbol.asyncIterator]();
      let count = 0;
      const next = async (): Promise<IteratorResult<Record<string, unknown>>> => {
        try {
          return await iterator.next();
        } catch (error) {
          throw new ExportPackageError(`Reading ${source.system} ${source.kind} failed after ${count} records`, {
            cause: error,
          });
        }
      };
      // A kind with nothing in it gets no file: the system still shows in the summary, with nothing found.
      const first = await next();
      if (first.done) {
        systemOf();
        await written(source.system, index);
        continue;
      }
      const folder = segment(source.system);
      const base = `${folder}/${segment(source.kind)}`;
      const paths = formats.map((format) => uniquePath(base, EXTENSIONS[format]));
      const encoders = formats.map((format) => encoderFor(format, source, options.timeZone));
      const entry = new PassThrough({ highWaterMark: 256 * 1024 });
      zip.addReadStream(entry, paths[0]!, { mtime });
      const spooled = formats.slice(1).map((_format, i) => join(spool!, `${index}-${i + 1}`));
      const streams: Writable[] = [
        entry,
        ...spooled.map((path) => createWriteStream(path, { flags: 'wx', mode: 0o600 })),
      ];
      for (const stream of streams) {
        stream.on('error', onError);
        open.add(stream);
      }
      const sinks = streams.map((stream) => new Sink(stream, failed));
      const columns = new Set<string>();

      for (let i = 0; i < sinks.length; i += 1) await sinks[i]!.write(encoders[i]!.begin());
      try {
        for (let step: IteratorResult<Record<string, unknown>> = first; !step.done; step = await next()) {
          if (!isRecord(step.value)) throw new ExportPackageError(`A record from ${source.system} is not an object`);
          count += 1;
          if (columns.size < MAX_COLUMNS_LISTED) for (const key of Object.keys(step.value)) columns.add(key);
          for (let i = 0; i < sinks.length; i += 1) await sinks[i]!.write(encoders[i]!.push(step.value));
        }
      } catch (error) {
        // Lets the source close its connection or cursor; it may already be finished, so its answer does not matter.
        await Promise.resolve(iterator.return?.()).catch(() => undefined);
        throw error;
      }
      for (let i = 0; i < sinks.length; i += 1) {
        await sinks[i]!.write(encoders[i]!.finish());
        await sinks[i]!.end();
        open.delete(streams[i]!);
      }
      spooled.forEach((path, i) => zip.addFile(path, paths[i + 1]!, { mtime }));

      const kind: ManifestKind = {
        kind: source.kind,
        categories: source.categories ?? [],
        records: count,
        files: formats.map((format, i) => ({ path: paths[i]!, format, records: count })),
      };
      const local = encoders.find((encoder) => encoder.localColumns)?.localColumns?.() ?? new Map<string, string>();
      described.push({ base, columns: [...columns], local, labels: source.labels ?? {} });
      const system = systemOf();
      system.records += count;
      system.kinds.push(kind);
      await written(source.system, index);
    }

    const manifest: ExportManifest = {
      packageFormat: 'dsr-export/1',
      caseId: options.caseId,
      subject: options.subjectLabel,
      extractedAt: options.extractedAt.toISOString(),
      formats,
      complete: true,
      totalRecords: systems.reduce((sum, system) => sum + system.records, 0),
      systems,
      exclusions: options.exclusions,
      conventions: {
        json: 'An array of records, one object per record, as the system returned them, less OData control information (@odata.*).',
        csv:
          `RFC 4180, UTF-8, CRLF. The header comes from the first ${CSV_HEADER_SAMPLE} records; fields first seen later ` +
          `are in the last column (${CSV_ADDITIONAL_FIELDS}) as a JSON object. Nested values are JSON. A text value ` +
          `that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return, after any ` +
          `apostrophes) has one apostrophe added in front; remove one to get the original. A column of date-times is ` +
          `followed by <column>${CSV_LOCAL_TIME_SUFFIX}: the same instant in ${options.timeZone}, as YYYY-MM-DD HH:mm:ss.`,
        xml:
          'UTF-8. <records> holds one <record> per record and one element per field. A key that is not a valid ' +
          'element name is renamed and kept in a key attribute. Non-text values carry a type attribute (number, ' +
          'boolean, null, array, object); array items are <item> elements. Characters XML cannot hold are U+FFFD.',
      },
    };
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json', { mtime });
    const t = translator(options.language);
    const texts = { t, timeZone: options.timeZone };
    zip.addBuffer(Buffer.from(summaryHtml(manifest, texts)), 'summary.html', { mtime });
    zip.addBuffer(Buffer.from(readmeText(manifest, texts)), README_FILE, { mtime });
    if (described.length > 0) zip.addBuffer(Buffer.from(columnsCsv(described, texts)), COLUMNS_FILE, { mtime });
    zip.end();
    await Promise.race([finished, failed]);
    if (partialPath) await rename(partialPath, target as string);
    return { manifest, bytes };
  } catch (error) {
    // Destroyed without an error argument: the caller already gets the rejection, and an 'error' event on a stream
    // it owns could crash a process that has no listener. A stream target sees 'close' without 'finish'.
    zip.outputStream.unpipe(destination);
    const files = [...open].filter((stream) => stream !== destination && !(stream instanceof PassThrough));
    for (const stream of open) stream.destroy();
    destination.destroy();
    // A file stream may still be opening; removing the file before it has closed would let the open create it again.
    await Promise.all([...files, ...(partialPath ? [destination] : [])].map(closed));
    if (partialPath) await unlink(partialPath).catch(() => undefined);
    throw error;
  } finally {
    destination.off('error', onError);
    if (spool) await rm(spool, { recursive: true, force: true });
  }
}

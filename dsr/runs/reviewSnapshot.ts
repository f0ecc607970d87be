import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { counted } from '../counted.js';
import {
  writeExportPackage,
  type Exclusion,
  type ExportFormat,
  type RecordSource,
} from '../../storage/exportPackage/index.js';
import {
  EXCLUSION_GROUND_LABELS,
  redactedRecord,
  reviewRecordId,
  type PackageReview,
  type ReviewRedaction,
} from '../packageReview.js';

/**
 * The records of a package frozen for its review, one JSON line per record and one file per system
 * and kind, under `<dir>/<case>/review-<snapshot>/`. The officer reviews exactly these records and
 * the package the subject receives is rebuilt from them, so nothing the systems gained or changed
 * since reaches the person unreviewed. Released packages live beside it as `<dir>/<case>/<id>.zip`;
 * the case's folder goes with its purge.
 */
export interface SnapshotSource {
  system: string;
  systemName: string;
  kind: string;
  categories: string[];
  /** Each column's label as the system shows it, for the released package's column list. */
  labels?: Record<string, string>;
  file: string;
  records: number;
}

export interface SnapshotIndex {
  snapshotId: string;
  sources: SnapshotSource[];
  /** What the package said it does not contain, carried over to the released one. */
  exclusions: Exclusion[];
}

const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

function caseDir(dir: string, caseId: string): string {
  if (!SAFE_ID.test(caseId)) throw new Error('not a case id');
  return join(dir, caseId);
}

function snapshotDir(dir: string, caseId: string, snapshotId: string): string {
  if (!SAFE_ID.test(snapshotId)) throw new Error('not a snapshot id');
  return join(caseDir(dir, caseId), `review-${snapshotId}`);
}

export function releasedPackagePath(dir: string, caseId: string, packageId: string): string {
  if (!SAFE_ID.test(packageId)) throw new Error('not a package id');
  return join(caseDir(dir, caseId), `${packageId}.zip`);
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Copies every record the package reads into the snapshot as it streams by: the systems are read
 * once, for the package and the review together. Written under a temporary name and renamed when
 * complete, so a snapshot is whole or absent.
 */
export class SnapshotWriter {
  private readonly sources: SnapshotSource[] = [];
  private readonly partial: string;
  private readonly streams: WriteStream[] = [];

  constructor(
    private readonly dir: string,
    private readonly caseId: string,
    readonly snapshotId: string,
  ) {
    this.partial = `${snapshotDir(dir, caseId, snapshotId)}.partial`;
  }

  async open(): Promise<void> {
    await mkdir(this.partial, { recursive: true, mode: 0o700 });
  }

  wrap(source: RecordSource): RecordSource {
    const entry: SnapshotSource = {
      system: source.system,
      systemName: source.systemName,
      kind: source.kind,
      categories: source.categories ?? [],
      ...(source.labels ? { labels: source.labels } : {}),
      file: `${this.sources.length}.jsonl`,
      records: 0,
    };
    this.sources.push(entry);
    const path = join(this.partial, entry.file);
    const streams = this.streams;
    return {
      ...source,
      records: async function* () {
        const out = createWriteStream(path, { flags: 'w', mode: 0o600 });
        streams.push(out);
        for await (const record of source.records()) {
          await write(out, `${JSON.stringify(record)}\n`);
          entry.records += 1;
          yield record;
        }
        out.end();
        await once(out, 'close');
      },
    };
  }

  async finish(exclusions: Exclusion[]): Promise<number> {
    const index: SnapshotIndex = { snapshotId: this.snapshotId, sources: this.sources, exclusions };
    await writeFile(join(this.partial, 'index.json'), JSON.stringify(index), { mode: 0o600 });
    await rename(this.partial, snapshotDir(this.dir, this.caseId, this.snapshotId));
    return this.sources.reduce((sum, s) => sum + s.records, 0);
  }

  async abort(): Promise<void> {
    for (const stream of this.streams) stream.destroy();
    await rm(this.partial, { recursive: true, force: true });
  }
}

export async function snapshotIndex(
  dir: string,
  caseId: string,
  snapshotId: string,
): Promise<SnapshotIndex | undefined> {
  try {
    const text = await readFile(join(snapshotDir(dir, caseId, snapshotId), 'index.json'), 'utf8');
    return JSON.parse(text) as SnapshotIndex;
  } catch {
    return undefined;
  }
}

async function* snapshotRecords(
  dir: string,
  caseId: string,
  snapshotId: string,
  source: SnapshotSource,
): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({
    input: createReadStream(join(snapshotDir(dir, caseId, snapshotId), source.file), 'utf8'),
    crlfDelay: Infinity,
  });
  try {
    for await (const line of lines) if (line) yield JSON.parse(line) as Record<string, unknown>;
  } finally {
    lines.close();
  }
}

export interface SnapshotRecord {
  recordId: string;
  record: Record<string, unknown>;
}

/** One page of one system and kind, read line by line: only the page is held. */
export async function snapshotPage(
  dir: string,
  index: SnapshotIndex,
  caseId: string,
  sourceIndex: number,
  from: number,
  count: number,
): Promise<SnapshotRecord[]> {
  const source = index.sources[sourceIndex];
  if (!source) return [];
  const page: SnapshotRecord[] = [];
  let position = 0;
  for await (const record of snapshotRecords(dir, caseId, index.snapshotId, source)) {
    if (position >= from + count) break;
    if (position >= from) page.push({ recordId: reviewRecordId(source.system, source.kind, position), record });
    position += 1;
  }
  return page;
}

/** Where a record id points in the snapshot: its source, and its position there. */
export function locate(index: SnapshotIndex, recordId: string): { source: number; position: number } | undefined {
  const match = /^(.+)\/(.+)\/(\d+)$/.exec(recordId);
  if (!match) return undefined;
  const position = Number(match[3]);
  const source = index.sources.findIndex((s) => s.system === match[1] && s.kind === match[2]);
  if (source < 0 || position >= index.sources[source]!.records) return undefined;
  return { source, position };
}

export interface ReleasedPackage {
  packageId: string;
  path: string;
  records: number;
  bytes: number;
}

/**
 * Rebuilds the package from the reviewed snapshot, streaming as the first build did: withheld
 * records left out, redactions applied, and what was withheld stated in general terms in the
 * package's own "not included" list (how many records, on which grounds; never which).
 */
export async function buildReleasedPackage(
  dir: string,
  caseId: string,
  subjectLabel: string,
  review: PackageReview,
  now: Date,
  formats: ExportFormat[] = ['json', 'csv'],
  /** The subject's language and the organisation's zone, as the prepared package had them. */
  reader: { language?: string; timeZone?: string } = {},
): Promise<ReleasedPackage> {
  const index = await snapshotIndex(dir, caseId, review.snapshotId);
  if (!index) throw new Error('The reviewed snapshot is gone; prepare the package again.');
  const withheld = new Set(review.exclusions.map((e) => e.recordId));
  const redactions = new Map<string, ReviewRedaction[]>();
  for (const r of review.redactions) redactions.set(r.recordId, [...(redactions.get(r.recordId) ?? []), r]);
  const sources: RecordSource[] = index.sources.map((source) => ({
    system: source.system,
    systemName: source.systemName,
    kind: source.kind,
    categories: source.categories,
    ...(source.labels ? { labels: source.labels } : {}),
    records: async function* () {
      let position = 0;
      for await (const record of snapshotRecords(dir, caseId, index.snapshotId, source)) {
        const id = reviewRecordId(source.system, source.kind, position);
        position += 1;
        if (withheld.has(id)) continue;
        yield redactedRecord(record, redactions.get(id) ?? []);
      }
    },
  }));
  const exclusions: Exclusion[] = [...index.exclusions];
  for (const source of [...new Set(index.sources.map((s) => s.system))]) {
    const prefix = `${source}/`;
    const mine = review.exclusions.filter((e) => e.recordId.startsWith(prefix));
    if (mine.length > 0) {
      const grounds = [...new Set(mine.map((e) => EXCLUSION_GROUND_LABELS[e.ground]))].join('; ');
      exclusions.push({
        system: source,
        reason: `${counted(mine.length, 'record')} withheld on these grounds: ${grounds}.`,
      });
    }
    const redacted = new Set(review.redactions.filter((r) => r.recordId.startsWith(prefix)).map((r) => r.recordId));
    if (redacted.size > 0) {
      exclusions.push({
        system: source,
        reason: `Passages in ${counted(redacted.size, 'record')} were redacted to protect others; they read [redacted].`,
      });
    }
  }
  const packageId = randomUUID();
  await mkdir(caseDir(dir, caseId), { recursive: true, mode: 0o700 });
  const path = releasedPackagePath(dir, caseId, packageId);
  const result = await writeExportPackage({
    caseId,
    subjectLabel,
    sources,
    exclusions,
    extractedAt: now,
    out: path,
    formats,
    ...(reader.language ? { language: reader.language } : {}),
    ...(reader.timeZone ? { timeZone: reader.timeZone } : {}),
  });
  return { packageId, path, records: result.manifest.totalRecords, bytes: result.bytes };
}

/** The released package file, if it is still there. */
export async function releasedPackageFile(
  dir: string,
  caseId: string,
  packageId: string,
): Promise<{ path: string; bytes: number } | undefined> {
  const path = releasedPackagePath(dir, caseId, packageId);
  const info = await stat(path).catch(() => undefined);
  return info ? { path, bytes: info.size } : undefined;
}

/** Deletes the snapshots and released packages of a case; for its purge. */
export async function forgetCaseReleases(dir: string, caseId: string): Promise<void> {
  await rm(caseDir(dir, caseId), { recursive: true, force: true });
}

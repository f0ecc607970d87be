import { randomUUID } from 'node:crypto';
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DsrCase } from '../case.js';
import { counted } from '../counted.js';
import { searchQueryFor, type Connector } from '../discovery.js';
import {
  writeExportPackage,
  type Exclusion,
  type ExportFormat,
  type ExportManifest,
  type RecordSource,
} from '../../storage/exportPackage/index.js';
import { isControlInformation } from '../fieldNames.js';
import { selectionOf } from '../matching.js';
import { LOGS_SYSTEM_ID } from '../plan.js';
import type { Clock } from '../clock.js';
import { SnapshotWriter } from './reviewSnapshot.js';
import { PROGRESS_EVERY_MS, ThrottledProgress, type OnProgress } from './runProgress.js';

// The formats a package comes in, for the cards that offer them without reaching into storage.
export type { ExportFormat };

const PACKAGE_ID = /^[0-9a-f-]{36}$/;

export const EXPORT_FORMATS = ['json', 'csv', 'xml'] as const satisfies readonly ExportFormat[];

export function isPackageId(text: string): boolean {
  return PACKAGE_ID.test(text);
}

export function packagePath(dir: string, caseId: string, packageId: string): string {
  return join(dir, `${caseId}-${packageId}.zip`);
}

/** How far a package has come: the systems whose part is written, of the systems with a part in it. */
export interface PackageProgress {
  done: number;
  total: number;
}

export interface PreparedPackage {
  packageId: string;
  path: string;
  manifest: ExportManifest;
  bytes: number;
}

/**
 * Streams every record the connected systems hold about the person into one package file; records
 * marked "not this person" stay out, and every system left out is named in the manifest with why.
 */
export async function preparePackage(
  dsrCase: DsrCase,
  connectors: Connector[],
  dir: string,
  now: Date,
  /** `snapshot`: also keeps every record read for the review before release (see reviewSnapshot.ts). */
  /** `timeZone`: the organisation's, for the local times beside each ISO time. */
  /** `onProgress`: told as each system's part is written, at most every `progressEveryMs`. */
  options: {
    signal?: AbortSignal;
    formats?: ExportFormat[];
    snapshot?: SnapshotWriter;
    timeZone?: string;
    onProgress?: OnProgress<PackageProgress>;
    progressEveryMs?: number;
  } = {},
): Promise<PreparedPackage> {
  const { signal } = options;
  const query = dsrCase.findings?.query ?? searchQueryFor(dsrCase.subject);
  const sources: RecordSource[] = [];
  const exclusions: Exclusion[] = [];
  for (const connector of connectors) {
    const { id, displayName } = connector.info;
    if (id === LOGS_SYSTEM_ID) {
      exclusions.push({ system: id, reason: 'System-generated logs are exported through the Data Log Export.' });
      continue;
    }
    const findings = dsrCase.findings?.systems.find((s) => s.systemId === id);
    if (!connector.connected || !connector.exportRecords || !connector.info.capabilities.includes('export')) {
      exclusions.push({ system: id, reason: `${displayName} is not connected; its data is gathered by hand.` });
      continue;
    }
    if (findings?.status !== 'found') {
      if (findings?.status === 'failed')
        exclusions.push({ system: id, reason: `${displayName} could not be searched; search it again.` });
      continue;
    }
    // Only the person's records: strong matches and confirmed candidates, never a namesake.
    const exported = await connector.exportRecords(query, selectionOf(findings), signal);
    for (const kind of exported) {
      sources.push({
        system: id,
        systemName: displayName,
        kind: kind.kind,
        records: withoutControlInformation(kind.records),
        ...(kind.labels ? { labels: kind.labels } : {}),
        ...(kind.categories ? { categories: kind.categories } : {}),
      });
    }
    // Whatever discovery found that the connector cannot export is named, never silently left out.
    const exportedKinds = new Set(exported.map((kind) => kind.kind));
    for (const [kind, count] of Object.entries(findings.counts)) {
      if (count > 0 && !exportedKinds.has(kind)) {
        exclusions.push({
          system: id,
          reason: `${counted(count, `${kind} record`)} found in ${displayName} cannot be exported automatically; gather them by hand.`,
        });
      }
    }
  }
  await mkdir(dir, { recursive: true });
  const packageId = randomUUID();
  const path = packagePath(dir, dsrCase.id, packageId);
  const snapshot = options.snapshot;
  const total = new Set(sources.map((source) => source.system)).size;
  let done = 0;
  const progress = new ThrottledProgress(options.onProgress, options.progressEveryMs ?? PROGRESS_EVERY_MS);
  await snapshot?.open();
  try {
    const result = await writeExportPackage({
      caseId: dsrCase.id,
      subjectLabel: dsrCase.subject.name,
      sources: snapshot ? sources.map((source) => snapshot.wrap(source)) : sources,
      exclusions,
      extractedAt: now,
      out: path,
      // The letters' language is the person's (chosen at intake): the package speaks it too.
      ...(dsrCase.language ? { language: dsrCase.language } : {}),
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      ...(options.formats ? { formats: options.formats } : {}),
      onSystemWritten: () => {
        done += 1;
        return progress.tell({ done, total });
      },
    });
    await snapshot?.finish(exclusions);
    return { packageId, path, manifest: result.manifest, bytes: result.bytes };
  } catch (error) {
    await snapshot?.abort();
    throw error;
  } finally {
    // The caller shows the package's end next; no report of the way there may land after it.
    progress.end();
  }
}

/** The records without OData control information (`@odata.etag`): protocol state, not data about the person. */
function withoutControlInformation(
  records: () => AsyncIterable<Record<string, unknown>>,
): () => AsyncIterable<Record<string, unknown>> {
  return async function* () {
    for await (const record of records()) {
      yield Object.fromEntries(Object.entries(record).filter(([key]) => !isControlInformation(key)));
    }
  };
}

/** Deletes packages older than their links live, so nothing of the person stays on disk longer than needed. */
export async function sweepPackages(dir: string, maxAgeMs: number, now: Date): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    // Files only: the isolated copies' own folder sits among the packages and is swept by its own period.
    if (info?.isFile() && now.getTime() - info.mtimeMs > maxAgeMs) {
      await unlink(path).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}

/** Where and how packages are built; given once by the composition root. */
export interface PackageBuilderSettings {
  connectors: () => Promise<Connector[]>;
  /** Where packages wait for their download or their durable copy. */
  dir: string;
  clock: Clock;
  /** The organisation's, for the local times beside each ISO time. */
  timeZone: string;
  /** Where a package's records are kept for its review before release; absent: no review. */
  reviewDir?: string;
  /** The card that asked for a package is shown again no more often than this; PROGRESS_EVERY_MS unless given. */
  progressEveryMs?: number;
}

/**
 * The one way a package is built, whether for the data subject (from the plan, with its review
 * snapshot) or as the durable copy an extract-and-isolate step keeps: both read the same systems the
 * same way, so what is isolated is exactly what the person would have received.
 */
export class PackageBuilder {
  constructor(private readonly settings: PackageBuilderSettings) {}

  /**
   * `review`: also keeps every record read, under a new snapshot, for the review before release.
   * `onProgress`: told as each system's part is written, at the settings' pace.
   */
  async build(
    dsrCase: DsrCase,
    options: {
      formats?: ExportFormat[];
      review?: boolean;
      signal?: AbortSignal;
      onProgress?: OnProgress<PackageProgress>;
    } = {},
  ): Promise<PreparedPackage & { snapshotId?: string }> {
    const { connectors, dir, clock, timeZone, reviewDir, progressEveryMs } = this.settings;
    const snapshot = options.review && reviewDir ? new SnapshotWriter(reviewDir, dsrCase.id, randomUUID()) : undefined;
    const prepared = await preparePackage(dsrCase, await connectors(), dir, clock.now(), {
      timeZone,
      ...(options.formats ? { formats: options.formats } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(snapshot ? { snapshot } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(progressEveryMs !== undefined ? { progressEveryMs } : {}),
    });
    return snapshot ? { ...prepared, snapshotId: snapshot.snapshotId } : prepared;
  }
}

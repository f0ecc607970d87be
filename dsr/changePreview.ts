import { counted } from './counted.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { said, type Said } from '../i18n/index.js';
import type { ChangePreview, ChangeRequest, ChangeTarget, FieldChange, RetainedRecord } from './changes.js';
import { ChangeRequestError, RESTRICT_MODES } from './changes.js';
import type { ManualStep, SystemFindings } from './findings.js';
import { KEPT_PER_STEP, keptUntil, type KeptEnds, type KeptPeriods, type KeptRecord } from './keptRecords.js';
import { personCounts, standingOf } from './matching.js';

/** How many sample changes and retained records a preview keeps on the case; the full list is in the ledger. */
export const PREVIEW_SAMPLES = 5;
export const PREVIEW_RETAINED = 10;

export interface PreviewSample {
  kind: string;
  label: string;
  changes: FieldChange[];
}

/** What a destructive step's preview showed, bounded so a million records never land on the case. */
export interface StepPreview {
  at: string;
  byId: string;
  /** Covers the findings, the request and every target (id, etag, changes); the approval carries it. */
  hash: string;
  /** The findings the preview was made from; when they change, the preview and its approval are void. */
  findingsHash: string;
  request: ChangeRequest;
  targetCount: number;
  /** Targets per record kind. */
  counts: Record<string, number>;
  samples: PreviewSample[];
  /** The first kept records as the card shows them, each with when its reason ends. */
  retained: ShownRetained[];
  retainedCount: number;
  guided: ManualStep[];
  /**
   * Every record kept for a legal reason (up to KEPT_PER_STEP), by id and date only: what the case
   * keeps after its purge, for the follow-up erasure once each reason ends.
   */
  kept?: KeptRecord[];
}

export type ShownRetained = Omit<RetainedRecord, 'kept'> & { until?: string; ends?: KeptEnds };

/** How kept records get their end: the organisation's periods, and the step that keeps them. */
export interface KeptContext {
  periods: KeptPeriods;
  stepId: string;
}

/**
 * A basis the configuration does not name (a connectors file changed after the start checked it)
 * is checked again after this period, so no record is ever kept without an end.
 */
const UNNAMED_BASIS_RECHECK = { amount: 30, unit: 'd' } as const;

function keptRecordsOf(preview: Omit<ChangePreview, 'targets'>, context: KeptContext, now: Date): KeptRecord[] {
  return preview.retained.slice(0, KEPT_PER_STEP).flatMap((r) => {
    if (!r.kept) return [];
    const period = context.periods.get(r.kept.basis);
    const basis = period ? r.kept : { ...r.kept, ends: 'condition' as const };
    return [
      {
        systemId: preview.systemId,
        stepId: context.stepId,
        kind: r.kind,
        id: r.id,
        basis: r.kept.basis,
        ends: basis.ends,
        until: keptUntil(basis, period ?? UNNAMED_BASIS_RECHECK, now),
      },
    ];
  });
}

/** The line one target adds to a preview's hash. */
function targetLine(t: ChangeTarget): string {
  return `${JSON.stringify([t.kind, t.id, t.etag ?? null, t.order, t.changes.map((c) => [c.field, c.from, c.to])])}\n`;
}

/**
 * Hashes a preview as its targets go past (findings, request, then each target in the order they
 * run), so a preview of a million records is bound to its approval without being held whole.
 */
export class PreviewHasher {
  private readonly hash = createHash('sha256');

  constructor(findingsHash: string, request: ChangeRequest) {
    this.hash.update(JSON.stringify({ findingsHash, request }));
  }

  add(target: ChangeTarget): void {
    this.hash.update(targetLine(target));
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The hash of a preview: findings, request and each target in the order they run. */
export function hashPreview(findingsHash: string, request: ChangeRequest, targets: Iterable<ChangeTarget>): string {
  const hasher = new PreviewHasher(findingsHash, request);
  for (const target of targets) hasher.add(target);
  return hasher.digest();
}

/** A stream of targets that breaks the contract of ascending `order`. */
export class PreviewOrderError extends ChangeRequestError {
  constructor() {
    super(said('refusals.change.outOfOrder'));
    this.name = 'PreviewOrderError';
  }
}

/**
 * What a preview's targets add up to, gathered while they stream to the ledger: the hash, the
 * count per kind and the first few as samples. Only these bounded figures stay in memory.
 */
export class PreviewDigest {
  private readonly hasher: PreviewHasher;
  readonly counts: Record<string, number> = {};
  readonly samples: PreviewSample[] = [];
  count = 0;
  private lastOrder = Number.NEGATIVE_INFINITY;

  constructor(
    readonly findingsHash: string,
    readonly request: ChangeRequest,
  ) {
    this.hasher = new PreviewHasher(findingsHash, request);
  }

  /** Passes each target on after taking it into account; fails on one out of order. */
  async *through(targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>): AsyncGenerator<ChangeTarget> {
    for await (const target of targets) {
      this.add(target);
      yield target;
    }
  }

  add(target: ChangeTarget): void {
    if (target.order < this.lastOrder) throw new PreviewOrderError();
    this.lastOrder = target.order;
    this.hasher.add(target);
    this.count += 1;
    this.counts[target.kind] = (this.counts[target.kind] ?? 0) + 1;
    if (this.samples.length < PREVIEW_SAMPLES)
      this.samples.push({
        kind: target.kind,
        label: target.label.slice(0, 120),
        changes: target.changes
          .slice(0, 5)
          .map((c) => ({ field: c.field, from: c.from.slice(0, 200), to: c.to.slice(0, 200) })),
      });
  }

  /** The hash, once every target went past. */
  hash(): string {
    return this.hasher.digest();
  }
}

/** The bounded summary recorded on the step, from a digest whose targets all went past. */
export function summaryOf(
  digest: PreviewDigest,
  hash: string,
  preview: Omit<ChangePreview, 'targets'>,
  byId: string,
  now: Date,
  keptContext?: KeptContext,
): StepPreview {
  const kept = keptContext ? keptRecordsOf(preview, keptContext, now) : [];
  const ends = new Map(kept.map((k) => [k.id, k]));
  return {
    at: now.toISOString(),
    byId,
    hash,
    findingsHash: digest.findingsHash,
    request: digest.request,
    targetCount: digest.count,
    counts: { ...digest.counts },
    samples: [...digest.samples],
    retained: preview.retained.slice(0, PREVIEW_RETAINED).map((r) => {
      const end = ends.get(r.id);
      return {
        kind: r.kind,
        id: r.id,
        label: r.label.slice(0, 120),
        reason: r.reason.slice(0, 300),
        ...(r.reasonSaid ? { reasonSaid: r.reasonSaid } : {}),
        ...(end ? { until: end.until, ends: end.ends } : {}),
      };
    }),
    retainedCount: preview.retained.length,
    guided: preview.guided.slice(0, 5),
    ...(kept.length > 0 ? { kept } : {}),
  };
}

/** The bounded summary of a preview held in memory, with its targets in the order they run. */
export function summarisePreview(
  preview: ChangePreview,
  findingsHash: string,
  byId: string,
  now: Date,
  keptContext?: KeptContext,
): { summary: StepPreview; targets: ChangeTarget[] } {
  const targets = [...preview.targets].sort((a, b) => a.order - b.order);
  const digest = new PreviewDigest(findingsHash, preview.request);
  for (const target of targets) digest.add(target);
  return { targets, summary: summaryOf(digest, digest.hash(), preview, byId, now, keptContext) };
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_./]{0,99}$/;

/**
 * The corrections as entered on the card: one per record kind, field and new value. Its messages
 * are catalogue keys, which `firstIssue` hands on for the reader's language.
 */
export const correctionsSchema = z
  .array(
    z.object({
      kind: z.string().trim().min(1, 'refusals.change.kind').max(60),
      field: z.string().trim().regex(FIELD, 'refusals.change.field'),
      value: z.string().max(500, 'refusals.change.valueTooLong'),
    }),
  )
  .min(1, 'refusals.change.noCorrection')
  .max(20, 'refusals.change.tooMany');

export const restrictModeSchema = z.enum(RESTRICT_MODES, { error: 'refusals.change.restrictMode' });

/**
 * The first problem of a zod failure, as the person should read it: the schemas above (and the
 * handlers' own) give catalogue keys as messages; `params` holds their values (a limit).
 */
export function firstIssue(error: z.ZodError, params?: Readonly<Record<string, string | number>>): Said {
  const key = error.issues[0]?.message;
  return key?.startsWith('refusals.') ? said(key, params) : said('refusals.change.check');
}

/** Records named per kind in a by-hand step; the rest are counted. */
const BY_HAND_NAMED = 10;

/**
 * Every record of the person a deletion does not remove (targets, kept with a reason, or gone
 * with its owner) becomes a guided step that names them: what the connector could not delete, and
 * any kind the findings show that the preview does not account for at all.
 */
export function erasureByHand(
  preview: Omit<ChangePreview, 'targets'>,
  /** The kinds among the preview's targets (they may have streamed past: only their kinds are kept). */
  targetKinds: Iterable<string>,
  findings: SystemFindings | undefined,
  systemName: string,
): ManualStep[] {
  const deleting =
    preview.request.right === 'delete' || (preview.request.right === 'restrict' && preview.byHand !== undefined);
  if (!deleting) return [];
  // Each reason in English and, where the bot or a built-in system wrote it, in the catalogue's
  // words; an organisation's own reason (its file writes it in one language) is named as written.
  const left = new Map<string, { reason: string; saidReason: Said | string; labels: string[]; count: number }>();
  const add = (kind: string, reason: string, labels: string[], count: number, saidReason: Said | string = reason) => {
    const entry = left.get(kind) ?? { reason, saidReason, labels: [], count: 0 };
    entry.labels.push(...labels);
    entry.count += count;
    left.set(kind, entry);
  };
  for (const record of preview.byHand ?? []) add(record.kind, record.reason, [record.label], 1, record.reasonSaid);
  const accounted = new Set([
    ...targetKinds,
    ...preview.retained.map((r) => r.kind),
    ...(preview.byHand ?? []).map((r) => r.kind),
    ...Object.keys(preview.removedWithOwner ?? {}),
  ]);
  if (findings) {
    for (const [kind, count] of Object.entries(personCounts(findings))) {
      if (accounted.has(kind)) continue;
      const labels = findings.records
        .filter((r) => r.kind === kind && standingOf(findings, r) === 'finding')
        .map((r) => Object.values(r.fields).join(' · '));
      add(
        kind,
        `Found by the search, but ${systemName} cannot delete it through the bot: delete it by hand, or note why it is kept.`,
        labels,
        count,
        said('change.left.cannotDelete', { system: systemName, count }),
      );
    }
  }
  return [...left].map(([kind, { reason, saidReason, labels, count }]) => {
    const named = labels
      .filter(Boolean)
      .slice(0, BY_HAND_NAMED)
      .map((l) => l.slice(0, 80));
    const more = count > named.length ? ` and ${count - named.length} more` : '';
    const words = { count, kind, reason: saidReason, labels: named.join('; ') };
    return {
      text: `${counted(count, `${kind} record`)} the deletion leaves: ${reason} ${named.join('; ')}${more}.`,
      said:
        count > named.length
          ? said('change.left.andMore', { ...words, more: count - named.length })
          : said('change.left.named', words),
    };
  });
}

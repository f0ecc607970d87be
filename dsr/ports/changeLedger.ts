import type { ChangeTarget } from '../changes.js';

/** One destructive step's preview: a new preview is a new key, so outcomes of an old one never mix in. */
export interface LedgerKey {
  caseId: string;
  stepId: string;
  previewHash: string;
}

/** What became of one target, as the ledger keeps it; the latest outcome of a target counts. */
export type LedgerOutcome =
  | { status: 'applied'; before?: Record<string, unknown> }
  | { status: 'gone' }
  | { status: 'conflict'; message: string }
  | { status: 'failed'; message: string }
  | { status: 'lifted' };

export interface LedgerTally {
  total: number;
  applied: number;
  gone: number;
  conflict: number;
  failed: number;
  lifted: number;
}

/** A target with the before-state its restriction recorded, for lifting it. */
export interface RestoredTarget {
  target: ChangeTarget;
  before: Record<string, unknown>;
}

/**
 * Per-record progress of the steps that change data: the full target list of a preview, each
 * target's outcome, and who runs the step now. It is written as it goes (a person may have a
 * million records), so a retry or a restarted process continues exactly where the last one stopped.
 */
export interface ChangeLedger {
  open(): Promise<void>;
  close(): Promise<void>;
  /**
   * Stores a preview's targets under a key already known (a copy between stores). A list is sorted
   * by `order`; a stream must come in that order. The key's hash covers every target, so writing the
   * same key again changes nothing and keeps the outcomes already recorded.
   */
  writeTargets(key: LedgerKey, targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>): Promise<number>;
  /**
   * Stores a new preview's targets as they stream in, in `order`, before its hash is known: they
   * are written aside a page at a time and put under the hash `sealed()` gives once the last one is
   * in. A preview whose hash the ledger holds already keeps what it holds, outcomes and all.
   */
  writePreview(
    step: { caseId: string; stepId: string },
    targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>,
    sealed: () => string,
  ): Promise<{ key: LedgerKey; count: number }>;
  /** Every target in `order` (then in the order written). */
  targets(key: LedgerKey): AsyncIterable<ChangeTarget>;
  /** Targets whose latest outcome is neither applied nor gone, in `order`. */
  pending(key: LedgerKey): AsyncIterable<ChangeTarget>;
  recordOutcome(key: LedgerKey, targetId: string, outcome: LedgerOutcome): Promise<void>;
  /** Applied targets that recorded a before-state and are not lifted yet. */
  restorable(key: LedgerKey): AsyncIterable<RestoredTarget>;
  /** Targets whose latest outcome is applied (for the deletion check). */
  applied(key: LedgerKey): AsyncIterable<ChangeTarget>;
  tally(key: LedgerKey): Promise<LedgerTally>;
  /** Every preview the ledger holds, for moving a deployment between stores. */
  keys(): AsyncIterable<LedgerKey>;
  /** The latest outcome of each target of a preview that has one. */
  outcomes(key: LedgerKey): AsyncIterable<{ targetId: string; outcome: LedgerOutcome }>;
  /**
   * Takes the step's run for `holder` until `until`, if nobody else holds an unexpired lease on it
   * (the same holder renews). A process that died stops renewing, so its lease runs out.
   */
  claimLease(caseId: string, stepId: string, holder: string, now: Date, until: Date): Promise<boolean>;
  releaseLease(caseId: string, stepId: string, holder: string): Promise<void>;
  /** Who holds the step's run and until when; undefined when nobody does. */
  lease(caseId: string, stepId: string): Promise<{ holder: string; until: string } | undefined>;
  /** Deletes everything kept for the case (targets name the person's records); for its purge. */
  forgetCase(caseId: string): Promise<void>;
}

export function emptyTally(): LedgerTally {
  return { total: 0, applied: 0, gone: 0, conflict: 0, failed: 0, lifted: 0 };
}

/** A list sorted by `order`, or a stream checked to come in that order (nothing sorts a stream without holding it). */
export async function* inRunOrder(
  targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>,
): AsyncGenerator<ChangeTarget> {
  if (Array.isArray(targets)) {
    yield* [...(targets as ChangeTarget[])].sort((a, b) => a.order - b.order);
    return;
  }
  let last = Number.NEGATIVE_INFINITY;
  for await (const target of targets) {
    if (target.order < last) throw new Error('Targets must come in ascending order.');
    last = target.order;
    yield target;
  }
}

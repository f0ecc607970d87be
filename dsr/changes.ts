import type { ManualStep, SearchQuery } from './findings.js';
import type { KeptBasis } from './keptRecords.js';
import type { RecordSelection } from './matching.js';
import { inEnglish, type Said } from '../i18n/index.js';

/**
 * The contract between a plan's destructive steps and the systems they change. A step first asks
 * its connector for a preview (every record it would change, and every record that must be kept
 * with the legal reason); the preview is shown and approved; then each target is applied one at a
 * time, so progress is recorded per record and a retry neither repeats nor skips work.
 */

/**
 * A change request the system cannot carry out as asked, meant for the privacy team: in the
 * catalogue's words (`said`), its English as the error's message.
 */
export class ChangeRequestError extends Error {
  constructor(readonly said: Said) {
    super(inEnglish(said));
    this.name = 'ChangeRequestError';
  }
}

export const CHANGE_RIGHTS = ['rectify', 'restrict', 'delete'] as const;
export type ChangeRight = (typeof CHANGE_RIGHTS)[number];

/** One correction the privacy team entered: set `field` on records of `kind` to `value`. */
export interface Correction {
  kind: string;
  field: string;
  value: string;
}

/**
 * How Customer Engagement restricts: `flag` marks the contact do-not-contact and sets the consent
 * flags; `isolate` is the guide's "extract and isolate" (the record goes into the package, then is
 * removed from processing).
 */
export const RESTRICT_MODES = ['flag', 'isolate'] as const;
export type RestrictMode = (typeof RESTRICT_MODES)[number];

export type ChangeRequest =
  { right: 'rectify'; corrections: Correction[] } | { right: 'restrict'; mode: RestrictMode } | { right: 'delete' };

/** One field a target will have changed: its value as the preview read it, and the new one. */
export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

/** One record a step will change, as its preview read it. */
export interface ChangeTarget {
  kind: string;
  /** The record's id as the findings name it (`scope|id` where a system has several scopes). */
  id: string;
  /** The version the preview read; a rectify or restrict sends it as `If-Match`. */
  etag?: string;
  /** A few words that let the team recognise the record; never the whole record. */
  label: string;
  /** Empty for a deletion. */
  changes: FieldChange[];
  /** Targets run in ascending order: a record's dependants (activities, notes) before it. */
  order: number;
}

/** A record the step leaves as it is, and why (posted ledger entries, active workers, retention). */
export interface RetainedRecord {
  kind: string;
  id: string;
  label: string;
  /** In English, as the audit trail and the letter read it. */
  reason: string;
  /** The same in the catalogue's words, where the bot or a built-in system wrote it; absent for an organisation's own. */
  reasonSaid?: Said;
  /** The legal reason's basis and the record's date, for when it ends; absent for records left by hand. */
  kept?: KeptBasis;
}

export interface ChangePreview {
  systemId: string;
  request: ChangeRequest;
  targets: ChangeTarget[];
  retained: RetainedRecord[];
  /** What a person must still do by hand around this step (e.g. a batch job to run after it). */
  guided: ManualStep[];
  /**
   * Records of the person a deletion cannot remove through the API (an activity party, an account
   * whose primary contact the person is), each with what to do: they become a guided step naming them.
   */
  byHand?: RetainedRecord[];
  /** Kinds that go with the record they belong to (a user's licences), and why; nothing is left of them. */
  removedWithOwner?: Record<string, string>;
  /** The requests the preview made, so a reader can repeat them. */
  queries: string[];
}

/**
 * A preview whose targets arrive one by one (a system holding a million records of the person),
 * so they reach the ledger without ever being held together. They must come in ascending `order`:
 * nothing can sort a stream without holding it, so a target out of order fails the preview.
 */
export type StreamedPreview = Omit<ChangePreview, 'targets'> & { targets: AsyncIterable<ChangeTarget> };

/** What became of one target. A conflict is the record changed since the preview: reported, never overwritten. */
export type ApplyOutcome =
  | { status: 'applied'; before?: Record<string, unknown> }
  | { status: 'gone' }
  | { status: 'conflict'; message: string }
  /** `said`: the message in the catalogue's words, where the bot wrote it rather than the system. */
  | { status: 'failed'; message: string; retryable: boolean; said?: Said };

/** What a second search after a deletion still finds among the deleted targets. */
export interface DeletionCheck {
  remaining: ChangeTarget[];
  queries: string[];
}

/**
 * What a privacy officer decided about a preview: `overrides` are the ids of kept Entra accounts a
 * privacy officer wrote a reason to delete anyway, so no keep rule holds them back.
 */
export interface PreviewOptions {
  overrides?: ReadonlySet<string>;
}

/** The part of a connector that changes data; absent where a system can only be searched. */
export interface ChangeConnector {
  /** The restriction modes the system offers, the first the default; absent means `flag` only. */
  readonly restrictModes?: readonly RestrictMode[];
  previewChange(
    request: ChangeRequest,
    query: SearchQuery,
    /** The records the step may reach: the person's, as the findings and the team's decisions say. */
    selection: RecordSelection,
    signal?: AbortSignal,
    options?: PreviewOptions,
  ): Promise<ChangePreview | StreamedPreview>;
  applyChange(request: ChangeRequest, target: ChangeTarget, signal?: AbortSignal): Promise<ApplyOutcome>;
  /** Puts back what a restriction changed, from the state recorded when it was applied. */
  liftRestriction(target: ChangeTarget, before: Record<string, unknown>, signal?: AbortSignal): Promise<ApplyOutcome>;
  /**
   * Searches again and reads each deleted target; the step is done only when nothing remains. The
   * targets are read as they come (a step may have deleted a million), never all at once.
   */
  confirmDeleted(
    targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>,
    query: SearchQuery,
    signal?: AbortSignal,
  ): Promise<DeletionCheck>;
  /**
   * Reads kept records again and says which are still kept, and by which rule now (the worker
   * still employed; an invoice paid since, now kept as a posted document); a record that is gone,
   * or that no rule keeps any more, is not among them.
   */
  recheckKept?(records: readonly { kind: string; id: string }[], signal?: AbortSignal): Promise<Map<string, KeptBasis>>;
  /** Whether records of this kind can be deleted through the system's API. */
  deletes?(kind: string): boolean;
  /**
   * A deletion's preview of exactly these records, each read by its id, never searched for: the
   * follow-up erasure of records kept until their reason ended. A record gone already is named
   * among the guided lines; one a rule still keeps is retained with that rule.
   */
  previewRecords?(
    request: ChangeRequest,
    records: readonly { kind: string; id: string }[],
    signal?: AbortSignal,
  ): Promise<ChangePreview>;
}

import { createHash } from 'node:crypto';
import type { AuditDetail } from './audit.js';
import type { Actor, DsrCase } from './case.js';
import { PACKAGE_STEP_ID } from './planRecord.js';
import { said, type Said } from '../i18n/index.js';
import {
  EXCLUSION_GROUNDS,
  REVIEW_NOTE_MAX_LENGTH,
  REDACTION_TEXT_MAX_LENGTH,
  REDACTION_MARK,
  type ExclusionGround,
  type ReviewRecordId,
  type ReviewExclusion,
  type ReviewRedaction,
  type PackageRelease,
  type PackageReview,
} from './packageReviewRecord.js';

// The review's records, where the rest of the code has always imported them.
export {
  EXCLUSION_GROUNDS,
  EXCLUSION_GROUND_LABELS,
  REVIEW_NOTE_MAX_LENGTH,
  REDACTION_TEXT_MAX_LENGTH,
  REDACTION_MARK,
} from './packageReviewRecord.js';
export type {
  ExclusionGround,
  ReviewRecordId,
  ReviewExclusion,
  ReviewRedaction,
  PackageRelease,
  PackageReview,
} from './packageReviewRecord.js';

export type ReviewAction =
  | { kind: 'openReview'; snapshotId: string; records: number }
  | { kind: 'excludeRecord'; recordId: string; ground: ExclusionGround; note: string }
  | { kind: 'redactField'; recordId: string; field: string; text: string | null }
  | { kind: 'undoReview'; recordId: string }
  | { kind: 'submitReview' }
  | { kind: 'approveReview'; hash: string }
  | { kind: 'releasePackage'; packageId: string; records: number; bytes: number; token: string; expiresAt: string }
  | { kind: 'revokeSubjectLink' };

type Change = { next: DsrCase; detail: AuditDetail } | { invalid: Said };

// Kinds are words such as "sales invoice" or "account (primary contact)"; neither part is ever a path.
const RECORD_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}\/[A-Za-z0-9_][^/\p{Cc}]{0,79}\/\d{1,9}$/u;

export function isReviewRecordId(text: string): boolean {
  return RECORD_ID.test(text);
}

export function reviewRecordId(system: string, kind: string, position: number): ReviewRecordId {
  return `${system}/${kind}/${position}`;
}

/**
 * The hash an approval binds to: the snapshot and every exclusion and redaction, in a fixed order,
 * so any later change (or a new snapshot) gives another hash and voids the approval.
 */
export function reviewHash(review: Pick<PackageReview, 'snapshotId' | 'exclusions' | 'redactions'>): string {
  const exclusions = review.exclusions.map((e) => [e.recordId, e.ground, e.note]).sort(compareRows);
  const redactions = review.redactions.map((r) => [r.recordId, r.field, r.text ?? '']).sort(compareRows);
  return createHash('sha256')
    .update(JSON.stringify([review.snapshotId, exclusions, redactions]))
    .digest('hex');
}

function compareRows(a: string[], b: string[]): number {
  const left = JSON.stringify(a);
  const right = JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A change to what is withheld voids the declaration and the approval of the earlier set. */
function changed(review: PackageReview, actor: Actor): PackageReview {
  const { submitted: _submitted, approval: _approval, ...rest } = review;
  return { ...rest, reviewerIds: [...new Set([...review.reviewerIds, actor.id])] };
}

/** Whether the released link opens now. */
export function subjectLinkOpen(release: PackageRelease | undefined, now: Date): boolean {
  return !!release && !release.revokedAt && new Date(release.expiresAt).getTime() > now.getTime();
}

/**
 * Why the case may not be answered yet, or null. Where a package was built for an access or
 * portability right, the response is the person's way to their copy (GDPR Art. 15(3), 20(1)), so
 * it waits until the reviewed package is released and its link opens. A case where nothing was
 * found (the package step not applicable) or without those rights has nothing to release.
 */
export function releasePending(dsrCase: DsrCase, now: Date): Said | null {
  const step = dsrCase.plan?.steps.find((s) => s.id === PACKAGE_STEP_ID);
  if (!step || step.state === 'not-applicable') return null;
  const release = dsrCase.review?.release;
  if (subjectLinkOpen(release, now)) return null;
  if (release?.revokedAt) return said('refusals.review.linkRevoked');
  if (release) return said('refusals.review.linkExpired');
  return said('refusals.review.releaseFirst');
}

/**
 * Whether the case still waits for its package to be released, as a card can tell without a clock:
 * a package was prepared and no release stands (none yet, or revoked). An expired link needs the
 * time, so `releasePending` catches it when Respond is pressed.
 */
export function releaseAwaited(dsrCase: DsrCase): boolean {
  const step = dsrCase.plan?.steps.find((s) => s.id === PACKAGE_STEP_ID);
  if (!step || step.state === 'not-applicable') return false;
  const release = dsrCase.review?.release;
  return !release || release.revokedAt !== undefined;
}

/**
 * Applies one review action, or says why not. The audit detail names record ids, field names and
 * grounds only: the note, the redacted passage and the link's token stay on the case (purged with it).
 */
export function applyReviewAction(current: DsrCase, action: ReviewAction, actor: Actor, now: Date): Change {
  const at = now.toISOString();
  if (action.kind === 'openReview') {
    // A new snapshot starts a new review: decisions on the old one named its records, not these.
    return {
      next: {
        ...current,
        review: {
          snapshotId: action.snapshotId,
          builtAt: at,
          records: action.records,
          exclusions: [],
          redactions: [],
          reviewerIds: [],
        },
      },
      detail: {
        snapshotId: action.snapshotId,
        records: action.records,
        replaced: current.review?.snapshotId ?? null,
      },
    };
  }
  const review = current.review;
  if (!review) return { invalid: said('refusals.review.prepareFirst') };
  switch (action.kind) {
    case 'excludeRecord':
    case 'redactField':
    case 'undoReview': {
      if (review.release) return { invalid: said('refusals.review.releasedPrepareAgain') };
      if (!isReviewRecordId(action.recordId) || Number(action.recordId.split('/')[2]) >= review.records)
        return { invalid: said('refusals.review.notInPackage') };
      if (action.kind === 'undoReview') {
        const exclusions = review.exclusions.filter((e) => e.recordId !== action.recordId);
        const redactions = review.redactions.filter((r) => r.recordId !== action.recordId);
        if (exclusions.length === review.exclusions.length && redactions.length === review.redactions.length)
          return { invalid: said('refusals.review.nothingWithheld') };
        return {
          next: { ...current, review: { ...changed(review, actor), exclusions, redactions } },
          detail: { recordId: action.recordId },
        };
      }
      if (review.exclusions.some((e) => e.recordId === action.recordId))
        return { invalid: said('refusals.review.alreadyWithheld') };
      if (action.kind === 'excludeRecord') {
        if (!(EXCLUSION_GROUNDS as readonly string[]).includes(action.ground))
          return { invalid: said('refusals.review.chooseGround') };
        const note = action.note.trim();
        if (note.length > REVIEW_NOTE_MAX_LENGTH)
          return { invalid: said('refusals.case.tooLong.note', { max: REVIEW_NOTE_MAX_LENGTH }) };
        const exclusion: ReviewExclusion = {
          recordId: action.recordId,
          ground: action.ground,
          note,
          at,
          byId: actor.id,
        };
        // Redactions of a withheld record mean nothing any more.
        const redactions = review.redactions.filter((r) => r.recordId !== action.recordId);
        return {
          next: {
            ...current,
            review: { ...changed(review, actor), exclusions: [...review.exclusions, exclusion], redactions },
          },
          detail: { recordId: action.recordId, ground: action.ground, noteLength: note.length },
        };
      }
      const text = action.text === null ? null : action.text.trim();
      if (text !== null && (text.length === 0 || text.length > REDACTION_TEXT_MAX_LENGTH))
        return { invalid: said('refusals.review.passage', { max: REDACTION_TEXT_MAX_LENGTH }) };
      if (
        review.redactions.some(
          (r) => r.recordId === action.recordId && r.field === action.field && (r.text === null || r.text === text),
        )
      )
        return { invalid: said('refusals.review.alreadyRedacted') };
      const redaction: ReviewRedaction = { recordId: action.recordId, field: action.field, text, at, byId: actor.id };
      return {
        next: { ...current, review: { ...changed(review, actor), redactions: [...review.redactions, redaction] } },
        detail: { recordId: action.recordId, field: action.field, whole: text === null },
      };
    }
    case 'submitReview': {
      if (review.release) return { invalid: said('refusals.review.alreadyReleased') };
      if (review.submitted) return { invalid: said('refusals.review.alreadySubmitted') };
      const hash = reviewHash(review);
      return {
        next: {
          ...current,
          review: {
            ...review,
            reviewerIds: [...new Set([...review.reviewerIds, actor.id])],
            submitted: { at, byId: actor.id, hash },
          },
        },
        detail: reviewDetail(review, hash),
      };
    }
    case 'approveReview': {
      if (review.release) return { invalid: said('refusals.review.alreadyReleased') };
      if (!review.submitted) return { invalid: said('refusals.review.notSubmitted') };
      // Four eyes: whoever withheld, redacted or declared the review done does not approve it.
      if (review.reviewerIds.includes(actor.id)) return { invalid: said('refusals.review.ownReview') };
      const hash = reviewHash(review);
      if (action.hash !== hash || review.submitted.hash !== hash) return { invalid: said('refusals.review.changed') };
      return {
        next: { ...current, review: { ...review, approval: { at, byId: actor.id, hash } } },
        detail: { hash, exclusions: review.exclusions.length, redactions: review.redactions.length },
      };
    }
    case 'releasePackage': {
      if (review.release) return { invalid: said('refusals.review.alreadyReleased') };
      if (!review.approval || review.approval.hash !== reviewHash(review))
        return { invalid: said('refusals.review.approveBeforeRelease') };
      const release: PackageRelease = {
        at,
        byId: actor.id,
        packageId: action.packageId,
        records: action.records,
        bytes: action.bytes,
        token: action.token,
        expiresAt: action.expiresAt,
      };
      return {
        next: { ...current, review: { ...review, release } },
        detail: {
          packageId: action.packageId,
          records: action.records,
          bytes: action.bytes,
          expiresAt: action.expiresAt,
          hash: review.approval.hash,
        },
      };
    }
    case 'revokeSubjectLink': {
      if (!review.release) return { invalid: said('refusals.review.noRelease') };
      if (review.release.revokedAt) return { invalid: said('refusals.review.alreadyRevoked') };
      return {
        next: {
          ...current,
          review: { ...review, release: { ...review.release, revokedAt: at, revokedById: actor.id } },
        },
        detail: { packageId: review.release.packageId },
      };
    }
  }
}

/** The review in full for the trail, by record id, field name and ground; never a note or a passage. */
function reviewDetail(review: PackageReview, hash: string): AuditDetail {
  return {
    snapshotId: review.snapshotId,
    hash,
    excluded: review.exclusions.map((e) => `${e.recordId}:${e.ground}`),
    redacted: review.redactions.map((r) => `${r.recordId}:${r.field}${r.text === null ? ':whole' : ''}`),
  };
}

/** What the response letter may say about the review: how many, on which grounds; never which or what. */
export interface ReviewSummary {
  withheld: number;
  grounds: ExclusionGround[];
  redacted: number;
}

export function reviewSummary(review: PackageReview | undefined): ReviewSummary | null {
  if (!review?.release) return null;
  const grounds = EXCLUSION_GROUNDS.filter((ground) => review.exclusions.some((e) => e.ground === ground));
  const redactedRecords = new Set(review.redactions.map((r) => r.recordId)).size;
  return { withheld: review.exclusions.length, grounds, redacted: redactedRecords };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A record as the subject receives it: each redaction replaces its passage (every occurrence) or
 * the whole field value with the visible mark. Fields are matched by name at the top level, as the
 * system returned them.
 */
export function redactedRecord(
  record: Record<string, unknown>,
  redactions: readonly Pick<ReviewRedaction, 'field' | 'text'>[],
): Record<string, unknown> {
  if (redactions.length === 0) return record;
  const out: Record<string, unknown> = { ...record };
  for (const redaction of redactions) {
    if (!(redaction.field in out)) continue;
    const value = out[redaction.field];
    if (redaction.text === null || typeof value !== 'string') {
      out[redaction.field] = REDACTION_MARK;
      continue;
    }
    out[redaction.field] = value.replace(new RegExp(escapeRegExp(redaction.text), 'giu'), REDACTION_MARK);
  }
  return out;
}

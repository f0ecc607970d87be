import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { TurnContext } from 'botbuilder';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { reviewCard, REVIEW_PAGE_SIZE, REVIEW_VERBS } from '../../cards/reviewCard.js';
import { planCard } from '../../cards/planCard.js';
import { inputValue } from '../../cards/template.js';
import { shownAsText } from '../../cards/format.js';
import { translator } from '../../i18n/index.js';
import { refusalText } from '../refusalText.js';
import type { Actor, DsrCase } from '../../dsr/case.js';
import type { CaseAction } from '../../dsr/caseActions.js';
import { allowedActions } from '../../dsr/allowedActions.js';
import { EXCLUSION_GROUNDS, REDACTION_TEXT_MAX_LENGTH, REVIEW_NOTE_MAX_LENGTH } from '../../dsr/packageReview.js';
import {
  buildReleasedPackage,
  locate,
  snapshotIndex,
  snapshotPage,
  type SnapshotIndex,
} from '../../dsr/runs/reviewSnapshot.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { DsrServices } from '../services.js';
import { placeOf } from '../notifier.js';
import { teamCaseTarget } from './teamCaseAction.js';

export interface ReviewDeps {
  /** Where the snapshots and released packages are kept (see reviewSnapshot.ts). */
  reviewDir: string;
  /** How long the person's link opens, in days (DSR_SUBJECT_LINK_DAYS). */
  linkDays: number;
}

const position = z.object({
  source: z.coerce.number().int().min(0).max(10_000).default(0),
  page: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
const recordTarget = z.object({ recordId: z.string().min(1).max(200) });
const exclusion = z.object({
  ground: z.enum(EXCLUSION_GROUNDS, { error: 'Choose a ground from the list.' }),
  note: z
    .string()
    .max(REVIEW_NOTE_MAX_LENGTH, `Keep the note under ${REVIEW_NOTE_MAX_LENGTH} characters.`)
    .optional()
    .default(''),
});
const redaction = z.object({
  field: z.string({ error: 'Choose a field.' }).min(1, 'Choose a field.').max(200),
  passage: z
    .string()
    .max(REDACTION_TEXT_MAX_LENGTH, `Keep the passage under ${REDACTION_TEXT_MAX_LENGTH} characters.`)
    .optional()
    .default(''),
});
const approval = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/) });

const DAY_MS = 24 * 60 * 60 * 1000;

/** Where the reader is in the package, and their language: the card is shown again the same way. */
interface ReviewView {
  source: number;
  page: number;
  t: TFunction;
  locale: string | undefined;
  /** Who reads the card; only the privacy team reaches it (teamCaseTarget). */
  actor: Actor;
}

/** A form's problem in the reader's words: which field was wrong, not the schema's English message. */
function formProblem(issue: z.core.$ZodIssue | undefined, t: TFunction): string {
  switch (issue?.path[0]) {
    case 'ground':
      return t('review.groundMissing');
    case 'note':
      return t('review.replies.noteTooLong', { max: REVIEW_NOTE_MAX_LENGTH });
    case 'field':
      return t('review.fieldMissing');
    case 'passage':
      return t('review.replies.passageTooLong', { max: REDACTION_TEXT_MAX_LENGTH });
    default:
      return t('review.replies.notInPackage');
  }
}

/**
 * The review card's actions: page through the package, withhold and redact, declare it done,
 * approve (another officer), release to the person and revoke the link. Every change goes through
 * the case with the version the card showed, so a stale card changes nothing.
 */
export class ReviewAction implements CardActionHandler {
  constructor(
    readonly verb: string,
    private readonly services: DsrServices,
    private readonly deps: ReviewDeps,
  ) {}

  static all(services: DsrServices, deps: ReviewDeps): ReviewAction[] {
    return Object.values(REVIEW_VERBS).map((verb) => new ReviewAction(verb, services, deps));
  }

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const checked = await teamCaseTarget(
      context,
      this.verb,
      data,
      this.services,
      translator(context.activity.locale)('review.replies.onlyTeam'),
    );
    if ('kind' in checked) return checked;
    const { actor, dsrCase, version } = checked;
    const locale = context.activity.locale;
    const t = translator(locale);
    const at = position.safeParse(data);
    const where = at.success ? at.data : { source: 0, page: 0 };
    const index = dsrCase.review
      ? await snapshotIndex(this.deps.reviewDir, dsrCase.id, dsrCase.review.snapshotId)
      : undefined;
    if (!dsrCase.review || !index) {
      return {
        kind: 'card',
        card: planCard(dsrCase, t('review.replies.noPackage')),
      };
    }
    const fromSource = this.verb === REVIEW_VERBS.show ? Number(data.source ?? where.source) : where.source;
    const source =
      Number.isInteger(fromSource) && fromSource >= 0 && fromSource < index.sources.length ? fromSource : 0;
    const view: ReviewView = { source, page: where.page, t, locale, actor };
    // Every change of the review is made on the version this card showed, then shown on the same page.
    const act = (action: CaseAction, notice: string) => this.act(actor, dsrCase, version, index, view, action, notice);
    switch (this.verb) {
      case REVIEW_VERBS.show:
        return this.card(dsrCase, index, view);
      case REVIEW_VERBS.exclude:
      case REVIEW_VERBS.redact:
      case REVIEW_VERBS.undo:
        return this.onRecord(actor, dsrCase, version, index, view, data);
      case REVIEW_VERBS.submit:
        return this.act(
          actor,
          dsrCase,
          version,
          index,
          view,
          { kind: 'submitReview' },
          t('review.replies.submitted'),
          // The officers who may approve it hear that it waits for them, with a button to this card.
          async (next) => {
            const hash = next.review?.submitted?.hash;
            if (hash) await this.services.notifier.approvalWaiting(next, { kind: 'review', hash }, placeOf(context));
          },
        );
      case REVIEW_VERBS.approve: {
        const parsed = approval.safeParse(data);
        if (!parsed.success) return this.card(dsrCase, index, view, t('review.replies.whatApproved'));
        return act({ kind: 'approveReview', hash: parsed.data.hash }, t('review.replies.approved'));
      }
      case REVIEW_VERBS.release:
        return this.release(actor, dsrCase, version, index, view);
      case REVIEW_VERBS.revoke:
        return act({ kind: 'revokeSubjectLink' }, t('review.replies.revoked'));
      default:
        return { kind: 'error', status: 400, message: t('review.replies.unknown') };
    }
  }

  private async onRecord(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    index: SnapshotIndex,
    view: ReviewView,
    data: CardData,
  ): Promise<ActionOutcome> {
    const target = recordTarget.safeParse(data);
    const located = target.success ? locate(index, target.data.recordId) : undefined;
    const { t } = view;
    if (!target.success || !located) return this.card(dsrCase, index, view, t('review.replies.notInPackage'));
    const recordId = target.data.recordId;
    const scope = String(located.position - view.page * REVIEW_PAGE_SIZE);
    if (this.verb === REVIEW_VERBS.undo) {
      return this.act(
        actor,
        dsrCase,
        version,
        index,
        view,
        { kind: 'undoReview', recordId },
        t('review.replies.undone'),
      );
    }
    if (this.verb === REVIEW_VERBS.exclude) {
      const parsed = exclusion.safeParse({
        ground: inputValue(data, 'ground', scope),
        note: inputValue(data, 'note', scope) ?? '',
      });
      if (!parsed.success) return this.card(dsrCase, index, view, formProblem(parsed.error.issues[0], t));
      return this.act(
        actor,
        dsrCase,
        version,
        index,
        view,
        { kind: 'excludeRecord', recordId, ground: parsed.data.ground, note: parsed.data.note },
        t('review.replies.withheld'),
      );
    }
    const parsed = redaction.safeParse({
      field: inputValue(data, 'field', scope),
      passage: inputValue(data, 'passage', scope) ?? '',
    });
    if (!parsed.success) return this.card(dsrCase, index, view, formProblem(parsed.error.issues[0], t));
    const [item] = await snapshotPage(this.deps.reviewDir, index, dsrCase.id, located.source, located.position, 1);
    const value = item?.record[parsed.data.field];
    if (typeof value !== 'string') return this.card(dsrCase, index, view, t('review.replies.noSuchField'));
    const passage = parsed.data.passage.trim();
    if (passage && !value.toLocaleLowerCase().includes(passage.toLocaleLowerCase()))
      return this.card(
        dsrCase,
        index,
        view,
        t('review.replies.notInField', { field: shownAsText(parsed.data.field, 60) }),
      );
    return this.act(
      actor,
      dsrCase,
      version,
      index,
      view,
      { kind: 'redactField', recordId, field: parsed.data.field, text: passage || null },
      t('review.replies.redacted'),
    );
  }

  /** Rebuilds the package from the reviewed snapshot, then records the release; a refused release leaves no file. */
  private async release(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    index: SnapshotIndex,
    view: ReviewView,
  ): Promise<ActionOutcome> {
    const review = dsrCase.review!;
    // The case checks all of this again when the release is recorded; checked first, a stale or
    // unapproved card does not build a package only to have it refused.
    const refusal =
      version !== dsrCase.version
        ? view.t('review.replies.stale')
        : review.release
          ? view.t('review.replies.alreadyReleased')
          : !review.approval
            ? view.t('review.replies.needsApproval')
            : undefined;
    if (refusal) {
      await this.services.cases.recordRefusal(
        actor,
        'releasePackage',
        version !== dsrCase.version ? 'stale' : 'invalid-input',
        dsrCase.id,
      );
      return this.card(dsrCase, index, view, refusal);
    }
    const { clock, log } = this.services;
    const now = clock.now();
    const built = await buildReleasedPackage(
      this.deps.reviewDir,
      dsrCase.id,
      dsrCase.subject.name,
      review,
      now,
      undefined,
      { ...(dsrCase.language ? { language: dsrCase.language } : {}), timeZone: this.services.calendar.timeZone },
    );
    const expiresAt = new Date(now.getTime() + this.deps.linkDays * DAY_MS).toISOString();
    const result = await this.services.cases.act(actor, dsrCase.id, version, {
      kind: 'releasePackage',
      packageId: built.packageId,
      records: built.records,
      bytes: built.bytes,
      token: randomBytes(32).toString('base64url'),
      expiresAt,
    });
    if (!result.ok) {
      await rm(built.path, { force: true });
      return this.card(result.case ?? dsrCase, index, view, refusalText(view.t, result));
    }
    log.info(
      { caseId: dsrCase.id, records: built.records, bytes: built.bytes },
      'package released to the data subject',
    );
    return this.card(result.case, index, view, view.t('review.replies.released'));
  }

  /** Applies a change and shows the card again, with what happened. */
  private async act(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    index: SnapshotIndex,
    view: ReviewView,
    action: CaseAction,
    success: string,
    then?: (next: DsrCase) => Promise<void>,
  ): Promise<ActionOutcome> {
    const result = await this.services.cases.act(actor, dsrCase.id, version, action);
    if (result.ok && then) await then(result.case);
    return this.card(
      result.ok ? result.case : (result.case ?? dsrCase),
      index,
      view,
      result.ok ? success : refusalText(view.t, result),
    );
  }

  private async card(
    dsrCase: DsrCase,
    index: SnapshotIndex,
    view: ReviewView,
    notice?: string,
  ): Promise<ActionOutcome> {
    const total = index.sources[view.source]?.records ?? 0;
    const lastPage = Math.max(0, Math.ceil(total / REVIEW_PAGE_SIZE) - 1);
    const page = Math.min(view.page, lastPage);
    const records = await snapshotPage(
      this.deps.reviewDir,
      index,
      dsrCase.id,
      view.source,
      page * REVIEW_PAGE_SIZE,
      REVIEW_PAGE_SIZE,
    );
    // The next thing to do once the package is out: the response, for whoever may give it.
    const respond = allowedActions(dsrCase, { actor: view.actor, privacyTeam: true }).actions.includes('respond');
    return {
      kind: 'card',
      card: reviewCard({
        respond,
        locale: view.locale,
        dsrCase,
        index,
        source: view.source,
        page,
        records,
        now: this.services.clock.now(),
        calendar: this.services.calendar,
        ...(notice ? { notice } : {}),
      }),
    };
  }
}

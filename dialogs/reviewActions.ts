import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { reviewCard, REVIEW_PAGE_SIZE, REVIEW_VERBS } from '../cards/reviewCard.js';
import { planCard } from '../cards/planCard.js';
import { inputValue } from '../cards/template.js';
import type { Actor, DsrCase } from '../dsr/case.js';
import type { CaseAction } from '../dsr/caseActions.js';
import { EXCLUSION_GROUNDS, REDACTION_TEXT_MAX_LENGTH, REVIEW_NOTE_MAX_LENGTH } from '../dsr/packageReview.js';
import {
  buildReleasedPackage,
  locate,
  snapshotIndex,
  snapshotPage,
  type SnapshotIndex,
} from '../dsr/reviewSnapshot.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { DsrServices } from './services.js';
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
      'Only the privacy team reviews what the person receives.',
    );
    if ('kind' in checked) return checked;
    const { actor, dsrCase, version } = checked;
    const at = position.safeParse(data);
    const where = at.success ? at.data : { source: 0, page: 0 };
    const index = dsrCase.review
      ? await snapshotIndex(this.deps.reviewDir, dsrCase.id, dsrCase.review.snapshotId)
      : undefined;
    if (!dsrCase.review || !index) {
      return {
        kind: 'card',
        card: planCard(dsrCase, 'There is no package to review; prepare the package first.'),
      };
    }
    const fromSource = this.verb === REVIEW_VERBS.show ? Number(data.source ?? where.source) : where.source;
    const source =
      Number.isInteger(fromSource) && fromSource >= 0 && fromSource < index.sources.length ? fromSource : 0;
    const view = { source, page: where.page };
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
        return act({ kind: 'submitReview' }, 'Review done; another privacy officer approves it.');
      case REVIEW_VERBS.approve: {
        const parsed = approval.safeParse(data);
        if (!parsed.success) return this.card(dsrCase, index, view, 'This card does not say what you approve.');
        return act(
          { kind: 'approveReview', hash: parsed.data.hash },
          'Approved. It can now be released to the person.',
        );
      }
      case REVIEW_VERBS.release:
        return this.release(actor, dsrCase, version, index, view);
      case REVIEW_VERBS.revoke:
        return act({ kind: 'revokeSubjectLink' }, 'The link is revoked; it opens nothing any more.');
      default:
        return { kind: 'error', status: 400, message: 'Unknown review action.' };
    }
  }

  private async onRecord(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    index: SnapshotIndex,
    view: { source: number; page: number },
    data: CardData,
  ): Promise<ActionOutcome> {
    const target = recordTarget.safeParse(data);
    const located = target.success ? locate(index, target.data.recordId) : undefined;
    if (!target.success || !located) return this.card(dsrCase, index, view, 'That record is not in the package.');
    const recordId = target.data.recordId;
    const scope = String(located.position - view.page * REVIEW_PAGE_SIZE);
    if (this.verb === REVIEW_VERBS.undo) {
      return this.act(actor, dsrCase, version, index, view, { kind: 'undoReview', recordId }, 'Undone.');
    }
    if (this.verb === REVIEW_VERBS.exclude) {
      const parsed = exclusion.safeParse({
        ground: inputValue(data, 'ground', scope),
        note: inputValue(data, 'note', scope) ?? '',
      });
      if (!parsed.success) return this.card(dsrCase, index, view, parsed.error.issues[0]!.message);
      return this.act(
        actor,
        dsrCase,
        version,
        index,
        view,
        { kind: 'excludeRecord', recordId, ground: parsed.data.ground, note: parsed.data.note },
        'Withheld.',
      );
    }
    const parsed = redaction.safeParse({
      field: inputValue(data, 'field', scope),
      passage: inputValue(data, 'passage', scope) ?? '',
    });
    if (!parsed.success) return this.card(dsrCase, index, view, parsed.error.issues[0]!.message);
    const [item] = await snapshotPage(this.deps.reviewDir, index, dsrCase.id, located.source, located.position, 1);
    const value = item?.record[parsed.data.field];
    if (typeof value !== 'string') return this.card(dsrCase, index, view, 'That record has no such text field.');
    const passage = parsed.data.passage.trim();
    if (passage && !value.toLocaleLowerCase().includes(passage.toLocaleLowerCase()))
      return this.card(dsrCase, index, view, `That text is not in ${parsed.data.field}; nothing was redacted.`);
    return this.act(
      actor,
      dsrCase,
      version,
      index,
      view,
      { kind: 'redactField', recordId, field: parsed.data.field, text: passage || null },
      'Redacted.',
    );
  }

  /** Rebuilds the package from the reviewed snapshot, then records the release; a refused release leaves no file. */
  private async release(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    index: SnapshotIndex,
    view: { source: number; page: number },
  ): Promise<ActionOutcome> {
    const review = dsrCase.review!;
    // The case checks all of this again when the release is recorded; checked first, a stale or
    // unapproved card does not build a package only to have it refused.
    const refusal =
      version !== dsrCase.version
        ? 'This case changed since you looked at it; here is the current state.'
        : review.release
          ? 'The package was already released.'
          : !review.approval
            ? 'Another privacy officer must approve the reviewed package before it is released.'
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
      return this.card(result.case ?? dsrCase, index, view, result.message);
    }
    log.info(
      { caseId: dsrCase.id, records: built.records, bytes: built.bytes },
      'package released to the data subject',
    );
    return this.card(
      result.case,
      index,
      view,
      'Released. Respond to send the letter that carries the person’s link (and the package itself where it is small enough).',
    );
  }

  /** Applies a change and shows the card again, with what happened. */
  private async act(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    index: SnapshotIndex,
    view: { source: number; page: number },
    action: CaseAction,
    success: string,
  ): Promise<ActionOutcome> {
    const result = await this.services.cases.act(actor, dsrCase.id, version, action);
    return this.card(
      result.ok ? result.case : (result.case ?? dsrCase),
      index,
      view,
      result.ok ? success : result.message,
    );
  }

  private async card(
    dsrCase: DsrCase,
    index: SnapshotIndex,
    view: { source: number; page: number },
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
    return {
      kind: 'card',
      card: reviewCard({
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

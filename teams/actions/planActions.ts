import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { planCard, PLAN_VERBS, type PlanView } from '../../cards/planCard.js';
import { said, translator } from '../../i18n/index.js';
import { viewT } from '../../cards/changeStepCard.js';
import { refusalText } from '../refusalText.js';
import type { Notice } from '../../cards/notices.js';
import type { Actor, DsrCase } from '../../dsr/case.js';
import type { CaseAction } from '../../dsr/caseActions.js';
import type { ChangeRunner } from '../../dsr/runs/changeRun.js';
import type { Connector } from '../../dsr/discovery.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type PackageBuilder,
  type PackageProgress,
} from '../../dsr/runs/packageRun.js';
import { buildPlan, PACKAGE_STEP_ID, remainingSteps } from '../../dsr/plan.js';
import { LETTER_VERBS } from '../../cards/verbs.js';
import { LetterAction } from './letterActions.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import { PressedCard, type CardUpdater } from '../cardUpdater.js';
import type { DsrServices } from '../services.js';
import { teamCaseTarget } from './teamCaseAction.js';
import { parseTick, parseWait } from '../conversation/planInputs.js';
import { readerPlanView } from '../conversation/planView.js';

/** What a refused press says: nothing changed, and why. */
const refused = (text: string): Notice => ({ tone: 'error', text });

export interface PlanDeps {
  connectors: () => Promise<Connector[]>;
  /** Builds the package, with its review snapshot where reviews are kept. */
  packages: PackageBuilder;
  /** Hands the package to the member privately (file consent card or signed link); false when there is no 1:1 chat. */
  deliver: (
    actor: Actor,
    facts: { caseId: string; packageId: string; records: number; bytes: number },
  ) => Promise<boolean>;
  /** What the plan card shows beyond the case (interrupted steps, restriction choices). */
  view: (dsrCase: DsrCase) => Promise<PlanView>;
  /** Who builds a package: one instance at a time, and another once the builder died. */
  leases: Pick<ChangeRunner, 'claim' | 'heldElsewhere'>;
  updater: CardUpdater;
}

/** The card a press came from, to be replaced once the work it started ends. */
const OWN_VERBS = [
  PLAN_VERBS.show,
  PLAN_VERBS.refresh,
  PLAN_VERBS.create,
  PLAN_VERBS.tick,
  PLAN_VERBS.wait,
  PLAN_VERBS.respond,
  PLAN_VERBS.preparePackage,
];

const stepSchema = z.object({ stepId: z.string().min(1).max(80) });
/** JSON and CSV unless the member asks for XML too (or only some). */
const formatsSchema = z
  .string()
  .max(40)
  .default('json,csv')
  .transform((text) =>
    text
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(EXPORT_FORMATS)).min(1, 'Choose at least one format for the package.'));

/** "Make the plan", "Prepare package", "Mark done" and "Respond" on the plan card. */
export class PlanAction implements CardActionHandler {
  constructor(
    readonly verb: string,
    private readonly services: DsrServices,
    private readonly deps: PlanDeps,
    private readonly running: Set<string>,
  ) {}

  static all(services: DsrServices, deps: PlanDeps): PlanAction[] {
    const running = new Set<string>();
    return OWN_VERBS.map((verb) => new PlanAction(verb, services, deps, running));
  }

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const { cases } = this.services;
    const checked = await teamCaseTarget(
      context,
      this.verb,
      data,
      this.services,
      translator(context.activity.locale)('refusals.plan.onlyTeam'),
    );
    if ('kind' in checked) return checked;
    const { actor, dsrCase } = checked;
    const version = checked.version;
    const reader = { actor, locale: context.activity.locale };
    const viewOf = async (shown: DsrCase) => readerPlanView(this.services, await this.deps.view(shown), reader);
    const t = translator(context.activity.locale);
    switch (this.verb) {
      case PLAN_VERBS.show: {
        // "Next page" and "Previous page" name the page; an unreadable one shows the first.
        const page = z.coerce.number().int().min(0).max(1000).optional().catch(undefined).parse(data.page);
        const view = await viewOf(dsrCase);
        return { kind: 'card', card: planCard(dsrCase, undefined, page === undefined ? view : { ...view, page }) };
      }
      case PLAN_VERBS.refresh: {
        // Unchanged since the card was made: the same card for this reader, without a further
        // refresh, which ends Teams' refresh of the refreshed card (see triageCard.ts).
        const view = await viewOf(dsrCase);
        const { refreshUserIds: _ids, ...settled } = view;
        void _ids;
        return { kind: 'card', card: planCard(dsrCase, undefined, version === dsrCase.version ? settled : view) };
      }
      case PLAN_VERBS.create: {
        const connectors = await this.deps.connectors();
        const plan = buildPlan(
          dsrCase,
          connectors.map((c) => c.info),
          new Set(connectors.filter((c) => c.connected).map((c) => c.info.id)),
          this.services.clock.now(),
        );
        return this.act(actor, dsrCase, version, { kind: 'createPlan', plan }, t('plan.notice.ready'), viewOf);
      }
      case PLAN_VERBS.tick: {
        const parsed = parseTick(data, dsrCase, version, t);
        if ('invalid' in parsed)
          return { kind: 'card', card: planCard(dsrCase, refused(parsed.invalid), await viewOf(dsrCase)) };
        return this.act(
          actor,
          dsrCase,
          version,
          { kind: 'tickStep', ...parsed },
          t('plan.notice.marked', { count: parsed.stepIds.length }),
          viewOf,
        );
      }
      case PLAN_VERBS.wait: {
        const parsed = parseWait(data, dsrCase, version, t, this.services);
        if ('invalid' in parsed)
          return { kind: 'card', card: planCard(dsrCase, refused(parsed.invalid), await viewOf(dsrCase)) };
        return this.act(
          actor,
          dsrCase,
          version,
          { kind: 'awaitStep', ...parsed },
          t('plan.notice.waiting', { count: parsed.stepIds.length }),
          viewOf,
        );
      }
      case PLAN_VERBS.respond:
        // Respond shows the response letter first; sending it (or marking it sent) answers the case.
        if (this.services.letters) {
          if (dsrCase.plan && remainingSteps(dsrCase.plan).length > 0) {
            return this.act(actor, dsrCase, version, { kind: 'respond' }, '', viewOf);
          }
          return new LetterAction(LETTER_VERBS.show, this.services, this.services.letters).handle(context, {
            caseId: dsrCase.id,
            letter: 'response',
          });
        }
        return this.act(actor, dsrCase, version, { kind: 'respond' }, t('plan.notice.responded'), viewOf);
      case PLAN_VERBS.preparePackage: {
        const parsed = stepSchema.safeParse(data);
        if (!parsed.success || parsed.data.stepId !== PACKAGE_STEP_ID)
          return { kind: 'error', status: 400, message: t('refusals.plan.noPackageStep') };
        const formats = formatsSchema.safeParse(data.formats === '' ? undefined : data.formats);
        if (!formats.success)
          return {
            kind: 'card',
            card: planCard(
              dsrCase,
              formats.error.issues[0]?.message.startsWith('Choose')
                ? t('plan.notice.chooseFormat')
                : t('plan.notice.formats'),
              await viewOf(dsrCase),
            ),
          };
        if (this.running.has(dsrCase.id))
          return { kind: 'message', text: t('refusals.plan.packageRunning', { caseId: dsrCase.id }) };
        let current = dsrCase;
        const step = dsrCase.plan?.steps.find((s) => s.id === PACKAGE_STEP_ID);
        const elsewhere = t('refusals.plan.packageRunning', { caseId: dsrCase.id });
        if (step?.state === 'running' && (await this.deps.leases.heldElsewhere(dsrCase.id, PACKAGE_STEP_ID)))
          return { kind: 'message', text: elsewhere };
        const release = await this.deps.leases.claim(dsrCase.id, PACKAGE_STEP_ID);
        if (!release) return { kind: 'message', text: elsewhere };
        if (step?.state === 'running') {
          // Running on the case, but no live process holds it: the bot that built it stopped
          // midway. That is reported as a failure, never as done, and the package is built again.
          const interrupted = await cases.act(actor, dsrCase.id, version, {
            kind: 'failStep',
            stepId: PACKAGE_STEP_ID,
            error: 'The bot restarted while preparing the package; it is prepared again.',
            said: said('plan.package.restarted'),
          });
          if (!interrupted.ok) {
            await release();
            const shown = interrupted.case ?? dsrCase;
            return { kind: 'card', card: planCard(shown, refusalText(t, interrupted), await viewOf(shown)) };
          }
          current = interrupted.case;
        }
        const started = await cases.act(actor, current.id, current.version, {
          kind: 'startStep',
          stepId: PACKAGE_STEP_ID,
        });
        if (!started.ok) {
          await release();
          const shown = started.case ?? dsrCase;
          return { kind: 'card', card: planCard(shown, refusalText(t, started), await viewOf(shown)) };
        }
        this.running.add(dsrCase.id);
        // Not awaited: the turn is answered at once and the link arrives in the member's 1:1 chat.
        const pressed = PressedCard.of(context, this.deps.updater, this.services.log, dsrCase.id, 'plan');
        void this.buildPackage(reader, started.case, formats.data, pressed).finally(() => {
          this.running.delete(dsrCase.id);
          void release().catch(() => undefined);
        });
        return {
          kind: 'card',
          card: planCard(started.case, t('plan.notice.preparing'), await viewOf(started.case)),
        };
      }
      default:
        return { kind: 'error', status: 400, message: t('replies.card.unknown') };
    }
  }

  private async act(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    action: CaseAction,
    success: string,
    viewOf: (shown: DsrCase) => Promise<PlanView>,
  ): Promise<ActionOutcome> {
    const result = await this.services.cases.act(actor, dsrCase.id, version, action);
    // The requester hears that their case was answered, as the response letter's path tells them.
    if (result.ok && action.kind === 'respond') await this.services.notifier.caseNews(result.case, 'answered');
    const shown = result.ok ? result.case : (result.case ?? dsrCase);
    const view = await viewOf(shown);
    // The page of the step just ticked, not the first page.
    const stepId = 'stepIds' in action ? action.stepIds[0] : 'stepId' in action ? action.stepId : undefined;
    const focused = stepId ? { ...view, focusStepId: stepId } : view;
    const notice: Notice = result.ok
      ? { tone: 'good', text: success }
      : { tone: 'error', text: refusalText(viewT(view), result) };
    return { kind: 'card', card: planCard(shown, notice, focused) };
  }

  /** Records the step's end on the latest version of the case, retrying when someone changed it meanwhile. */
  private async finish(actor: Actor, caseId: string, action: CaseAction): Promise<DsrCase | undefined> {
    const result = await this.services.cases.actOnLatest(actor, caseId, action);
    if (result.ok) return result.case;
    if (result.refusal === 'stale') return undefined;
    return result.case ?? (await this.services.cases.viewCase(actor, caseId));
  }

  /**
   * Replaces the card that asked for the package with the plan as it now stands, so it neither
   * shows the step running for ever nor offers buttons of a version the package step left behind;
   * in the language and view of the one who asked, as the progress before it.
   */
  private async showPlan(
    pressed: PressedCard,
    dsrCase: DsrCase | undefined,
    reader: { actor: Actor; locale: string | undefined },
  ): Promise<void> {
    if (!dsrCase) return;
    await pressed.show(async () =>
      planCard(dsrCase, undefined, await readerPlanView(this.services, await this.deps.view(dsrCase), reader)),
    );
  }

  /**
   * Builds the package in the background. The card that asked for it shows how many systems are
   * written, in the language and view of the one who asked (as the card their press returned),
   * and at the end the plan as it then stands.
   */
  private async buildPackage(
    /** Who asked, and their language: for the progress and the message that hands over the package link. */
    reader: { actor: Actor; locale: string | undefined },
    dsrCase: DsrCase,
    formats: ExportFormat[],
    pressed: PressedCard,
  ): Promise<void> {
    const { log } = this.services;
    const { actor, locale } = reader;
    const t = translator(locale);
    const showProgress = ({ done, total }: PackageProgress) => {
      void pressed.show(async () =>
        planCard(
          dsrCase,
          { tone: 'info', text: t('plan.notice.building', { done, count: total }) },
          await readerPlanView(this.services, await this.deps.view(dsrCase), reader),
        ),
      );
    };
    try {
      const prepared = await this.deps.packages.build(dsrCase, { formats, review: true, onProgress: showProgress });
      // What goes to the data subject is reviewed first; a new package starts a new review. Opened
      // before the step completes, so whoever sees the step done sees its review too.
      if (prepared.snapshotId) {
        await this.finish(actor, dsrCase.id, {
          kind: 'openReview',
          snapshotId: prepared.snapshotId,
          records: prepared.manifest.totalRecords,
        });
      }
      const completed = await this.finish(actor, dsrCase.id, {
        kind: 'completeStep',
        stepId: PACKAGE_STEP_ID,
        packageId: prepared.packageId,
      });
      log.info({ caseId: dsrCase.id, records: prepared.manifest.totalRecords, bytes: prepared.bytes }, 'package ready');
      const told = await this.deps.deliver(actor, {
        caseId: dsrCase.id,
        packageId: prepared.packageId,
        records: prepared.manifest.totalRecords,
        bytes: prepared.bytes,
        ...(locale ? { locale } : {}),
      });
      if (!told) log.warn({ caseId: dsrCase.id }, 'no private chat to deliver the package link');
      await this.showPlan(pressed, completed, reader);
    } catch (error) {
      // The error may quote a request naming the person, so only its kind is logged.
      log.error({ caseId: dsrCase.id, error: error instanceof Error ? error.name : 'unknown' }, 'package failed');
      const failed = await this.finish(actor, dsrCase.id, {
        kind: 'failStep',
        stepId: PACKAGE_STEP_ID,
        error: 'The package could not be prepared; a system did not answer. Try again.',
        said: said('plan.package.failed'),
      });
      await this.showPlan(pressed, failed, reader);
    }
  }
}

import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { TFunction } from 'i18next';
import { planCard, PLAN_VERBS } from '../../cards/planCard.js';
import { stepTitle } from '../../cards/planStepText.js';
import type { Notice } from '../../cards/notices.js';
import type { DsrCase } from '../../dsr/case.js';
import { BULK_STEPS_MAX, parsePreviewToken, type StepApprovalRequest } from '../../dsr/bulkSteps.js';
import { changeConnectorFor } from '../../dsr/runs/changeRun.js';
import type { PlanStep } from '../../dsr/plan.js';
import { translator } from '../../i18n/index.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { ChangeDeps } from './changeActions.js';
import { connectorRefusal, planViewOf } from './changeActions.js';
import type { DsrServices } from '../services.js';
import { teamCaseTarget } from './teamCaseAction.js';
import { placeOf } from '../notifier.js';
import { PressedCard } from '../cardUpdater.js';
import { refusalText } from '../refusalText.js';
import { refreshPreviewCards } from './previewCards.js';
import { readerPlanView } from '../conversation/planView.js';

/** The previews an "Approve all" card carries: one token per step, each with its own hash. */
const previewsSchema = z
  .array(z.unknown())
  .min(1)
  .max(BULK_STEPS_MAX)
  .transform((tokens) => tokens.map(parsePreviewToken))
  .refine((requests): requests is StepApprovalRequest[] => requests.every(Boolean))
  .refine((requests) => new Set(requests.map((r) => r?.stepId)).size === requests.length)
  .transform((requests) => requests.filter((r): r is StepApprovalRequest => r !== undefined));

/** The steps named in a notice: their titles in the reader's words. */
function named(steps: Array<{ step?: PlanStep; stepId: string; why?: string }>, t: TFunction): string {
  return steps
    .map(({ step, stepId, why }) => `${step ? stepTitle(step, t) : stepId.slice(0, 80)}${why ? ` (${why})` : ''}`)
    .join('; ');
}

/**
 * "Approve all previews" and "Apply all approved" on the plan card: one press for the change steps
 * a privacy officer would otherwise approve or apply one by one. Every step keeps its own checks:
 * an approval bound to that step's preview hash and never given by who made the preview, a run
 * with its own lease. The plan answers, with what was done and what was refused, and why.
 */
export class BulkChangeAction implements CardActionHandler {
  constructor(
    readonly verb: string,
    private readonly services: DsrServices,
    private readonly deps: ChangeDeps,
  ) {}

  static all(services: DsrServices, deps: ChangeDeps): BulkChangeAction[] {
    return [PLAN_VERBS.approveAll, PLAN_VERBS.applyAll].map((verb) => new BulkChangeAction(verb, services, deps));
  }

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const checked = await teamCaseTarget(
      context,
      this.verb,
      data,
      this.services,
      translator(context.activity.locale)('refusals.plan.onlyTeam'),
    );
    if ('kind' in checked) return checked;
    const { actor, dsrCase, version } = checked;
    const locale = context.activity.locale;
    const t = translator(locale);
    const card = async (shown: DsrCase, notice: Notice, focusStepId?: string): Promise<ActionOutcome> => {
      const view = await readerPlanView(this.services, await planViewOf(shown, this.deps), { actor, locale });
      return { kind: 'card', card: planCard(shown, notice, focusStepId ? { ...view, focusStepId } : view) };
    };

    if (this.verb === PLAN_VERBS.approveAll) {
      // Bound per step to the hash the card showed, not to the card's version: a step previewed
      // anew since is refused and named, the others are approved.
      const previews = previewsSchema.safeParse(data.previews);
      if (!previews.success) {
        await this.services.cases.recordRefusal(actor, this.verb, 'invalid-input', dsrCase.id);
        return card(dsrCase, { tone: 'error', text: t('change.notice.unreadableApprovals') });
      }
      const result = await this.deps.runner.approveAll(actor, dsrCase, previews.data);
      await refreshPreviewCards(
        this.services,
        this.deps.updater,
        result.case,
        result.approved,
        placeOf(context),
        async () => readerPlanView(this.services, await planViewOf(result.case, this.deps)),
      );
      const refused = result.refused.map((r) => ({ ...r, why: t(`change.bulk.refusal.${r.refusal}`) }));
      const text = [
        ...(result.approved.length > 0 ? [t('change.notice.approvedAll', { count: result.approved.length })] : []),
        ...(refused.length > 0 ? [t('change.notice.notApproved', { steps: named(refused, t) })] : []),
      ].join(' ');
      const tone = refused.length === 0 ? 'good' : result.approved.length > 0 ? 'info' : 'error';
      return card(result.case, { tone, text }, result.approved[0]?.id);
    }

    // Apply all: on the version the card showed, as one Apply is.
    if (version !== dsrCase.version) return card(dsrCase, { tone: 'error', text: t('change.notice.stale') });
    const connectors = await this.deps.connectors();
    const pressed = PressedCard.of(context, this.deps.updater, this.services.log, dsrCase.id, 'plan');
    // The plan as the store holds it when the update goes out: with several runs ending in any
    // order, the last update shows every step as it ended.
    const result = await this.deps.runner.startAll(
      actor,
      dsrCase,
      (step) => changeConnectorFor(connectors, step),
      (reported) =>
        pressed.show(async () => {
          const latest = (await this.services.cases.viewCase(actor, dsrCase.id)) ?? reported;
          return planCard(latest, undefined, await readerPlanView(this.services, await planViewOf(latest, this.deps)));
        }),
    );
    if (result.started.length === 0 && result.notStarted.length === 0)
      return card(result.case, { tone: 'error', text: t('change.notice.nothingToApply') });
    const text = [
      ...(result.started.length > 0 ? [t('change.notice.startedAll', { count: result.started.length })] : []),
      ...(result.notStarted.length > 0
        ? [
            t('change.notice.notStarted', {
              steps: named(
                result.notStarted.map((entry) => ({
                  step: entry.step,
                  stepId: entry.step.id,
                  why:
                    entry.refusal === 'connector'
                      ? t(connectorRefusal(connectors, entry.step), { system: entry.step.systemName })
                      : refusalText(t, entry),
                })),
                t,
              ),
            }),
          ]
        : []),
    ].join(' ');
    const tone = result.notStarted.length === 0 ? 'good' : result.started.length > 0 ? 'info' : 'error';
    return card(result.case, { tone, text }, result.started[0]?.id);
  }
}

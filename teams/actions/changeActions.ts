import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { changePreviewCard } from '../../cards/changeStepCard.js';
import { planCard, PLAN_VERBS, type PlanView } from '../../cards/planCard.js';
import { inputValue } from '../../cards/template.js';
import type { Actor, DsrCase } from '../../dsr/case.js';
import { PACKAGE_STEP_ID } from '../../dsr/plan.js';
import { OVERRIDE_REASON_MAX } from '../../dsr/planCaseActions.js';
import { changeConnectorFor, type ChangeRunner } from '../../dsr/runs/changeRun.js';
import { correctionsSchema, firstIssue, restrictModeSchema } from '../../dsr/changePreview.js';
import { ChangeRequestError, type ChangeConnector, type ChangeRequest, type Correction } from '../../dsr/changes.js';
import type { Connector } from '../../dsr/discovery.js';
import type { PlanStep } from '../../dsr/plan.js';
import type { IsolatedCopy } from '../../dsr/isolatedCopies.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import { PressedCard, type CardUpdater } from '../cardUpdater.js';
import type { DsrServices } from '../services.js';
import { placeOf, type CardPlace } from '../notifier.js';
import { teamCaseTarget } from './teamCaseAction.js';
import { readerPlanView } from '../conversation/planView.js';
import { refreshPreviewCards } from './previewCards.js';
import { said, translator, wordsOf, type Said } from '../../i18n/index.js';
import { refusalText } from '../refusalText.js';

/** Who a card is rendered for, and in which language. */
interface Reader {
  actor: Actor;
  locale: string | undefined;
}

export interface ChangeDeps {
  connectors: () => Promise<Connector[]>;
  runner: ChangeRunner;
  updater: CardUpdater;
  /**
   * Builds the person's package for a restriction that isolates records and stores its isolated
   * copy durably; with `deliver` (a plan without a package step) also hands the package to the
   * member and says its id. Throws when the copy cannot be stored.
   */
  isolationPackage: (
    actor: Actor,
    dsrCase: DsrCase,
    deliver: boolean,
  ) => Promise<{ packageId?: string; copy: IsolatedCopy }>;
}

export const CHANGE_VERBS = [
  PLAN_VERBS.preview,
  PLAN_VERBS.showPreview,
  PLAN_VERBS.approve,
  PLAN_VERBS.apply,
  PLAN_VERBS.resume,
  PLAN_VERBS.lift,
  PLAN_VERBS.override,
] as const;

const stepSchema = z.object({ stepId: z.string().min(1).max(80) });
const approveSchema = z.object({ stepId: z.string().min(1).max(80), previewHash: z.string().regex(/^[0-9a-f]{64}$/) });
const overrideSchema = z.object({
  recordId: z.string().min(1).max(200),
  kind: z.string().min(1).max(60),
  // Catalogue keys, worded for the reader by firstIssue's caller.
  reason: z
    .string({ message: 'refusals.change.overrideReason' })
    .trim()
    .min(1, 'refusals.change.overrideReason')
    .max(OVERRIDE_REASON_MAX, 'refusals.change.overrideTooLong'),
});
const kindsSchema = z.array(z.string().max(60)).max(6);

/** What the plan card shows beyond the case: interrupted steps and the systems' restriction choices. */
export async function planViewOf(dsrCase: DsrCase, deps: Pick<ChangeDeps, 'connectors' | 'runner'>): Promise<PlanView> {
  const connectors = await deps.connectors();
  const restrictModes: Record<string, readonly ('flag' | 'isolate')[]> = {};
  for (const connector of connectors) {
    const modes = connector.changes?.restrictModes;
    if (modes && modes.length > 0) restrictModes[connector.info.id] = modes;
  }
  return { interrupted: await deps.runner.interrupted(dsrCase), restrictModes };
}

/** The corrections or restriction mode entered on the card, checked, or what is wrong with them. */
function changeRequestOf(step: PlanStep, data: CardData): ChangeRequest | { invalid: Said } {
  if (step.right === 'delete') return { right: 'delete' };
  if (step.right === 'restrict') {
    const mode = restrictModeSchema.safeParse(inputValue(data, 'mode', step.id) ?? 'flag');
    return mode.success ? { right: 'restrict', mode: mode.data } : { invalid: firstIssue(mode.error) };
  }
  const kinds = kindsSchema.safeParse(data.kinds);
  if (!kinds.success) return { invalid: said('refusals.change.noKinds') };
  const entered: Correction[] = [];
  kinds.data.forEach((kind, n) => {
    const field = inputValue(data, `field${n}`, step.id);
    const value = inputValue(data, `value${n}`, step.id);
    const hasValue = typeof value === 'string' && value.trim() !== '';
    if (hasValue || (typeof field === 'string' && field.trim() !== ''))
      entered.push({
        kind,
        field: typeof field === 'string' ? field : '',
        value: typeof value === 'string' ? value.trim() : '',
      });
  });
  const corrections = correctionsSchema.safeParse(entered);
  if (!corrections.success) return { invalid: firstIssue(corrections.error) };
  if (corrections.data.some((c) => c.value === '')) return { invalid: said('refusals.change.newValue') };
  return { right: 'rectify', corrections: corrections.data };
}

/** Preview, approve, apply (and retry), resume and lift on the steps that change data. */
export class ChangeAction implements CardActionHandler {
  constructor(
    readonly verb: string,
    private readonly services: DsrServices,
    private readonly deps: ChangeDeps,
  ) {}

  static all(services: DsrServices, deps: ChangeDeps): ChangeAction[] {
    return CHANGE_VERBS.map((verb) => new ChangeAction(verb, services, deps));
  }

  /** The plan at the page of the step acted on, for its reader. */
  private async card(
    reader: Reader,
    focusStepId: string | undefined,
    dsrCase: DsrCase,
    notice?: string,
  ): Promise<ActionOutcome> {
    const view = await this.view(reader, dsrCase);
    return { kind: 'card', card: planCard(dsrCase, notice, focusStepId ? { ...view, focusStepId } : view) };
  }

  /** The preview of one step, for its reader: the one who made it sees no Approve. */
  private async previewCard(reader: Reader, dsrCase: DsrCase, step: PlanStep, notice?: string): Promise<ActionOutcome> {
    return { kind: 'card', card: changePreviewCard(dsrCase, step, notice, await this.view(reader, dsrCase)) };
  }

  private async view(reader: Reader | undefined, dsrCase: DsrCase): Promise<PlanView> {
    return readerPlanView(this.services, await planViewOf(dsrCase, this.deps), reader);
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
    const reader: Reader = { actor, locale: context.activity.locale };
    const t = translator(context.activity.locale);
    const parsed = stepSchema.safeParse(data);
    const step = parsed.success ? dsrCase.plan?.steps.find((s) => s.id === parsed.data.stepId) : undefined;
    if (!step || !step.destructive || step.mode !== 'automated')
      return { kind: 'error', status: 400, message: t('refusals.change.noStep') };
    if (version !== dsrCase.version) return this.card(reader, step?.id, dsrCase, t('change.notice.stale'));
    const { cases } = this.services;

    if (this.verb === PLAN_VERBS.showPreview) return this.previewCard(reader, dsrCase, step);

    if (this.verb === PLAN_VERBS.approve) {
      const approval = approveSchema.safeParse(data);
      if (!approval.success) return { kind: 'error', status: 400, message: t('refusals.change.noPreview') };
      const result = await this.deps.runner.approve(actor, dsrCase, step.id, approval.data.previewHash);
      if (result.ok)
        await refreshPreviewCards(this.services, this.deps.updater, result.case, [step], placeOf(context), () =>
          this.view(undefined, result.case),
        );
      return this.card(
        reader,
        step?.id,
        result.ok ? result.case : (result.case ?? dsrCase),
        result.ok ? t('change.notice.approved') : refusalText(t, result),
      );
    }

    const connectors = await this.deps.connectors();
    const changes = changeConnectorFor(connectors, step);
    if (typeof changes === 'string') {
      return this.card(reader, step?.id, dsrCase, t(connectorRefusal(connectors, step), { system: step.systemName }));
    }

    if (this.verb === PLAN_VERBS.override) {
      const override = overrideSchema.safeParse({
        recordId: data.recordId,
        kind: data.kind,
        reason: inputValue(data, `overrideReason.${String(data.recordId)}`, step.id),
      });
      if (!override.success) {
        await cases.recordRefusal(actor, this.verb, 'invalid-input', dsrCase.id);
        return this.previewCard(
          reader,
          dsrCase,
          step,
          wordsOf(t, firstIssue(override.error, { max: OVERRIDE_REASON_MAX })),
        );
      }
      return this.previewed(reader, dsrCase, step, { right: 'delete' }, changes, placeOf(context), override.data);
    }

    if (this.verb === PLAN_VERBS.preview) {
      const request = changeRequestOf(step, data);
      if ('invalid' in request) {
        await cases.recordRefusal(actor, this.verb, 'invalid-input', dsrCase.id);
        return this.card(reader, step?.id, dsrCase, wordsOf(t, request.invalid));
      }
      if (request.right === 'restrict' && changes.restrictModes && !changes.restrictModes.includes(request.mode))
        return this.card(reader, step?.id, dsrCase, t('change.notice.restrictMode', { system: step.systemName }));
      return this.previewed(reader, dsrCase, step, request, changes, placeOf(context));
    }

    if (this.verb === PLAN_VERBS.lift) {
      if (step.state === 'running') return this.card(reader, step?.id, dsrCase, t('change.notice.liftRunning'));
      const result = await this.deps.runner.lift(actor, dsrCase, step, changes);
      return this.card(
        reader,
        step?.id,
        result.ok ? result.case : (result.case ?? dsrCase),
        result.ok ? t('change.notice.lifted') : refusalText(t, result),
      );
    }

    // Apply, Retry and Resume.
    const resume = this.verb === PLAN_VERBS.resume;
    if (resume && !(await this.deps.runner.interrupted(dsrCase)).has(step.id))
      return this.card(reader, step?.id, dsrCase, t('change.notice.notInterrupted'));
    let packageId: string | undefined;
    let isolatedCopy: IsolatedCopy | undefined;
    const isolating = step.preview?.request.right === 'restrict' && step.preview.request.mode === 'isolate';
    if (isolating && !resume) {
      // The records leave the system, so their copy is stored first (and, without a package step,
      // the package is handed over): a copy that cannot be stored means nothing is removed.
      const deliver = !step.packageId && !dsrCase.plan?.steps.some((s) => s.id === PACKAGE_STEP_ID);
      try {
        const isolated = await this.deps.isolationPackage(actor, dsrCase, deliver);
        packageId = isolated.packageId;
        isolatedCopy = isolated.copy;
      } catch (error) {
        this.services.log.warn(
          { caseId: dsrCase.id, error: error instanceof Error ? error.name : 'unknown' },
          'isolation package failed',
        );
        return this.card(reader, step?.id, dsrCase, t('change.notice.isolationFailed'));
      }
    }
    const pressed = PressedCard.of(context, this.deps.updater, this.services.log, dsrCase.id, 'plan');
    const started = await this.deps.runner.start(
      actor,
      dsrCase,
      step.id,
      changes,
      // The plan as it stands, on the page of the running step.
      (latest) =>
        pressed.show(async () =>
          planCard(latest, undefined, { ...(await this.view(undefined, latest)), focusStepId: step.id }),
        ),
      { resume, ...(packageId ? { packageId } : {}), ...(isolatedCopy ? { isolatedCopy } : {}) },
    );
    if (!started.ok) return this.card(reader, step?.id, started.case ?? dsrCase, refusalText(t, started));
    return this.card(reader, step?.id, started.case, resume ? t('change.notice.resumed') : t('change.notice.running'));
  }

  /** Asks the system for a preview (with an override, if one was written) and shows it for approval. */
  private async previewed(
    reader: Reader,
    dsrCase: DsrCase,
    step: PlanStep,
    request: ChangeRequest,
    changes: ChangeConnector,
    place: CardPlace,
    override?: { recordId: string; kind: string; reason: string },
  ): Promise<ActionOutcome> {
    const { cases } = this.services;
    const { actor } = reader;
    const t = translator(reader.locale);
    let result;
    try {
      result = await this.deps.runner.preview(actor, dsrCase, step, request, changes, override);
    } catch (error) {
      if (error instanceof ChangeRequestError) {
        await cases.recordRefusal(actor, this.verb, 'invalid-input', dsrCase.id);
        return this.card(reader, step.id, dsrCase, wordsOf(t, error.said));
      }
      this.services.log.warn(
        { caseId: dsrCase.id, stepId: step.id, error: error instanceof Error ? error.name : 'unknown' },
        'preview failed',
      );
      return this.card(reader, step.id, dsrCase, t('change.notice.previewFailed', { system: step.systemName }));
    }
    if (!result.ok) return this.card(reader, step.id, result.case ?? dsrCase, refusalText(t, result));
    const shown = result.case.plan!.steps.find((s) => s.id === step.id)!;
    // The other officers hear that it waits for them, with a button to this card.
    const waiting = { kind: 'step', stepId: step.id, hash: shown.preview!.hash } as const;
    await this.services.notifier.approvalWaiting(result.case, waiting, place);
    const ready = override ? t('change.notice.overridden') : t('change.notice.previewReady');
    return this.previewCard(reader, result.case, shown, ready);
  }
}

/** The catalogue key that says why a step's system cannot be changed through the bot. */
export function connectorRefusal(connectors: readonly Connector[], step: PlanStep): string {
  const connected = connectors.some((c) => c.info.id === step.systemId && c.connected);
  return connected ? 'refusals.change.cannotChange' : 'refusals.change.notConnected';
}

import { counted } from './counted.js';
import type { AuditDetail } from './audit.js';
import type { Actor, DsrCase } from './case.js';
import type { SentLetter } from './letters/letterKinds.js';
import type { StepPreview } from './changePreview.js';
import type { IsolatedCopy } from './isolatedCopies.js';
import { nextKeptDue } from './keptRecords.js';
import { openCandidates } from './matching.js';
import { releasePending } from './packageReview.js';
import type { OrgCalendar } from './deadlines.js';
import {
  OUTSIDE_PARTY_MAX_LENGTH,
  OUTSIDE_REASON_MAX_LENGTH,
  outsideWaitProblem,
  type OutsideWaitProblem,
} from './outsideWait.js';
import { isEvidenceLink } from './planEvidence.js';
import { said, type Said } from '../i18n/index.js';
import {
  findingsHash,
  isSettled,
  PACKAGE_STEP_ID,
  remainingSteps,
  responseSummary,
  stepTitleSaid,
  type CasePlan,
  type PlanStep,
  type StepFailure,
  type StepResult,
} from './plan.js';

export const STEP_NOTE_MAX_LENGTH = 1000;

/** The case actions that walk through the plan; applied by the case service like every other action. */
export type PlanCaseAction =
  | { kind: 'createPlan'; plan: CasePlan }
  /** `resume` takes over a step left running by a process that stopped (its lease ran out). */
  | { kind: 'startStep'; stepId: string; resume?: boolean; packageId?: string; isolatedCopy?: IsolatedCopy }
  | { kind: 'stepProgress'; stepId: string; done: number; total?: number }
  | {
      kind: 'completeStep';
      stepId: string;
      packageId?: string;
      result?: StepResult;
      reason?: string;
      /** `reason` in the catalogue's words, for the plan card in the reader's language. */
      reasonSaid?: Said;
    }
  | {
      kind: 'failStep';
      stepId: string;
      /** In English, for the letter, the logs and the trail; `said` is the same for the card's reader. */
      error: string;
      said?: Said;
      failure?: StepFailure;
      result?: StepResult;
    }
  /** Guided steps marked done together, with one note and (where the guide asks for it) one evidence link. */
  | { kind: 'tickStep'; stepIds: readonly string[]; note?: string; link?: string }
  /** A guided step that waits for someone outside the team until a day. */
  | { kind: 'awaitStep'; stepIds: readonly string[]; party: string; expectedBy: string; reason?: string }
  | {
      kind: 'previewStep';
      stepId: string;
      preview: StepPreview;
      /** A kept account of the previous preview that this preview deletes, on a privacy officer's word. */
      override?: { recordId: string; kind: string; reason: string };
    }
  | { kind: 'approveStep'; stepId: string; previewHash: string }
  | { kind: 'liftStep'; stepId: string; restored: number; failed: number }
  /** `letter`: the response letter sent to the person with it. */
  | { kind: 'respond'; letter?: SentLetter };

type Change = { next: DsrCase; detail: AuditDetail } | { invalid: Said };

function withStep(
  current: DsrCase,
  stepId: string,
  change: (step: PlanStep) => PlanStep | { invalid: Said },
): { next: DsrCase; step: PlanStep } | { invalid: Said } {
  const plan = current.plan;
  const step = plan?.steps.find((s) => s.id === stepId);
  if (!plan || !step) return { invalid: said('refusals.plan.notInPlan') };
  const changed = change(step);
  if ('invalid' in changed) return changed;
  return {
    next: { ...current, plan: { ...plan, steps: plan.steps.map((s) => (s === step ? changed : s)) } },
    step: changed,
  };
}

/**
 * A deletion that settled puts what it kept on the case itself, where it outlives the purge and
 * the reminder pass finds it when each reason ends.
 */
function keepRecords(change: Change, stepId: string): Change {
  if ('invalid' in change) return change;
  const step = change.next.plan?.steps.find((s) => s.id === stepId);
  const kept = step?.preview?.kept;
  if (!step || !kept || kept.length === 0 || !isSettled(step)) return change;
  const all = [...(change.next.kept ?? []).filter((k) => k.stepId !== stepId), ...kept];
  const due = nextKeptDue(all);
  const { keptDueAt: _old, ...rest } = change.next;
  void _old;
  return { ...change, next: { ...rest, kept: all, ...(due ? { keptDueAt: due } : {}) } };
}

/** The most an override's written reason may hold; the card and the server say the same. */
export const OVERRIDE_REASON_MAX = 500;

/**
 * Why a kept record may not be overridden, or undefined: only an Entra account (a Graph user) that
 * the step's latest deletion preview keeps, once, with a reason of bounded length.
 */
function overrideProblem(
  step: PlanStep,
  override: { recordId: string; kind: string; reason: string },
): Said | undefined {
  if (step.right !== 'delete' || step.systemId !== 'graph' || override.kind !== 'user')
    return said('refusals.plan.overrideOnlyEntra');
  if (step.state === 'running') return said('refusals.plan.waitForStop');
  const kept = step.preview?.retained.some((r) => r.kind === 'user' && r.id === override.recordId);
  if (!kept) return said('refusals.plan.overrideNotKept');
  const reason = override.reason.trim();
  if (reason === '' || reason.length > OVERRIDE_REASON_MAX)
    return said('refusals.plan.overrideReason', { max: OVERRIDE_REASON_MAX });
  return undefined;
}

function stepChange(
  current: DsrCase,
  stepId: string,
  change: (step: PlanStep) => PlanStep | { invalid: Said },
  detail: AuditDetail = {},
): Change {
  const result = withStep(current, stepId, change);
  if ('invalid' in result) return result;
  return {
    next: result.next,
    detail: { stepId, right: result.step.right, systemId: result.step.systemId, state: result.step.state, ...detail },
  };
}

/** Why a destructive step may not run now, or undefined when its approval covers what it would do. */
export function approvalProblem(current: DsrCase, step: PlanStep): Said | undefined {
  if (!step.preview) return said('refusals.plan.previewApprovedFirst');
  if (step.preview.findingsHash !== findingsHash(current, step)) return said('refusals.plan.findingsChangedApply');
  if (step.approval?.previewHash !== step.preview.hash) return said('refusals.plan.approveFirst');
  return undefined;
}

/**
 * What the system's preview said must still be done by hand around a step (such as Business
 * Central's "Delete Canceled Interaction Log Entries" after a deletion) becomes a guided step right
 * after it, so the plan is not settled until someone ticks it.
 */
function withFollowUp(change: { next: DsrCase; detail: AuditDetail }, stepId: string, at: string): Change {
  const plan = change.next.plan!;
  const index = plan.steps.findIndex((s) => s.id === stepId);
  const step = plan.steps[index]!;
  const guided = step.preview?.guided ?? [];
  const id = `${step.id}:by-hand`;
  if (guided.length === 0 || plan.steps.some((s) => s.id === id)) return change;
  const followUp: PlanStep = {
    id,
    followUpOf: step.id,
    right: step.right,
    systemId: step.systemId,
    systemName: step.systemName,
    mode: 'guided',
    title: `Finish by hand in ${step.systemName}: ${step.title}`,
    instructions: guided,
    destructive: false,
    state: 'todo',
    updatedAt: at,
  };
  const steps = [...plan.steps.slice(0, index + 1), followUp, ...plan.steps.slice(index + 1)];
  return { next: { ...change.next, plan: { ...plan, steps } }, detail: { ...change.detail, followUp: id } };
}

/** What still waits for a person's decision on whose records they are, or undefined when nothing does. */
function undecided(current: DsrCase, then: 'plan' | 'respond'): Said | undefined {
  const open = (current.findings?.systems ?? []).flatMap((system) =>
    openCandidates(system).length > 0 ? [`${system.displayName} (${openCandidates(system).length})`] : [],
  );
  if (open.length === 0) return undefined;
  return said(`refusals.plan.undecided.${then}`, { systems: open.join(', ') });
}

/**
 * Why a preview's records are all kept, in English and in the catalogue's words: a built-in
 * system's reason in the reader's language, an organisation's own as its file writes it.
 */
function retainedReason(preview: StepPreview): { reason: string; reasonSaid: Said } {
  const distinct = [...new Map(preview.retained.map((r) => [r.reason, r])).values()].slice(0, 3);
  return {
    reason: `${counted(preview.retainedCount, 'record is', 'records are')} kept: ${distinct.map((r) => r.reason).join('; ')}`,
    reasonSaid: said('change.run.allKept', {
      count: preview.retainedCount,
      reasons: distinct.map((r) => r.reasonSaid ?? said('format.asWritten', { text: r.reason })),
    }),
  };
}

/** The most steps one "Mark done" settles: a plan holds a few per system, never more. */
export const TICK_MAX_STEPS = 50;

function tickSteps(
  current: DsrCase,
  action: Extract<PlanCaseAction, { kind: 'tickStep' }>,
  actor: Actor,
  at: string,
): Change {
  const note = action.note?.trim() ?? '';
  const link = action.link?.trim() ?? '';
  const stepIds = [...new Set(action.stepIds)];
  if (stepIds.length === 0) return { invalid: said('refusals.plan.chooseToTick') };
  if (stepIds.length > TICK_MAX_STEPS) return { invalid: said('refusals.plan.tickMax', { max: TICK_MAX_STEPS }) };
  if (note.length > STEP_NOTE_MAX_LENGTH)
    return { invalid: said('refusals.case.tooLong.note', { max: STEP_NOTE_MAX_LENGTH }) };
  if (link && !isEvidenceLink(link)) return { invalid: said('refusals.plan.httpsLink') };
  const plan = current.plan;
  if (!plan) return { invalid: said('refusals.plan.notInPlan') };
  const chosen = new Map(plan.steps.filter((s) => stepIds.includes(s.id)).map((s) => [s.id, s]));
  if (chosen.size !== stepIds.length) return { invalid: said('refusals.plan.notInPlan') };
  // All or nothing: one refused step leaves every chosen step as it was.
  for (const step of chosen.values()) {
    if (step.mode !== 'guided') return { invalid: said('refusals.plan.botTicks') };
    if (isSettled(step)) return { invalid: said('refusals.plan.settled') };
    if (step.uncovered && !note) return { invalid: said('refusals.plan.uncoveredNote', { system: step.systemName }) };
    if (step.evidence && !link)
      return {
        invalid: said('refusals.plan.evidenceLink', { step: stepTitleSaid(step), section: step.evidence.guideSection }),
      };
  }
  const steps = plan.steps.map((step): PlanStep => {
    if (!chosen.has(step.id)) return step;
    const { waiting: _waiting, ...rest } = step;
    void _waiting;
    return {
      ...rest,
      state: 'done',
      completed: { at, byId: actor.id, ...(note ? { note } : {}), ...(link ? { link } : {}) },
      updatedAt: at,
    };
  });
  const first = chosen.get(stepIds[0]!)!;
  return {
    next: { ...current, plan: { ...plan, steps } },
    detail: {
      stepId: first.id,
      stepIds,
      right: first.right,
      systemId: first.systemId,
      state: 'done',
      noteLength: note.length,
      withLink: link !== '',
    },
  };
}

const WAIT_PROBLEMS: Record<OutsideWaitProblem['problem'], Said> = {
  party: said('refusals.plan.wait.party', { max: OUTSIDE_PARTY_MAX_LENGTH }),
  date: said('refusals.plan.wait.date'),
  past: said('refusals.plan.wait.past'),
  afterDeadline: said('refusals.plan.wait.afterDeadline'),
  reason: said('refusals.plan.wait.reason', { max: OUTSIDE_REASON_MAX_LENGTH }),
};

function awaitStep(
  current: DsrCase,
  action: Extract<PlanCaseAction, { kind: 'awaitStep' }>,
  actor: Actor,
  now: Date,
  calendar: Pick<OrgCalendar, 'timeZone'>,
): Change {
  const stepIds = [...new Set(action.stepIds)];
  if (stepIds.length === 0) return { invalid: said('refusals.plan.chooseWaiting') };
  if (stepIds.length > TICK_MAX_STEPS) return { invalid: said('refusals.plan.waitMax', { max: TICK_MAX_STEPS }) };
  const problem = outsideWaitProblem(action, current.dueAt, now, calendar);
  if (problem) return { invalid: WAIT_PROBLEMS[problem.problem] };
  const plan = current.plan;
  const chosen = plan?.steps.filter((s) => stepIds.includes(s.id)) ?? [];
  if (!plan || chosen.length !== stepIds.length) return { invalid: said('refusals.plan.notInPlan') };
  for (const step of chosen) {
    if (step.mode !== 'guided') return { invalid: said('refusals.plan.botWaits') };
    if (isSettled(step)) return { invalid: said('refusals.plan.settled') };
  }
  const at = now.toISOString();
  const reason = action.reason?.trim();
  const waiting = {
    party: action.party.trim(),
    expectedBy: action.expectedBy,
    since: at,
    byId: actor.id,
    ...(reason ? { reason } : {}),
  };
  const steps = plan.steps.map((step): PlanStep =>
    stepIds.includes(step.id) ? { ...step, state: 'waiting-outside', waiting, updatedAt: at } : step,
  );
  const first = chosen[0]!;
  return {
    next: { ...current, plan: { ...plan, steps } },
    // The party and the reason stay on the case: they may name people.
    detail: {
      stepId: first.id,
      stepIds,
      right: first.right,
      systemId: first.systemId,
      state: 'waiting-outside',
      expectedBy: action.expectedBy,
      withReason: Boolean(reason),
    },
  };
}

/**
 * `calendar`: the organisation's zone, for the days a wait is expected by; the case service passes
 * it, and a caller without one reads days in UTC.
 */
export function applyPlanCaseAction(
  current: DsrCase,
  action: PlanCaseAction,
  actor: Actor,
  now: Date,
  calendar: Pick<OrgCalendar, 'timeZone'> = { timeZone: 'UTC' },
): Change {
  const at = now.toISOString();
  switch (action.kind) {
    case 'createPlan': {
      if (
        current.plan &&
        current.plan.steps.some(
          (s) => s.state !== 'todo' && s.state !== 'not-applicable' && s.state !== 'waiting-approval',
        )
      )
        return { invalid: said('refusals.plan.underWay') };
      if (action.plan.steps.length === 0) return { invalid: said('refusals.plan.noRights') };
      const open = undecided(current, 'plan');
      if (open) return { invalid: open };
      return {
        next: { ...current, plan: action.plan },
        detail: { steps: action.plan.steps.map((s) => `${s.id}:${s.mode}:${s.state}`) },
      };
    }
    case 'startStep':
      return stepChange(
        current,
        action.stepId,
        (step) => {
          if (step.mode !== 'automated') return { invalid: said('refusals.plan.byHand') };
          if (step.state === 'running' && !action.resume) return { invalid: said('refusals.plan.running') };
          if (action.resume && step.state !== 'running') return { invalid: said('refusals.plan.notResumable') };
          if (!action.resume && step.state !== 'todo' && step.state !== 'failed')
            return { invalid: said('refusals.plan.cannotStart') };
          if (step.failure === 'conflict' && step.state === 'failed')
            return { invalid: said('refusals.plan.changedSincePreview') };
          if (step.destructive) {
            const refusal = approvalProblem(current, step);
            if (refusal) return { invalid: refusal };
          }
          if (
            step.right === 'restrict' &&
            step.preview?.request.right === 'restrict' &&
            step.preview.request.mode === 'isolate'
          ) {
            const pkg = current.plan?.steps.find((s) => s.id === PACKAGE_STEP_ID);
            const packaged = pkg
              ? pkg.state === 'done'
              : action.packageId !== undefined || step.packageId !== undefined;
            if (!packaged)
              return {
                invalid: said('refusals.plan.packageFirst'),
              };
            // The copy must be stored and recorded before the first record is removed (a resumed run has it).
            if (!action.resume && !action.isolatedCopy) return { invalid: said('refusals.plan.copyNotStored') };
          }
          const { error: _error, errorSaid: _errorSaid, failure: _failure, ...rest } = step;
          void [_error, _errorSaid, _failure];
          return {
            ...rest,
            state: 'running',
            progress: action.resume && step.progress ? step.progress : { done: 0 },
            ...(action.packageId ? { packageId: action.packageId } : {}),
            ...(action.isolatedCopy ? { isolatedCopy: action.isolatedCopy } : {}),
            // Who applied the change: the first press, or a retry; a resume continues their run.
            ...(step.destructive && !action.resume ? { applied: { at, byId: actor.id } } : {}),
            ...(step.approval
              ? { ranPreviews: [...new Set([...(step.ranPreviews ?? []), step.approval.previewHash])] }
              : {}),
            updatedAt: at,
          };
        },
        // Where the isolated copy is and its checksum, in the trail too: a case id and a hash, no personal data.
        action.isolatedCopy
          ? { isolatedCopy: action.isolatedCopy.location, isolatedCopySha256: action.isolatedCopy.sha256 }
          : {},
      );
    case 'stepProgress':
      return stepChange(current, action.stepId, (step) =>
        step.state !== 'running'
          ? { invalid: said('refusals.plan.notRunning') }
          : {
              ...step,
              progress: { done: action.done, ...(action.total === undefined ? {} : { total: action.total }) },
              updatedAt: at,
            },
      );
    case 'completeStep': {
      const completed = stepChange(
        current,
        action.stepId,
        (step) => {
          if (step.state !== 'running') return { invalid: said('refusals.plan.notRunning') };
          const result = action.result;
          // Nothing could be changed and records were kept: the step is explained, not done.
          const onlyRetained = result !== undefined && result.applied + result.gone === 0 && result.retained > 0;
          return {
            ...step,
            state: onlyRetained ? 'retained' : 'done',
            completed: { at, byId: actor.id },
            ...(action.packageId ? { packageId: action.packageId } : {}),
            ...(result ? { result } : {}),
            ...(action.reason ? { reason: action.reason.slice(0, 500) } : {}),
            ...(action.reason && action.reasonSaid ? { reasonSaid: action.reasonSaid } : {}),
            updatedAt: at,
          };
        },
        { ...(action.packageId ? { packageId: action.packageId } : {}), ...(action.result ?? {}) },
      );
      return 'invalid' in completed
        ? completed
        : keepRecords(withFollowUp(completed, action.stepId, at), action.stepId);
    }
    case 'failStep':
      return stepChange(
        current,
        action.stepId,
        (step) =>
          step.state !== 'running'
            ? { invalid: said('refusals.plan.notRunning') }
            : {
                ...step,
                state: 'failed',
                error: action.error.slice(0, 500),
                ...(action.said ? { errorSaid: action.said } : {}),
                failure: action.failure ?? 'error',
                ...(action.result ? { result: action.result } : {}),
                updatedAt: at,
              },
        { failure: action.failure ?? 'error', ...(action.result ?? {}) },
      );
    case 'tickStep':
      return tickSteps(current, action, actor, at);
    case 'awaitStep':
      return awaitStep(current, action, actor, now, calendar);
    case 'previewStep': {
      const previewed = stepChange(
        current,
        action.stepId,
        (step) => {
          if (!step.destructive || step.mode !== 'automated') return { invalid: said('refusals.plan.noPreview') };
          if (step.state === 'running') return { invalid: said('refusals.plan.waitForStop') };
          const override = action.override;
          if (step.state === 'done' || (step.state === 'retained' && !override))
            return { invalid: said('refusals.plan.settled') };
          let overrides = step.overrides;
          if (override) {
            // Four eyes: whoever filed the request does not decide to delete an account it keeps.
            if (current.requester.id === actor.id) return { invalid: said('refusals.case.fourEyes') };
            const problem = overrideProblem(step, override);
            if (problem) return { invalid: problem };
            overrides = [...(step.overrides ?? []), { ...override, byId: actor.id, at }];
          }
          if (action.preview.request.right !== step.right) return { invalid: said('refusals.plan.otherRight') };
          if (action.preview.findingsHash !== findingsHash(current, step))
            return { invalid: said('refusals.plan.findingsChangedDuring') };
          const {
            approval: _approval,
            error: _error,
            errorSaid: _errorSaid,
            failure: _failure,
            progress: _progress,
            reason: _reason,
            reasonSaid: _reasonSaid,
            overrides: _overrides,
            ...stepRest
          } = step;
          void [_approval, _error, _errorSaid, _failure, _progress, _reason, _reasonSaid, _overrides];
          const rest = overrides ? { ...stepRest, overrides } : stepRest;
          const preview = action.preview;
          if (preview.targetCount === 0) {
            return preview.retainedCount > 0
              ? { ...rest, preview, state: 'retained', ...retainedReason(preview), updatedAt: at }
              : {
                  ...rest,
                  preview,
                  state: 'not-applicable',
                  reason: 'The preview found nothing to change.',
                  reasonSaid: said('change.run.nothingToChange'),
                  updatedAt: at,
                };
          }
          return { ...rest, preview, state: 'waiting-approval', updatedAt: at };
        },
        {
          previewHash: action.preview.hash,
          targets: action.preview.targetCount,
          retained: action.preview.retainedCount,
          kinds: Object.entries(action.preview.counts).map(([kind, n]) => `${kind}:${n}`),
          // Only that an override with a written reason was given: the reason is on the case.
          ...(action.override ? { overrideOf: action.override.recordId, overrideReason: true } : {}),
        },
      );
      // Nothing to change through the bot, but records to deal with by hand: that step opens now.
      if (!('invalid' in previewed) && action.override) {
        // The account is no longer kept: it leaves the records the case follows up.
        const recordId = action.override.recordId;
        const kept = previewed.next.kept?.filter((k) => !(k.stepId === action.stepId && k.id === recordId));
        if (kept) previewed.next = { ...previewed.next, kept };
      }
      return 'invalid' in previewed || action.preview.targetCount > 0
        ? previewed
        : keepRecords(withFollowUp(previewed, action.stepId, at), action.stepId);
    }
    case 'approveStep':
      return stepChange(
        current,
        action.stepId,
        (step) => {
          if (!step.destructive || step.state !== 'waiting-approval')
            return { invalid: said('refusals.plan.notWaitingApproval') };
          if (!step.preview) return { invalid: said('refusals.plan.previewThenApprove') };
          if (step.preview.findingsHash !== findingsHash(current, step))
            return { invalid: said('refusals.plan.findingsChangedApprove') };
          if (action.previewHash !== step.preview.hash) return { invalid: said('refusals.plan.newerPreview') };
          // Four eyes on every change to a system: whoever asked for the preview does not approve it.
          if (step.preview.byId === actor.id) return { invalid: said('refusals.plan.ownPreview') };
          return {
            ...step,
            state: 'todo',
            approval: { at, byId: actor.id, previewHash: action.previewHash },
            updatedAt: at,
          };
        },
        { previewHash: action.previewHash },
      );
    case 'liftStep':
      return stepChange(
        current,
        action.stepId,
        (step) => {
          if (step.right !== 'restrict' || step.mode !== 'automated')
            return { invalid: said('refusals.plan.liftOnlyBot') };
          if (step.state !== 'done' && !(step.state === 'failed' && step.result && step.result.applied > 0))
            return { invalid: said('refusals.plan.nothingToLift') };
          if (step.lifted && step.lifted.failed === 0) return { invalid: said('refusals.plan.alreadyLifted') };
          // A lift that left records restricted is tried again for those; the count adds up.
          const restored = (step.lifted?.restored ?? 0) + action.restored;
          return {
            ...step,
            lifted: { at, byId: actor.id, restored, failed: action.failed },
            updatedAt: at,
          };
        },
        { restored: action.restored, failed: action.failed },
      );
    case 'respond': {
      if (!current.plan) return { invalid: said('refusals.plan.planFirst') };
      const open = undecided(current, 'respond');
      if (open) return { invalid: open };
      const left = remainingSteps(current.plan);
      if (left.length > 0)
        return {
          invalid: said('refusals.plan.stillOpen', { count: left.length, steps: left.map(stepTitleSaid) }),
        };
      const unreleased = releasePending(current, now);
      if (unreleased) return { invalid: unreleased };
      const summary = responseSummary(current, current.plan);
      return {
        next: { ...current, response: { at, byId: actor.id, summary } },
        detail: { steps: current.plan.steps.length },
      };
    }
  }
}

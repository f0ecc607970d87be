import type { AuditDetail } from './audit.js';
import type { Actor, DsrCase } from './case.js';
import { isSettled, previewHash, remainingSteps, responseSummary, type CasePlan, type PlanStep } from './plan.js';

export const STEP_NOTE_MAX_LENGTH = 1000;

/** The case actions that walk through the plan; applied by the case service like every other action. */
export type PlanAction =
  | { kind: 'createPlan'; plan: CasePlan }
  | { kind: 'startStep'; stepId: string }
  | { kind: 'stepProgress'; stepId: string; done: number; total?: number }
  | { kind: 'completeStep'; stepId: string; packageId?: string }
  | { kind: 'failStep'; stepId: string; error: string }
  | { kind: 'tickStep'; stepId: string; note?: string; link?: string }
  | { kind: 'approveStep'; stepId: string; previewHash: string }
  | { kind: 'respond' };

type Change = { next: DsrCase; detail: AuditDetail } | { invalid: string };

function withStep(
  current: DsrCase,
  stepId: string,
  change: (step: PlanStep) => PlanStep | { invalid: string },
): { next: DsrCase; step: PlanStep } | { invalid: string } {
  const plan = current.plan;
  const step = plan?.steps.find((s) => s.id === stepId);
  if (!plan || !step) return { invalid: 'That step is not part of the plan.' };
  const changed = change(step);
  if ('invalid' in changed) return changed;
  return {
    next: { ...current, plan: { ...plan, steps: plan.steps.map((s) => (s === step ? changed : s)) } },
    step: changed,
  };
}

function stepChange(
  current: DsrCase,
  stepId: string,
  change: (step: PlanStep) => PlanStep | { invalid: string },
  detail: AuditDetail = {},
): Change {
  const result = withStep(current, stepId, change);
  if ('invalid' in result) return result;
  return {
    next: result.next,
    detail: { stepId, right: result.step.right, systemId: result.step.systemId, state: result.step.state, ...detail },
  };
}

export function applyPlanAction(current: DsrCase, action: PlanAction, actor: Actor, now: Date): Change {
  const at = now.toISOString();
  switch (action.kind) {
    case 'createPlan': {
      if (
        current.plan &&
        current.plan.steps.some(
          (s) => s.state !== 'todo' && s.state !== 'not-applicable' && s.state !== 'waiting-approval',
        )
      )
        return { invalid: 'The plan is under way; it is not made again.' };
      if (action.plan.steps.length === 0) return { invalid: 'The request has no rights to carry out.' };
      return {
        next: { ...current, plan: action.plan },
        detail: { steps: action.plan.steps.map((s) => `${s.id}:${s.mode}:${s.state}`) },
      };
    }
    case 'startStep':
      return stepChange(current, action.stepId, (step) => {
        if (step.mode !== 'automated') return { invalid: 'This step is done by hand; mark it done instead.' };
        if (step.state === 'running') return { invalid: 'This step is already running.' };
        if (step.state !== 'todo' && step.state !== 'failed') return { invalid: 'This step cannot be started now.' };
        if (step.destructive && step.approval?.previewHash !== previewHash(current, step))
          return { invalid: 'Approve the preview of this step first.' };
        const { error: _error, ...rest } = step;
        void _error;
        return { ...rest, state: 'running', progress: { done: 0 }, updatedAt: at };
      });
    case 'stepProgress':
      return stepChange(current, action.stepId, (step) =>
        step.state !== 'running'
          ? { invalid: 'This step is not running.' }
          : {
              ...step,
              progress: { done: action.done, ...(action.total === undefined ? {} : { total: action.total }) },
              updatedAt: at,
            },
      );
    case 'completeStep':
      return stepChange(
        current,
        action.stepId,
        (step) =>
          step.state !== 'running'
            ? { invalid: 'This step is not running.' }
            : {
                ...step,
                state: 'done',
                completed: { at, byId: actor.id },
                ...(action.packageId ? { packageId: action.packageId } : {}),
                updatedAt: at,
              },
        action.packageId ? { packageId: action.packageId } : {},
      );
    case 'failStep':
      return stepChange(current, action.stepId, (step) =>
        step.state !== 'running'
          ? { invalid: 'This step is not running.' }
          : { ...step, state: 'failed', error: action.error.slice(0, 500), updatedAt: at },
      );
    case 'tickStep': {
      const note = action.note?.trim() ?? '';
      const link = action.link?.trim() ?? '';
      if (note.length > STEP_NOTE_MAX_LENGTH)
        return { invalid: `Keep the note under ${STEP_NOTE_MAX_LENGTH} characters.` };
      if (link && !/^https:\/\/\S+$/.test(link)) return { invalid: 'Give the link as an https address.' };
      return stepChange(
        current,
        action.stepId,
        (step) => {
          if (step.mode !== 'guided') return { invalid: 'The bot carries out this step; it is not ticked by hand.' };
          if (isSettled(step)) return { invalid: 'This step is already settled.' };
          return {
            ...step,
            state: 'done',
            completed: { at, byId: actor.id, ...(note ? { note } : {}), ...(link ? { link } : {}) },
            updatedAt: at,
          };
        },
        { noteLength: note.length, withLink: link !== '' },
      );
    }
    case 'approveStep':
      return stepChange(current, action.stepId, (step) => {
        if (!step.destructive || step.state !== 'waiting-approval')
          return { invalid: 'This step is not waiting for an approval.' };
        if (action.previewHash !== previewHash(current, step))
          return { invalid: 'The findings changed since this preview; look at the new preview before approving.' };
        return {
          ...step,
          state: 'todo',
          approval: { at, byId: actor.id, previewHash: action.previewHash },
          updatedAt: at,
        };
      });
    case 'respond': {
      if (!current.plan) return { invalid: 'Make the plan before responding.' };
      const left = remainingSteps(current.plan);
      if (left.length > 0)
        return {
          invalid: `${left.length} step${left.length === 1 ? ' is' : 's are'} still open: ${left.map((s) => s.title).join('; ')}.`,
        };
      const summary = responseSummary(current, current.plan);
      return {
        next: { ...current, response: { at, byId: actor.id, summary } },
        detail: { steps: current.plan.steps.length },
      };
    }
  }
}

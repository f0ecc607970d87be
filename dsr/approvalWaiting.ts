import type { Actor, DsrCase } from './case.js';
import type { PlanStep } from './plan.js';

/**
 * What waits for a second privacy officer: a change step's preview (bound to its hash) or a
 * reviewed package (bound to the hash of what was reviewed). Another officer must approve it.
 */
export type WaitingApproval = { kind: 'step'; stepId: string; hash: string } | { kind: 'review'; hash: string };

export type WaitingState =
  /** Still waiting: `byId` made it. */
  | { kind: 'waiting'; byId: string }
  | { kind: 'approved'; byId: string; approvedById: string }
  /** Approved and carried out: the step applied, the package released. */
  | { kind: 'done'; byId: string; approvedById: string }
  /** A newer preview or review took its place, or the case moved on without it. */
  | { kind: 'replaced' };

function stepOf(dsrCase: DsrCase, stepId: string): PlanStep | undefined {
  return dsrCase.plan?.steps.find((s) => s.id === stepId);
}

/** Where the thing that waited stands now, read from the case alone. */
export function waitingState(dsrCase: DsrCase, waiting: WaitingApproval): WaitingState {
  if (waiting.kind === 'step') {
    const step = stepOf(dsrCase, waiting.stepId);
    const preview = step?.preview;
    if (!step || !preview || preview.hash !== waiting.hash) return { kind: 'replaced' };
    const approval = step.approval?.previewHash === waiting.hash ? step.approval : undefined;
    if (!approval) return { kind: 'waiting', byId: preview.byId };
    const settled = step.state === 'done' || step.state === 'retained';
    return { kind: settled ? 'done' : 'approved', byId: preview.byId, approvedById: approval.byId };
  }
  const review = dsrCase.review;
  const submitted = review?.submitted;
  if (!review || !submitted || submitted.hash !== waiting.hash) return { kind: 'replaced' };
  const approval = review.approval?.hash === waiting.hash ? review.approval : undefined;
  if (!approval) return { kind: 'waiting', byId: submitted.byId };
  return { kind: review.release ? 'done' : 'approved', byId: submitted.byId, approvedById: approval.byId };
}

/**
 * The officers who could approve it: everyone on the team but the one who made the preview, and
 * for a package everyone who changed its review, since none of them may approve it.
 */
export function possibleApprovers(dsrCase: DsrCase, waiting: WaitingApproval, team: readonly Actor[]): Actor[] {
  const state = waitingState(dsrCase, waiting);
  if (state.kind !== 'waiting') return [];
  const excluded = new Set([state.byId, ...(waiting.kind === 'review' ? (dsrCase.review?.reviewerIds ?? []) : [])]);
  const lowered = new Set([...excluded].map((id) => id.toLowerCase()));
  return team.filter((member) => !lowered.has(member.id.toLowerCase()));
}

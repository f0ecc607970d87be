import { isOpen, type DsrCase } from './case.js';
import { isNewCase } from './caseHeader.js';
import { policyFor } from './deadlines.js';
import { canTransition, type CaseEvent } from './lifecycle.js';
import { openCandidates } from './matching.js';
import { releaseAwaited } from './packageReview.js';
import { mayAct, mayView, type ActorRoles } from './permissions.js';
import { remainingSteps } from './plan.js';

/**
 * What a person can do about a case from its cards, named by what they mean to the person, not by
 * the button: each card offers the ones it has room for. The plan's own steps (preview, approve,
 * apply) are decided per step by the plan; these are the case's.
 */
export const CASE_ACTIONS = [
  'verifyIdentity',
  'askForProof',
  'proofArrived',
  'confirmReceipt',
  'approve',
  'findData',
  'showFindings',
  'showPlan',
  'reviewPackage',
  'respond',
  'close',
  'assignSelf',
  'assign',
  'decline',
  'extend',
  'placeHold',
  'releaseHold',
  'addNote',
  'refresh',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export interface AllowedActions {
  /** The next thing this person would do on the case: the card's primary action. None when nothing waits on them. */
  next?: CaseAction;
  /** Everything this person may do now, in the order of `CASE_ACTIONS`. */
  actions: CaseAction[];
}

/** Whether the lifecycle lets the case undergo the event and the person may ask for it. */
function permitted(dsrCase: DsrCase, who: ActorRoles, event: CaseEvent): boolean {
  return canTransition(event, dsrCase.status) && mayAct(who, event, dsrCase).allowed;
}

function undecidedRecords(dsrCase: DsrCase): boolean {
  return (dsrCase.findings?.systems ?? []).some((system) => openCandidates(system).length > 0);
}

/** Every step is done or explained, no record waits for a decision, and no package waits for release. */
export function readyToRespond(dsrCase: DsrCase): boolean {
  return (
    dsrCase.status === 'actions' &&
    dsrCase.plan !== undefined &&
    remainingSteps(dsrCase.plan).length === 0 &&
    !undecidedRecords(dsrCase) &&
    !releaseAwaited(dsrCase)
  );
}

/**
 * What the person may do on the case now, from the lifecycle (`lifecycle.ts`), the permissions
 * (`permissions.ts`, four eyes included) and the state of the plan, and which of it comes next.
 * Cards show these instead of working lifecycle rules out themselves.
 */
export function allowedActions(dsrCase: DsrCase, who: ActorRoles): AllowedActions {
  if (!mayView(who, dsrCase)) return { actions: [] };
  const undecided = isNewCase(dsrCase);
  const plan = dsrCase.plan;
  const can: Record<CaseAction, boolean> = {
    verifyIdentity: undecided && !dsrCase.identityVerified && permitted(dsrCase, who, 'verifyIdentity'),
    askForProof: undecided && !dsrCase.identityVerified && !dsrCase.pause && permitted(dsrCase, who, 'pauseClock'),
    proofArrived: dsrCase.pause !== null && permitted(dsrCase, who, 'resumeClock'),
    confirmReceipt:
      dsrCase.receiptConfirmation !== undefined &&
      dsrCase.receiptConfirmation.sentAt === null &&
      permitted(dsrCase, who, 'confirmReceipt'),
    approve: undecided && permitted(dsrCase, who, 'approve'),
    findData: dsrCase.findings === undefined && permitted(dsrCase, who, 'startDiscovery'),
    showFindings: dsrCase.findings !== undefined && who.privacyTeam,
    showPlan: plan !== undefined && who.privacyTeam,
    reviewPackage:
      plan !== undefined &&
      remainingSteps(plan).length === 0 &&
      releaseAwaited(dsrCase) &&
      permitted(dsrCase, who, 'openReview'),
    respond: readyToRespond(dsrCase) && permitted(dsrCase, who, 'respond'),
    close: permitted(dsrCase, who, 'close'),
    assignSelf: dsrCase.assignee?.id !== who.actor.id && isOpen(dsrCase) && permitted(dsrCase, who, 'assign'),
    assign: isOpen(dsrCase) && permitted(dsrCase, who, 'assign'),
    decline: permitted(dsrCase, who, 'decline'),
    extend:
      policyFor(dsrCase.regulation).extendedPeriod !== null &&
      dsrCase.extension === null &&
      isOpen(dsrCase) &&
      permitted(dsrCase, who, 'extend'),
    // A hold matters once the case is answered: it pauses the purge that follows the closing.
    placeHold: !isOpen(dsrCase) && !dsrCase.hold && !dsrCase.purge && permitted(dsrCase, who, 'placeHold'),
    releaseHold: Boolean(dsrCase.hold) && !dsrCase.purge && permitted(dsrCase, who, 'releaseHold'),
    addNote: permitted(dsrCase, who, 'addNote'),
    refresh: true,
  };
  const actions = CASE_ACTIONS.filter((action) => can[action]);
  return { actions, ...nextOf(dsrCase, can) };
}

/**
 * The one thing that moves the case forward for this person, in the order the guide takes a
 * request: identity, decision, search, plan, package release, response, closing.
 */
function nextOf(dsrCase: DsrCase, can: Record<CaseAction, boolean>): { next?: CaseAction } {
  const order: CaseAction[] = !isOpen(dsrCase)
    ? ['close']
    : isNewCase(dsrCase)
      ? dsrCase.identityVerified
        ? ['approve']
        : ['proofArrived', 'verifyIdentity', 'approve']
      : dsrCase.findings === undefined
        ? ['findData']
        : dsrCase.plan === undefined
          ? ['showFindings']
          : ['respond', 'reviewPackage', 'showPlan', 'close'];
  const next = order.find((action) => can[action]);
  return next ? { next } : {};
}

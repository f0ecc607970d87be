import type { TFunction } from 'i18next';
import type { AllowedActions, CaseAction } from '../dsr/allowedActions.js';
import { executeAction, type ExecuteAction } from './adaptive.js';
import { CASE_VERBS, DISCOVERY_VERBS, PLAN_VERBS, REVIEW_VERBS, TRIAGE_VERBS, type Verb } from './verbs.js';

/**
 * The case actions that are one press with no form: the verb each sends. The others (assigning to
 * someone, declining, extending, asking for proof, a hold, a note) ask for a reason or a choice,
 * and the card that offers them builds their form.
 */
const ONE_PRESS: Partial<Record<CaseAction, Verb>> = {
  verifyIdentity: TRIAGE_VERBS.verifyIdentity,
  confirmReceipt: TRIAGE_VERBS.confirmReceipt,
  approve: TRIAGE_VERBS.approve,
  findData: DISCOVERY_VERBS.find,
  showFindings: DISCOVERY_VERBS.show,
  showPlan: PLAN_VERBS.show,
  reviewPackage: REVIEW_VERBS.show,
  respond: PLAN_VERBS.respond,
  close: TRIAGE_VERBS.close,
  assignSelf: TRIAGE_VERBS.assignSelf,
  releaseHold: TRIAGE_VERBS.releaseHold,
  refresh: CASE_VERBS.refresh,
};

/** What every case button sends: the case and the version the reader saw, so a stale press is refused. */
export interface CaseActionData {
  caseId: string;
  version: number;
}

/**
 * The button for one case action, titled in the reader's language, or nothing when the reader may
 * not take it or it needs a form. The next thing to do for the reader is the positive one.
 */
export function caseActionButton(
  action: CaseAction,
  allowed: AllowedActions,
  t: TFunction,
  data: CaseActionData,
): ExecuteAction | undefined {
  const verb = ONE_PRESS[action];
  if (!verb || !allowed.actions.includes(action)) return undefined;
  return executeAction(
    t(`case.actions.${action}`),
    verb,
    { ...data },
    allowed.next === action ? 'positive' : undefined,
  );
}

/**
 * The one-press buttons among `wanted` that the reader may take, the next thing to do first: a card
 * lists what it has room for, and its primary action is always the next step for that person.
 */
export function caseActionButtons(
  wanted: readonly CaseAction[],
  allowed: AllowedActions,
  t: TFunction,
  data: CaseActionData,
): ExecuteAction[] {
  const ordered =
    allowed.next && wanted.includes(allowed.next)
      ? [allowed.next, ...wanted.filter((a) => a !== allowed.next)]
      : wanted;
  return ordered.flatMap((action) => caseActionButton(action, allowed, t, data) ?? []);
}

import type { TFunction } from 'i18next';
import type { WaitingApproval, WaitingState } from '../dsr/approvalWaiting.js';
import {
  adaptiveCard,
  executeAction,
  openUrlAction,
  textBlock,
  type ActionData,
  type AdaptiveCard,
  type CardAction,
} from './adaptive.js';
import { shownAsText } from './format.js';
import { PLAN_VERBS, REVIEW_VERBS, TEAM_VERBS } from './verbs.js';

export interface ApprovalWaitingView {
  caseId: string;
  /** The case's version when the card was made, as every card action on the case names it. */
  version: number;
  subjectName: string;
  waiting: WaitingApproval;
  /** "the erasure in Business Central", for a step. */
  step: string;
  /** The names of who made it and, once approved, who approved it. */
  by: string;
  approver?: string;
  state: WaitingState;
  /** Opens the card in the channel thread; absent when the bot has no thread to point to. */
  link?: string;
}

function stateText(view: ApprovalWaitingView, t: TFunction): string {
  const review = view.waiting.kind === 'review';
  const approver = shownAsText(view.approver ?? '');
  switch (view.state.kind) {
    case 'waiting':
      return t('team.waiting.ask');
    case 'approved':
      return t(review ? 'team.waiting.approvedReview' : 'team.waiting.approved', { approver });
    case 'done':
      return t(review ? 'team.waiting.doneReview' : 'team.waiting.done', { approver });
    case 'replaced':
      return t('team.waiting.replaced');
  }
}

/**
 * What a privacy officer reads in their 1:1 chat when a colleague's preview or reviewed package
 * waits for a second pair of eyes: who made it, what it changes, and a button to the card in the
 * channel thread. While it waits the card refreshes when shown, so a press or a second look shows
 * whether someone approved it meanwhile; once settled it stops asking.
 */
export function approvalWaitingCard(view: ApprovalWaitingView, t: TFunction): AdaptiveCard {
  const by = shownAsText(view.by);
  const title =
    view.waiting.kind === 'step'
      ? t('team.waiting.stepTitle', { who: by, step: view.step, caseId: view.caseId })
      : t('team.waiting.reviewTitle', { who: by, caseId: view.caseId });
  const data: ActionData = {
    caseId: view.caseId,
    waiting: view.waiting.kind,
    hash: view.waiting.hash,
    ...(view.waiting.kind === 'step' ? { stepId: view.waiting.stepId } : {}),
    ...(view.link ? { link: view.link } : {}),
  };
  const live = view.state.kind === 'waiting';
  // Opening what waits right here in the chat is the next thing to do: the plan with the preview's
  // Approve button, or the package's review. Those cards check the role, the four eyes and the
  // preview's hash on the server when approved; this button only shows them.
  const here = { caseId: view.caseId, version: view.version };
  const openHere =
    view.waiting.kind === 'step'
      ? executeAction(t('team.waiting.showPlan'), PLAN_VERBS.show, here, 'positive')
      : executeAction(t('team.waiting.showReview'), REVIEW_VERBS.show, here, 'positive');
  // The live state is one press away while it waits; the thread's card, one link away.
  const actions: CardAction[] = [
    ...(live ? [openHere] : []),
    ...(view.link ? [openUrlAction(t('team.waiting.open'), view.link, live ? 'default' : 'positive')] : []),
    ...(live ? [executeAction(t('team.waiting.status'), TEAM_VERBS.waiting, data)] : []),
  ];
  return adaptiveCard({
    ...(live ? { refresh: { action: { type: 'Action.Execute', verb: TEAM_VERBS.waiting, data } } } : {}),
    body: [
      textBlock(title, { size: 'Medium', weight: 'Bolder' }),
      textBlock(t('team.waiting.subject', { subject: shownAsText(view.subjectName, 120) }), {
        isSubtle: true,
        spacing: 'None',
      }),
      textBlock(stateText(view, t)),
    ],
    actions,
  });
}

import type { TFunction } from 'i18next';
import type { WaitingApproval, WaitingState } from '../dsr/approvalWaiting.js';
import { shownAsText } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, type CardJson } from './template.js';

/** Shows where what waited for approval stands now; also the card's refresh while it still waits. */
export const APPROVAL_WAITING_VERB = 'team.waiting';

export interface ApprovalWaitingView {
  caseId: string;
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
export function approvalWaitingCard(view: ApprovalWaitingView, t: TFunction): CardJson {
  const by = shownAsText(view.by);
  const title =
    view.waiting.kind === 'step'
      ? t('team.waiting.stepTitle', { who: by, step: view.step, caseId: view.caseId })
      : t('team.waiting.reviewTitle', { who: by, caseId: view.caseId });
  const data = {
    caseId: view.caseId,
    waiting: view.waiting.kind,
    hash: view.waiting.hash,
    ...(view.waiting.kind === 'step' ? { stepId: view.waiting.stepId } : {}),
    ...(view.link ? { link: view.link } : {}),
  };
  const live = view.state.kind === 'waiting';
  const actions: CardJson[] = [
    ...(view.link
      ? [{ type: 'Action.OpenUrl', title: t('team.waiting.open'), url: view.link, style: 'positive' }]
      : []),
    ...(live ? [executeAction(t('team.waiting.status'), APPROVAL_WAITING_VERB, data)] : []),
  ];
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    ...(live ? { refresh: { action: { type: 'Action.Execute', verb: APPROVAL_WAITING_VERB, data } } } : {}),
    body: [
      { type: 'TextBlock', text: title, size: 'Medium', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: t('team.waiting.subject', { subject: shownAsText(view.subjectName, 120) }),
        isSubtle: true,
        spacing: 'None',
        wrap: true,
      },
      { type: 'TextBlock', text: stateText(view, t), wrap: true },
    ],
    ...(actions.length > 0 ? { actions } : {}),
  };
}

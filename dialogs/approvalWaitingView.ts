import type { TFunction } from 'i18next';
import type { ApprovalWaitingView } from '../cards/approvalWaitingCard.js';
import { waitingState, type WaitingApproval } from '../dsr/approvalWaiting.js';
import type { DsrCase } from '../dsr/case.js';
import { nameTable, personName, stepPhrase } from './auditWords.js';
import type { TeamDirectory } from './team.js';

/** The waiting card's view: the case as it is now, with names from the directory for the ids it keeps. */
export async function approvalWaitingView(
  dsrCase: DsrCase,
  waiting: WaitingApproval,
  team: Pick<TeamDirectory, 'namesOf'>,
  t: TFunction,
  link: string | undefined,
): Promise<ApprovalWaitingView> {
  const state = waitingState(dsrCase, waiting);
  const byId =
    state.kind === 'replaced'
      ? waiting.kind === 'step'
        ? dsrCase.plan?.steps.find((s) => s.id === waiting.stepId)?.preview?.byId
        : dsrCase.review?.submitted?.byId
      : state.byId;
  const approverId = state.kind === 'approved' || state.kind === 'done' ? state.approvedById : undefined;
  const ids = [byId, approverId].filter((id): id is string => id !== undefined);
  const names = nameTable(await team.namesOf(ids), dsrCase);
  return {
    caseId: dsrCase.id,
    subjectName: dsrCase.subject.name,
    waiting,
    step: waiting.kind === 'step' ? stepPhrase(dsrCase, waiting.stepId, t) : '',
    by: byId ? personName(byId, names, t) : t('audit.people.unknown', { id: '?' }),
    ...(approverId ? { approver: personName(approverId, names, t) } : {}),
    state,
    ...(link ? { link } : {}),
  };
}

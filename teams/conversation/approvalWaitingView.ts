import type { TFunction } from 'i18next';
import type { ApprovalWaitingView } from '../../cards/approvalWaitingCard.js';
import { waitingState, type WaitingApproval } from '../../dsr/approvalWaiting.js';
import type { DsrCase } from '../../dsr/case.js';
import { nameTable, personName, stepPhrase } from './auditWords.js';
import type { TeamDirectory } from '../team.js';

/** Who made what waits (also when a newer one replaced it) and, once approved, who approved it. */
function peopleOf(dsrCase: DsrCase, waiting: WaitingApproval): { byId?: string; approverId?: string } {
  const state = waitingState(dsrCase, waiting);
  if (state.kind === 'approved' || state.kind === 'done') return { byId: state.byId, approverId: state.approvedById };
  if (state.kind === 'waiting') return { byId: state.byId };
  const byId =
    waiting.kind === 'step'
      ? dsrCase.plan?.steps.find((s) => s.id === waiting.stepId)?.preview?.byId
      : dsrCase.review?.submitted?.byId;
  return byId ? { byId } : {};
}

/** The waiting card's view: the case as it is now, with names from the directory for the ids it keeps. */
export async function approvalWaitingView(
  dsrCase: DsrCase,
  waiting: WaitingApproval,
  team: Pick<TeamDirectory, 'namesOf'>,
  t: TFunction,
  link: string | undefined,
): Promise<ApprovalWaitingView> {
  const { byId, approverId } = peopleOf(dsrCase, waiting);
  const ids = [byId, approverId].filter((id): id is string => id !== undefined);
  return waitingViewWithNames(dsrCase, waiting, await team.namesOf(ids), t, link);
}

/** The same view, with the directory's names for the ids already at hand. */
export function waitingViewWithNames(
  dsrCase: DsrCase,
  waiting: WaitingApproval,
  directory: Map<string, string>,
  t: TFunction,
  link: string | undefined,
): ApprovalWaitingView {
  const { byId, approverId } = peopleOf(dsrCase, waiting);
  const names = nameTable(directory, dsrCase);
  return {
    caseId: dsrCase.id,
    version: dsrCase.version,
    subjectName: dsrCase.subject.name,
    waiting,
    step: waiting.kind === 'step' ? stepPhrase(dsrCase, waiting.stepId, t) : '',
    by: byId ? personName(byId, names, t) : t('audit.people.unknown', { id: '?' }),
    ...(approverId ? { approver: personName(approverId, names, t) } : {}),
    state: waitingState(dsrCase, waiting),
    ...(link ? { link } : {}),
  };
}

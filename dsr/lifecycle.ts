import type { CaseStatus } from './case.js';

/**
 * Every change a case can undergo, and the statuses it may start from. One table, so the
 * lifecycle can be read in one place and a refused transition always says the same thing.
 * `to: null` keeps the status (notes, assignment, pauses).
 */
export const TRANSITIONS = {
  create: { from: [] as CaseStatus[], to: 'received' },
  startTriage: { from: ['received'], to: 'triage' },
  assign: { from: ['received', 'triage', 'approved', 'discovery', 'actions'], to: null },
  addNote: { from: ['received', 'triage', 'approved', 'declined', 'discovery', 'actions', 'responded'], to: null },
  verifyIdentity: { from: ['received', 'triage'], to: null },
  pauseClock: { from: ['received', 'triage'], to: null },
  resumeClock: { from: ['received', 'triage'], to: null },
  extend: { from: ['received', 'triage', 'approved', 'discovery', 'actions'], to: null },
  confirmReceipt: {
    from: ['received', 'triage', 'approved', 'discovery', 'actions', 'declined', 'responded'],
    to: null,
  },
  saveLetterDraft: { from: ['received', 'triage', 'approved', 'declined', 'discovery', 'actions'], to: null },
  recordLetter: { from: ['received', 'triage', 'approved', 'declined', 'discovery', 'actions', 'responded'], to: null },
  approve: { from: ['received', 'triage'], to: 'approved' },
  // A request may be refused at any stage before the response (GDPR Art. 12(4) and (5), 17(3), 15(4)).
  decline: { from: ['received', 'triage', 'approved', 'discovery', 'actions'], to: 'declined' },
  startDiscovery: { from: ['approved', 'discovery', 'actions'], to: 'discovery' },
  recordFindings: { from: ['approved', 'discovery', 'actions'], to: 'discovery' },
  markNotThisPerson: { from: ['discovery', 'actions'], to: null },
  confirmPerson: { from: ['discovery', 'actions'], to: null },
  startActions: { from: ['discovery', 'actions'], to: 'actions' },
  createPlan: { from: ['discovery', 'actions'], to: 'actions' },
  startStep: { from: ['actions'], to: null },
  stepProgress: { from: ['actions'], to: null },
  completeStep: { from: ['actions'], to: null },
  failStep: { from: ['actions'], to: null },
  tickStep: { from: ['actions'], to: null },
  awaitStep: { from: ['actions'], to: null },
  previewStep: { from: ['actions'], to: null },
  approveStep: { from: ['actions'], to: null },
  // A restriction may be lifted after the response went out: the person may ask for it later.
  liftStep: { from: ['actions', 'responded'], to: null },
  respond: { from: ['actions'], to: 'responded' },
  // The package is reviewed, approved and released before the response that carries its link.
  openReview: { from: ['actions'], to: null },
  excludeRecord: { from: ['actions'], to: null },
  redactField: { from: ['actions'], to: null },
  undoReview: { from: ['actions'], to: null },
  submitReview: { from: ['actions'], to: null },
  approveReview: { from: ['actions'], to: null },
  releasePackage: { from: ['actions'], to: null },
  // The team may take the link back at any time, also after the response went out.
  revokeSubjectLink: { from: ['actions', 'responded', 'closed'], to: null },
  close: { from: ['responded', 'declined'], to: 'closed' },
  // A hold may be needed before a case closes (a complaint under way), so it is open at every stage.
  placeHold: {
    from: ['received', 'triage', 'approved', 'declined', 'discovery', 'actions', 'responded', 'closed'],
    to: null,
  },
  releaseHold: {
    from: ['received', 'triage', 'approved', 'declined', 'discovery', 'actions', 'responded', 'closed'],
    to: null,
  },
  // The purge is the bot's own: nobody presses it (see permissions).
  startPurge: { from: ['closed'], to: null },
  completePurge: { from: ['closed'], to: null },
  // A kept record's reason ends years after the case, whatever became of it, purged or not.
  linkFollowUp: { from: ['actions', 'responded', 'declined', 'closed'], to: null },
  recheckKept: { from: ['actions', 'responded', 'declined', 'closed'], to: null },
} as const satisfies Record<string, { from: readonly CaseStatus[]; to: CaseStatus | null }>;

export type CaseEvent = keyof typeof TRANSITIONS;

export function canTransition(event: CaseEvent, from: CaseStatus): boolean {
  return (TRANSITIONS[event].from as readonly CaseStatus[]).includes(from);
}

export function nextStatus(event: CaseEvent, from: CaseStatus): CaseStatus {
  return TRANSITIONS[event].to ?? from;
}

/**
 * Every verb a card's button sends, in one place. A verb is stored in cards already posted to Teams,
 * so its string never changes: a card sent last month must still reach its handler.
 */

/** The case card: its refresh, and opening a case from a list. */
export const CASE_VERBS = {
  refresh: 'case.refresh',
} as const;

/** The privacy team's decisions on a case before and around the work. */
export const TRIAGE_VERBS = {
  refresh: 'triage.refresh',
  assignSelf: 'triage.assignSelf',
  assign: 'triage.assign',
  verifyIdentity: 'triage.verifyIdentity',
  pause: 'triage.pause',
  resume: 'triage.resume',
  confirmReceipt: 'triage.confirmReceipt',
  approve: 'triage.approve',
  decline: 'triage.decline',
  extend: 'triage.extend',
  note: 'triage.note',
  close: 'triage.close',
  hold: 'triage.hold',
  releaseHold: 'triage.releaseHold',
} as const;

/** Finding the person in every system. */
export const DISCOVERY_VERBS = {
  find: 'discovery.find',
  retry: 'discovery.retry',
  /** A button on cards posted before the selection: sets aside its one record. */
  notThisPerson: 'discovery.notThisPerson',
  /** A record matched on weak identifiers only is the person's. */
  confirm: 'discovery.confirm',
  /** Every record of one system, grouped by kind, one page at a time. */
  review: 'discovery.review',
  show: 'discovery.show',
  /** The records ticked on a findings or review card are someone else's: one Save for all of them. */
  setAside: 'discovery.setAside',
} as const;

/** The plan and its steps, with the previews and approvals of the changes. */
export const PLAN_VERBS = {
  create: 'plan.create',
  show: 'plan.show',
  preparePackage: 'plan.preparePackage',
  /** Marks the guided steps chosen on the card done, with one note and one evidence link. */
  tick: 'plan.tick',
  /** The chosen guided steps wait for an outside party until a day. */
  wait: 'plan.wait',
  /** Teams asks for the plan as it is now, for one reader (the card's refresh). */
  refresh: 'plan.refresh',
  respond: 'plan.respond',
  /** Asks the system what a destructive step would change (with the corrections or restriction mode). */
  preview: 'plan.preview',
  showPreview: 'plan.showPreview',
  /** Approves the preview shown; the data carries its hash. */
  approve: 'plan.approve',
  /** Approves every preview the card lists, each bound to its own step's hash (never one's own preview). */
  approveAll: 'plan.approveAll',
  /** Starts every approved step that can start together, each on its own as Apply would. */
  applyAll: 'plan.applyAll',
  /** Applies an approved step; on a failed step, retries from where it stopped. */
  apply: 'plan.apply',
  /** Continues a step whose process stopped midway. */
  resume: 'plan.resume',
  lift: 'plan.lift',
  /** Deletes a kept Entra account anyway, with a privacy officer's written reason: a new preview. */
  override: 'plan.override',
} as const;

/** The review of the package before it reaches the person. */
export const REVIEW_VERBS = {
  show: 'review.show',
  exclude: 'review.exclude',
  redact: 'review.redact',
  undo: 'review.undo',
  submit: 'review.submit',
  approve: 'review.approve',
  release: 'review.release',
  revoke: 'review.revoke',
} as const;

/** Letters to the data subject. */
export const LETTER_VERBS = {
  show: 'letter.show',
  update: 'letter.update',
  send: 'letter.send',
  markSent: 'letter.markSent',
} as const;

/** Recording a new request. */
export const INTAKE_VERBS = {
  submit: 'intake.submit',
} as const;

/** A case's audit trail, a page at a time. */
export const AUDIT_VERBS = {
  page: 'audit.page',
} as const;

/** What the bot tells privacy officers on its own, such as a preview that waits for their approval. */
export const TEAM_VERBS = {
  /** Shows where what waited for approval stands now; also that card's refresh while it waits. */
  waiting: 'team.waiting',
} as const;

export const CASE_REFRESH_VERB = CASE_VERBS.refresh;
export const INTAKE_SUBMIT_VERB = INTAKE_VERBS.submit;

type ValueOf<T> = T[keyof T];

/** Any verb a card may send; a builder refuses any other string at compile time. */
export type Verb =
  | ValueOf<typeof CASE_VERBS>
  | ValueOf<typeof TRIAGE_VERBS>
  | ValueOf<typeof DISCOVERY_VERBS>
  | ValueOf<typeof PLAN_VERBS>
  | ValueOf<typeof REVIEW_VERBS>
  | ValueOf<typeof LETTER_VERBS>
  | ValueOf<typeof INTAKE_VERBS>
  | ValueOf<typeof AUDIT_VERBS>
  | ValueOf<typeof TEAM_VERBS>;

/** The verbs that ask for a card's live state (Teams' Universal Actions refresh). */
export const REFRESH_VERBS: ReadonlySet<string> = new Set<Verb>([
  TRIAGE_VERBS.refresh,
  CASE_VERBS.refresh,
  PLAN_VERBS.refresh,
]);

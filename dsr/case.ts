import type { Regulation } from './deadlines.js';
import type { CaseFindings } from './findings.js';
import type { CasePlan, CaseResponse } from './planRecord.js';
import type { LetterDraft, LetterKind, SentLetter } from './letters/letterKinds.js';
import type { PackageReview } from './packageReviewRecord.js';
import type { KeptRecord } from './keptRecords.js';
import type { RequestType } from './requestTypes.js';

// The request types, where the rest of the code has always imported them.
export { REQUEST_TYPES, REQUEST_TYPE_LABELS } from './requestTypes.js';
export type { RequestType } from './requestTypes.js';

export const SUBJECT_ROLES = [
  'customer',
  'employee',
  'former-employee',
  'vendor',
  'social-media-author',
  'other',
] as const;
export type SubjectRole = (typeof SUBJECT_ROLES)[number];

export const SUBJECT_ROLE_LABELS: Record<SubjectRole, string> = {
  customer: 'Customer',
  employee: 'Employee',
  'former-employee': 'Former employee',
  vendor: 'Vendor',
  'social-media-author': 'Social media author',
  other: 'Other',
};

export const IDENTITY_CHECKS = [
  'not-yet',
  'known-contact-details',
  'signed-in-account',
  'id-document',
  'employee-record',
  'other',
] as const;
export type IdentityCheck = (typeof IDENTITY_CHECKS)[number];

export const IDENTITY_CHECK_LABELS: Record<IdentityCheck, string> = {
  'not-yet': 'Not verified yet',
  'known-contact-details': 'Confirmed through contact details we already hold',
  'signed-in-account': 'Request came from their signed-in account',
  'id-document': 'Identity document checked',
  'employee-record': 'Matched against the employee record',
  other: 'Other (see details)',
};

export const CASE_STATUSES = [
  'received',
  'triage',
  'approved',
  'declined',
  'discovery',
  'actions',
  'responded',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_STATUS_LABELS: Record<CaseStatus, string> = {
  received: 'Received',
  triage: 'In triage',
  approved: 'Approved',
  declined: 'Declined',
  discovery: 'Finding data',
  actions: 'Carrying out the request',
  responded: 'Responded',
  closed: 'Closed',
};

/** Someone acting on a case. `id` is the Entra object id where Teams gives one, so the audit trail names no one. */
export interface Actor {
  id: string;
  name: string;
}

export interface SubjectIdentifiers {
  customerNumber?: string;
  employeeId?: string;
  other?: string;
}

export interface DataSubject {
  name: string;
  emails: string[];
  phones: string[];
  identifiers: SubjectIdentifiers;
  role: SubjectRole;
}

export interface CaseNote {
  at: string;
  by: Actor;
  text: string;
}

/** Proof of identity asked for and not yet arrived: the clock stands still from `since` (GDPR Art. 12(6)). */
export interface ClockPause {
  since: string;
  reason: string;
}

/** One request for proof of identity, once the proof arrived: the whole days between the two dates are added. */
export interface IdentityRequest {
  askedAt: string;
  /** The date the proof arrived, as the officer entered it (YYYY-MM-DD, the organisation's zone). */
  arrivedOn: string;
  reason: string;
  daysAdded: number;
}

export interface CaseExtension {
  at: string;
  by: Actor;
  reason: string;
  /** When the person was told of the extension and why; GDPR Art. 12(3) wants it within the first month. */
  noticeSentAt?: string;
}

/** CCPA: receipt confirmed within 10 business days (11 CCR § 7021(a)). */
export interface ReceiptConfirmation {
  dueAt: string;
  sentAt: string | null;
}

export const TRIAGE_CHECKS = [
  'personIdentified',
  'receiptRecorded',
  'meetsRequirements',
  'noConflict',
  'informationAvailable',
] as const;
export type TriageCheck = (typeof TRIAGE_CHECKS)[number];

export const DECLINE_REASONS = [
  'identity-not-verified',
  'manifestly-unfounded',
  'legal-obligation',
  'rights-of-others',
  'not-our-data',
  'other',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export const DECLINE_REASON_LABELS: Record<DeclineReason, string> = {
  'identity-not-verified': 'Identity could not be established (Art. 11(2), 12(2) and 12(6))',
  'manifestly-unfounded': 'Manifestly unfounded or excessive (Art. 12(5))',
  'legal-obligation': 'Erasure exception: a legal obligation or legal claims (Art. 17(3))',
  'rights-of-others': "It would adversely affect others' rights and freedoms (Art. 15(4))",
  'not-our-data': 'We hold no data about this person',
  other: 'Other (explained below)',
};

/** The provision each ground rests on, as the refusal letter cites it (GDPR). */
export const DECLINE_REASON_BASIS: Record<DeclineReason, string> = {
  'identity-not-verified': 'GDPR Art. 11(2), 12(2) and 12(6)',
  'manifestly-unfounded': 'GDPR Art. 12(5)',
  'legal-obligation': 'GDPR Art. 17(3)(b) and (e)',
  'rights-of-others': 'GDPR Art. 15(4)',
  'not-our-data': 'GDPR Art. 15(1)',
  other: 'GDPR Art. 12(4)',
};

export interface CaseDecision {
  outcome: 'approved' | 'declined';
  at: string;
  by: Actor;
  reason: DeclineReason | null;
  explanation: string;
}

/** Why a closed case's personal data must be kept past its retention (a legal hold). */
export const HOLD_REASONS = ['litigation', 'regulator-inquiry', 'complaint', 'other'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export const HOLD_REASON_LABELS: Record<HoldReason, string> = {
  litigation: 'Litigation, pending or reasonably expected',
  'regulator-inquiry': 'An inquiry by a supervisory authority',
  complaint: 'A complaint by the data subject',
  other: 'Other (explained below)',
};

/** Pauses the purge of one case until it is released. */
export interface LegalHold {
  since: string;
  byId: string;
  reason: HoldReason;
  explanation: string;
}

/** Another case about the same person, found by a strong identifier when this one was filed. */
export interface RelatedCase {
  caseId: string;
  /** Open: still being handled. Answered: responded, declined or closed within the repeat window. */
  why: 'open' | 'answered';
  answeredAt?: string;
}

export interface DsrCase {
  id: string;
  /** Incremented by every change; a card or command that saw an older version is refused. */
  version: number;
  status: CaseStatus;
  subject: DataSubject;
  requestTypes: RequestType[];
  regulation: Regulation;
  receivedAt: string;
  dueAt: string;
  identityCheck: IdentityCheck;
  details: string;
  requester: Actor;
  createdAt: string;
  updatedAt: string;
  /** Lets a resubmitted intake card (double click, retry) find the case it already created. */
  intakeKey: string;
  assignee: Actor | null;
  pause: ClockPause | null;
  /** Every request for proof of identity that was answered, with the days it added. */
  identityRequests: IdentityRequest[];
  extension: CaseExtension | null;
  /** CCPA cases only. */
  receiptConfirmation?: ReceiptConfirmation;
  identityVerified: { at: string; by: Actor } | null;
  decision: CaseDecision | null;
  notes: CaseNote[];
  /** What discovery found, per system; absent until the first search. */
  findings?: CaseFindings;
  /** The steps that carry out the request; absent until the plan is made. */
  plan?: CasePlan;
  /** What the data subject was told, once every step is done or explained. */
  response?: CaseResponse;
  /** When the case was closed, and when its personal data is deleted (set at closing). */
  closedAt?: string;
  purgeAfter?: string;
  /** A legal hold pauses the purge. */
  hold?: LegalHold | null;
  /** The purge of the personal data: started, then done; a started purge is finished by the next pass. */
  purge?: { startedAt: string; doneAt?: string };
  /** Cases about the same person, open or answered recently (Art. 12(5)): the team decides what follows. */
  related?: RelatedCase[];
  /** The language the person's letters are written in (chosen at intake); English where absent. */
  language?: string;
  /** Every letter sent to the person, with its content and hash. */
  letters?: SentLetter[];
  /** The officer's own words for a letter not yet sent. */
  letterDrafts?: Partial<Record<LetterKind, LetterDraft>>;
  /** The review of the package before it goes to the person: withheld records, redactions, approval, release. */
  review?: PackageReview;
  /** Records a deletion kept for a legal reason, by id, each with when its reason ends; they outlive the purge. */
  kept?: KeptRecord[];
  /** When the next kept record falls due (its reason ended, or its condition is checked again). */
  keptDueAt?: string;
  /** The case whose kept records this one erases, once their reason ended. */
  followUpOf?: string;
  /** The cases opened to erase this case's kept records. */
  followUps?: string[];
}

const CASE_ID = /^DSR-(\d{4})-(\d{4,})$/;

export function formatCaseId(year: number, sequence: number): string {
  return `DSR-${year}-${String(sequence).padStart(4, '0')}`;
}

export function isCaseId(text: string): boolean {
  return CASE_ID.test(text);
}

export function caseIdYear(id: string): number | undefined {
  const match = CASE_ID.exec(id);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The year and the number within it of a case id. */
export function caseNumber(id: string): { year: number; sequence: number } | undefined {
  const match = CASE_ID.exec(id);
  return match ? { year: Number(match[1]), sequence: Number(match[2]) } : undefined;
}

export function isOpen(dsrCase: Pick<DsrCase, 'status'>): boolean {
  return dsrCase.status !== 'declined' && dsrCase.status !== 'closed' && dsrCase.status !== 'responded';
}

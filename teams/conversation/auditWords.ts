import { DateTime } from 'luxon';
import type { TFunction } from 'i18next';
import { shownAsText } from '../../cards/format.js';
import { CATALOGUES, languageOf } from '../../i18n/index.js';
import type { AuditEvent } from '../../dsr/audit.js';
import { AUDIT_HEAD_MISSING, AUDIT_KEY_INTRODUCED } from '../../dsr/audit.js';
import { REQUEST_TYPES, type DsrCase, type RequestType } from '../../dsr/case.js';
import type { CaseAction } from '../../dsr/caseActions.js';
import { PACKAGE_STEP_ID } from '../../dsr/plan.js';
import type { OrgCalendar } from '../../dsr/deadlines.js';

/**
 * Every action a case can go through. A Record over the union, so a new kind of case action
 * does not compile until it is listed here, and then the wording test asks for its words.
 */
const CASE_ACTION_KINDS: Record<CaseAction['kind'], true> = {
  startTriage: true,
  addNote: true,
  assign: true,
  verifyIdentity: true,
  pauseClock: true,
  resumeClock: true,
  approve: true,
  decline: true,
  extend: true,
  confirmReceipt: true,
  saveLetterDraft: true,
  recordLetter: true,
  close: true,
  placeHold: true,
  releaseHold: true,
  startPurge: true,
  completePurge: true,
  linkFollowUp: true,
  recheckKept: true,
  recordFindings: true,
  markNotThisPerson: true,
  confirmPerson: true,
  createPlan: true,
  startStep: true,
  stepProgress: true,
  completeStep: true,
  failStep: true,
  tickStep: true,
  awaitStep: true,
  previewStep: true,
  approveStep: true,
  liftStep: true,
  respond: true,
  openReview: true,
  excludeRecord: true,
  redactField: true,
  undoReview: true,
  submitReview: true,
  approveReview: true,
  releasePackage: true,
  revokeSubjectLink: true,
};

/** What is recorded besides case actions: a case filed, files read, settings, and the trail's own events. */
export const OTHER_AUDIT_ACTIONS = [
  'create',
  'openFollowUp',
  'exportRegister',
  'downloadLetter',
  'downloadAuditTrail',
  'downloadCaseFile',
  'downloadPackage',
  'declinePackageFile',
  'subjectDownload',
  'subjectDownloadRefused',
  'usePrivacyChannel',
  'showReminders',
  'snoozeReminders',
  'fileConsent',
  'write-not-completed',
  AUDIT_HEAD_MISSING,
  AUDIT_KEY_INTRODUCED,
] as const;

/** Actions someone can be refused: every case action, and the settings and files a role guards. */
export const REFUSABLE_ACTIONS: readonly string[] = [
  ...Object.keys(CASE_ACTION_KINDS),
  'create',
  'openFollowUp',
  'usePrivacyChannel',
  'showReminders',
  'snoozeReminders',
  'fileConsent',
];

export const AUDITED_ACTIONS: readonly string[] = [...Object.keys(CASE_ACTION_KINDS), ...OTHER_AUDIT_ACTIONS];

/** A refused card press is recorded under the card's verb ("plan.approve"); its card names the attempt. */
const CARD_NAMESPACES = ['intake', 'triage', 'discovery', 'plan', 'review', 'letter', 'case', 'audit'] as const;

const STEP_ACTIONS = new Set([
  'startStep',
  'stepProgress',
  'completeStep',
  'failStep',
  'tickStep',
  'awaitStep',
  'previewStep',
  'approveStep',
  'liftStep',
]);

/** Ids the bot writes for actors who are not people in the directory. */
const SYSTEM_ID = 'system';
const SUBJECT_ID = 'data-subject';

/** Whether the English catalogue holds a text under this dotted key (every language holds the same keys). */
export function hasWording(key: string): boolean {
  let node: unknown = CATALOGUES.en;
  for (const part of key.split('.')) {
    if (!node || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string';
}

/** The ids a page of the trail names, to look their names up once. */
export function actorIds(events: readonly AuditEvent[]): string[] {
  return [...new Set(events.map((e) => e.actorId).filter((id) => id !== SYSTEM_ID && id !== SUBJECT_ID))];
}

/**
 * Names for the ids on the trail: the directory's first (the name Teams last gave), then the case's
 * own people. The stored trail keeps ids only, so names are found when the trail is shown.
 */
export function nameTable(directory: Map<string, string>, dsrCase: DsrCase | undefined): Map<string, string> {
  const names = new Map<string, string>();
  const own = [dsrCase?.requester, dsrCase?.assignee ?? undefined];
  for (const person of own) if (person?.id && person.name) names.set(person.id, person.name);
  for (const [id, name] of directory) names.set(id, name);
  return names;
}

export function personName(id: string, names: Map<string, string>, t: TFunction): string {
  if (id === SYSTEM_ID) return t('audit.people.bot');
  if (id === SUBJECT_ID) return t('audit.people.subject');
  return names.get(id) ?? t('audit.people.unknown', { id: id.slice(0, 8) });
}

/** "the erasure in Business Central": a step of the case's plan in words. */
export function stepPhrase(dsrCase: DsrCase | undefined, stepId: string | undefined, t: TFunction): string {
  return stepWords({ detail: stepId ? { stepId } : {} }, dsrCase, t);
}

/** The step an event is about, from the plan or the event's own detail. */
function stepWords(event: Pick<AuditEvent, 'detail'>, dsrCase: DsrCase | undefined, t: TFunction): string {
  const stepId = typeof event.detail.stepId === 'string' ? event.detail.stepId : undefined;
  if (stepId === PACKAGE_STEP_ID) return t('audit.step.package');
  const step = stepId ? dsrCase?.plan?.steps.find((s) => s.id === stepId) : undefined;
  const right = step?.right ?? event.detail.right;
  const system = step?.systemName ?? event.detail.systemId;
  if (typeof right !== 'string' || !(REQUEST_TYPES as readonly string[]).includes(right) || typeof system !== 'string')
    return t('audit.step.unknown');
  return t('audit.step.inSystem', { right: t(`audit.rights.${right as RequestType}`), system: shownAsText(system) });
}

function attemptWords(event: AuditEvent, step: string, t: TFunction): string {
  if (hasWording(`audit.attempt.${event.action}`)) return t(`audit.attempt.${event.action}`, { step });
  const namespace = event.action.split('.')[0] ?? '';
  const card = (CARD_NAMESPACES as readonly string[]).includes(namespace) ? namespace : 'other';
  return t(`audit.attempt.card.${card}`);
}

const WHY = ['not-found', 'forbidden', 'stale', 'invalid-transition', 'invalid-input'];

/** One event as a sentence: who did what to which step in which system, or what they were refused. */
export function eventSentence(
  event: AuditEvent,
  names: Map<string, string>,
  dsrCase: DsrCase | undefined,
  t: TFunction,
): string {
  // Names come from Teams and systems' names from the configuration: shown as the text they are.
  const who = shownAsText(personName(event.actorId, names, t));
  const step = STEP_ACTIONS.has(event.action) || event.outcome === 'refused' ? stepWords(event, dsrCase, t) : '';
  if (event.outcome === 'refused') {
    const refusal = typeof event.detail.refusal === 'string' && WHY.includes(event.detail.refusal);
    const why = t(`audit.why.${refusal ? (event.detail.refusal as string) : 'forbidden'}`);
    return t('audit.refusedLine', { who, attempt: attemptWords(event, step, t), why });
  }
  if (hasWording(`audit.done.${event.action}`)) return t(`audit.done.${event.action}`, { who, step });
  // An action from a newer version of the bot than this one: shown as written rather than dropped.
  return `${who}: ${event.action}`;
}

/** The moment in the organisation's zone, in the reader's language, with the zone's name. */
export function eventTime(at: string, calendar: OrgCalendar, locale: string | undefined): string {
  const language = languageOf(locale);
  const shown = DateTime.fromISO(at)
    .setZone(calendar.timeZone)
    .setLocale(locale && languageOf(locale) === language ? locale : language === 'en' ? 'en-GB' : language);
  return `${shown.toLocaleString(DateTime.DATETIME_MED)} ${shown.toFormat('ZZZZ')}`;
}

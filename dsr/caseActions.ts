import type { AuditDetail } from './audit.js';
import {
  DECLINE_REASONS,
  HOLD_REASONS,
  type HoldReason,
  TRIAGE_CHECKS,
  type Actor,
  type DeclineReason,
  type DsrCase,
  type TriageCheck,
} from './case.js';
import type { FoundRecord, SearchQuery, SystemFindings } from './discovery.js';
import { nextKeptDue, type KeptEnds, type KeptRecord } from './keptRecords.js';
import { standingOf } from './matching.js';
import { applyPlanCaseAction, type PlanCaseAction } from './planCaseActions.js';
import { applyReviewAction, type ReviewAction } from './packageReview.js';
import { calendarDaysBetween, computeDueDate, extensionAllowed, policyFor, type OrgCalendar } from './deadlines.js';
import { purgeDate, purgeIsDue, withoutPersonalData, type RetentionPolicy } from './retention.js';
import { LETTER_NOTE_MAX_LENGTH, type LetterKind, type SentLetter } from './letters/letterKinds.js';
import { DateTime } from 'luxon';
import { said, type Said } from '../i18n/index.js';

export const NOTE_MAX_LENGTH = 2000;
export const REASON_MAX_LENGTH = 1000;

/** Everything that can be done to an existing case; each kind is an event of the lifecycle table. */
export type CaseAction =
  | { kind: 'startTriage' }
  | { kind: 'addNote'; text: string }
  | { kind: 'assign'; assignee: Actor }
  | { kind: 'verifyIdentity' }
  | { kind: 'pauseClock'; reason: string }
  /** `arrivedOn`: the local date the proof arrived (YYYY-MM-DD); absent means today. */
  | { kind: 'resumeClock'; arrivedOn?: string }
  | { kind: 'approve'; checks: TriageCheck[] }
  | { kind: 'decline'; reason: DeclineReason; explanation: string }
  | { kind: 'extend'; reason: string }
  /** CCPA: receipt of the request was confirmed to the person (11 CCR § 7021(a)). */
  | { kind: 'confirmReceipt' }
  /** The officer's own words for a letter, kept until it is sent. */
  | { kind: 'saveLetterDraft'; letter: LetterKind; note: string }
  /** A letter went to the person; the response letter goes with the `respond` action instead. */
  | { kind: 'recordLetter'; letter: SentLetter }
  | { kind: 'close' }
  | { kind: 'placeHold'; reason: HoldReason; explanation: string }
  | { kind: 'releaseHold' }
  | { kind: 'startPurge' }
  | { kind: 'completePurge' }
  /** The bot opened `caseId` to erase these kept records, whose reason ended. */
  | { kind: 'linkFollowUp'; caseId: string; recordIds: string[] }
  /** The bot read these kept records again: each is still kept, by this basis, until (or checked again on) `until`. */
  | { kind: 'recheckKept'; records: Array<{ id: string; basis: string; ends: KeptEnds; until: string }> }
  | { kind: 'recordFindings'; query: SearchQuery; systems: SystemFindings[] }
  /** Records a team member set aside as someone else's, chosen together on the findings card. */
  | { kind: 'markNotThisPerson'; records: RecordRef[] }
  /** A record matched on weak identifiers only (a name, a phone) is the person's: a team member says so. */
  | { kind: 'confirmPerson'; systemId: string; recordId: string }
  | PlanCaseAction
  /** The review of the package before release (GDPR Art. 15(4)); see packageReview.ts. */
  | ReviewAction;

/** One record of the findings: the system it was found in and its id there. */
export interface RecordRef {
  systemId: string;
  recordId: string;
}

/** At most this many records are set aside in one decision: more than a card can show is a forged request. */
export const SET_ASIDE_MAX = 200;

export type ActionChange = { next: DsrCase; detail: AuditDetail } | { invalid: Said };

interface ActionContext {
  actor: Actor;
  now: Date;
  calendar: OrgCalendar;
  /** Absent: closed cases get no purge date (a store used outside the bot, such as a benchmark). */
  retention?: RetentionPolicy;
}

/** A reason a person must give: `what` names it in the catalogue ("refusals.case.required.pause"). */
function requiredText(text: string, what: 'pause' | 'extension' | 'note', max: number): string | { invalid: Said } {
  const trimmed = text.trim();
  if (!trimmed) return { invalid: said(`refusals.case.required.${what}`) };
  if (trimmed.length > max) return { invalid: said(`refusals.case.tooLong.${what}`, { max }) };
  return trimmed;
}

/** The case with its kept records replaced, and the moment the next of them falls due. */
function withKept(dsrCase: DsrCase, kept: KeptRecord[]): DsrCase {
  const { keptDueAt: _old, ...rest } = dsrCase;
  void _old;
  const due = nextKeptDue(kept);
  return { ...rest, kept, ...(due ? { keptDueAt: due } : {}) };
}

/** Whole days the clock stood still for identity, over every answered request for proof. */
export function pausedDays(dsrCase: Pick<DsrCase, 'identityRequests'>): number {
  return dsrCase.identityRequests.reduce((sum, request) => sum + request.daysAdded, 0);
}

/** The due date as the policy computes it from what the case records now. */
function recomputedDue(dsrCase: DsrCase, calendar: OrgCalendar): string {
  return computeDueDate(policyFor(dsrCase.regulation), new Date(dsrCase.receivedAt), calendar, {
    extended: dsrCase.extension !== null,
    pausedDays: pausedDays(dsrCase),
  }).toISOString();
}

/**
 * Ends a wait for proof of identity on the day the proof arrived. GDPR Art. 12(6) lets the
 * controller ask for what it needs to confirm identity; the clock stands still only between the
 * day it asked and the day the proof arrived, counted in whole days (Regulation 1182/71 counts
 * periods in days, not hours), so proof that arrives the same day adds nothing.
 */
function resumed(current: DsrCase, now: Date, calendar: OrgCalendar, arrivedOn?: string): DsrCase | { invalid: Said } {
  if (!current.pause) return current;
  const zone = calendar.timeZone;
  const today = DateTime.fromJSDate(now).setZone(zone).toISODate() ?? '';
  const asked = DateTime.fromISO(current.pause.since).setZone(zone).toISODate() ?? '';
  const arrived = arrivedOn ?? today;
  const arrivedDay = DateTime.fromISO(arrived, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(arrived) || !arrivedDay.isValid) return { invalid: said('refusals.case.proofDate') };
  if (arrived > today) return { invalid: said('refusals.case.proofFuture') };
  if (arrived < asked) return { invalid: said('refusals.case.proofBeforeAsked', { asked }) };
  const daysAdded = calendarDaysBetween(new Date(current.pause.since), arrivedDay.toJSDate(), zone);
  const next: DsrCase = {
    ...current,
    pause: null,
    identityRequests: [
      ...current.identityRequests,
      { askedAt: current.pause.since, arrivedOn: arrived, reason: current.pause.reason, daysAdded },
    ],
  };
  return { ...next, dueAt: recomputedDue(next, calendar) };
}

/**
 * Applies one action to a case, or says why it cannot be applied. Role, version and lifecycle are
 * checked by the case service before this runs; what is checked here is the action's own sense.
 */
export function applyAction(current: DsrCase, action: CaseAction, context: ActionContext): ActionChange {
  const { actor, now, calendar } = context;
  const at = now.toISOString();
  switch (action.kind) {
    case 'startTriage':
      return { next: current, detail: {} };
    case 'close': {
      const purgeAfter = context.retention ? purgeDate(now, context.retention).toISOString() : undefined;
      return {
        next: { ...current, closedAt: at, ...(purgeAfter ? { purgeAfter } : {}) },
        detail: { purgeAfter: purgeAfter ?? null },
      };
    }
    case 'placeHold': {
      if (current.purge) return { invalid: said('refusals.case.purgeRunning') };
      if (current.hold) return { invalid: said('refusals.case.alreadyHeld') };
      if (!(HOLD_REASONS as readonly string[]).includes(action.reason))
        return { invalid: said('refusals.case.chooseReason') };
      const explanation = action.explanation.trim();
      if (action.reason === 'other' && !explanation) return { invalid: said('refusals.case.explainOther') };
      if (explanation.length > REASON_MAX_LENGTH)
        return { invalid: said('refusals.case.explanationTooLong', { max: REASON_MAX_LENGTH }) };
      // The trail keeps the reason's code and length only: the explanation may name people.
      return {
        next: { ...current, hold: { since: at, byId: actor.id, reason: action.reason, explanation } },
        detail: { reason: action.reason, explanationLength: explanation.length },
      };
    }
    case 'releaseHold': {
      if (!current.hold) return { invalid: said('refusals.case.notHeld') };
      return {
        next: { ...current, hold: null },
        detail: { reason: current.hold.reason, heldSince: current.hold.since, purgeAfter: current.purgeAfter ?? null },
      };
    }
    case 'startPurge':
      if (current.purge) return { invalid: said('refusals.case.purgeStarted') };
      // Read again under the version check: a hold placed since the case was listed wins.
      if (!purgeIsDue(current, now)) return { invalid: said('refusals.case.purgeNotDue') };
      return { next: { ...current, purge: { startedAt: at } }, detail: {} };
    case 'completePurge': {
      if (!current.purge || current.purge.doneAt) return { invalid: said('refusals.case.purgeNotStarted') };
      return {
        next: withoutPersonalData(current, { startedAt: current.purge.startedAt, doneAt: at }),
        detail: { startedAt: current.purge.startedAt },
      };
    }
    case 'linkFollowUp': {
      const ids = new Set(action.recordIds);
      const kept = (current.kept ?? []).map((k) =>
        ids.has(k.id) && k.followUpCaseId === undefined ? { ...k, followUpCaseId: action.caseId } : k,
      );
      return {
        next: withKept({ ...current, followUps: [...new Set([...(current.followUps ?? []), action.caseId])] }, kept),
        detail: { followUp: action.caseId, records: ids.size },
      };
    }
    case 'recheckKept': {
      const checked = new Map(action.records.map((r) => [r.id, r]));
      const kept = (current.kept ?? []).map((k) => {
        const now = checked.get(k.id);
        return now && k.ends === 'condition' && k.followUpCaseId === undefined
          ? { ...k, basis: now.basis, ends: now.ends, until: now.until }
          : k;
      });
      // Counts and dates only: which records they are stays on the case.
      return {
        next: withKept(current, kept),
        detail: { records: checked.size, until: [...new Set(action.records.map((r) => r.until))].slice(0, 5) },
      };
    }
    case 'addNote': {
      const text = requiredText(action.text, 'note', NOTE_MAX_LENGTH);
      if (typeof text !== 'string') return text;
      return {
        next: { ...current, notes: [...current.notes, { at, by: actor, text }] },
        detail: { length: text.length },
      };
    }
    case 'assign':
      return { next: { ...current, assignee: action.assignee }, detail: { assigneeId: action.assignee.id } };
    case 'verifyIdentity': {
      if (current.identityVerified) return { invalid: said('refusals.case.identityVerified') };
      const next = resumed({ ...current, identityVerified: { at, by: actor } }, now, calendar);
      if ('invalid' in next) return next;
      return { next, detail: { resumedClock: current.pause !== null, dueAt: next.dueAt } };
    }
    case 'pauseClock': {
      if (current.pause) return { invalid: said('refusals.case.alreadyPaused') };
      if (current.identityVerified) return { invalid: said('refusals.case.nothingToWaitFor') };
      const reason = requiredText(action.reason, 'pause', REASON_MAX_LENGTH);
      if (typeof reason !== 'string') return reason;
      return {
        next: { ...current, pause: { since: at, reason } },
        detail: { stopsClock: policyFor(current.regulation).pauseStopsClock },
      };
    }
    case 'resumeClock': {
      if (!current.pause) return { invalid: said('refusals.case.notPaused') };
      const next = resumed(current, now, calendar, action.arrivedOn);
      if ('invalid' in next) return next;
      const added = next.identityRequests.at(-1)!;
      return { next, detail: { arrivedOn: added.arrivedOn, daysAdded: added.daysAdded, dueAt: next.dueAt } };
    }
    case 'approve': {
      const missing = TRIAGE_CHECKS.filter((check) => !action.checks.includes(check));
      if (missing.length > 0) {
        return {
          invalid: said('refusals.case.checksOpen', { checks: missing.map((check) => said(`triage.checks.${check}`)) }),
        };
      }
      if (!current.identityVerified) return { invalid: said('refusals.case.verifyFirst') };
      if (current.pause) return { invalid: said('refusals.case.resumeFirst') };
      return {
        next: { ...current, decision: { outcome: 'approved', at, by: actor, reason: null, explanation: '' } },
        detail: { checks: [...TRIAGE_CHECKS] },
      };
    }
    case 'decline': {
      if (!(DECLINE_REASONS as readonly string[]).includes(action.reason))
        return { invalid: said('refusals.case.chooseReason') };
      const explanation = action.explanation.trim();
      if (action.reason === 'other' && !explanation) return { invalid: said('refusals.case.explainOther') };
      if (explanation.length > REASON_MAX_LENGTH)
        return { invalid: said('refusals.case.explanationTooLong', { max: REASON_MAX_LENGTH }) };
      // Refusing after the data was found is allowed (Art. 12(5), 17(3)), but not while a system is being changed.
      if (current.plan?.steps.some((step) => step.state === 'running')) {
        return { invalid: said('refusals.case.stepRunning') };
      }
      const unpaused = resumed(current, now, calendar);
      if ('invalid' in unpaused) return unpaused;
      return {
        next: {
          ...unpaused,
          decision: { outcome: 'declined', at, by: actor, reason: action.reason, explanation },
        },
        detail: { reason: action.reason, stage: current.status },
      };
    }
    case 'recordFindings':
      return recordFindings(current, action.query, action.systems, at);
    case 'markNotThisPerson':
      return setAside(current, action.records, actor, at);
    case 'confirmPerson':
      return decideRecord(current, action, actor, at);
    case 'createPlan':
    case 'startStep':
    case 'stepProgress':
    case 'completeStep':
    case 'failStep':
    case 'tickStep':
    case 'awaitStep':
    case 'previewStep':
    case 'approveStep':
    case 'liftStep':
      return applyPlanCaseAction(current, action, actor, now, calendar);
    case 'openReview':
    case 'excludeRecord':
    case 'redactField':
    case 'undoReview':
    case 'submitReview':
    case 'approveReview':
    case 'releasePackage':
    case 'revokeSubjectLink':
      return applyReviewAction(current, action, actor, now);
    case 'respond': {
      const responded = applyPlanCaseAction(current, action, actor, now);
      if ('invalid' in responded || !action.letter) return responded;
      return withLetter(responded.next, action.letter, responded.detail);
    }
    case 'saveLetterDraft': {
      const note = action.note.trim();
      if (note.length > LETTER_NOTE_MAX_LENGTH)
        return { invalid: said('refusals.case.letterTooLong', { max: LETTER_NOTE_MAX_LENGTH }) };
      return {
        next: { ...current, letterDrafts: { ...current.letterDrafts, [action.letter]: { note, at, byId: actor.id } } },
        detail: { letter: action.letter, length: note.length },
      };
    }
    case 'recordLetter': {
      if (action.letter.kind === 'response') return { invalid: said('refusals.case.respondToRecord') };
      const next = { ...current };
      // Sending the notice is what GDPR Art. 12(3) and 11 CCR § 7021(a) ask for; the letter proves it.
      if (action.letter.kind === 'extension' && current.extension && !current.extension.noticeSentAt) {
        next.extension = { ...current.extension, noticeSentAt: action.letter.at };
      }
      if (
        action.letter.kind === 'acknowledgement' &&
        current.receiptConfirmation &&
        !current.receiptConfirmation.sentAt
      ) {
        next.receiptConfirmation = { ...current.receiptConfirmation, sentAt: action.letter.at };
      }
      return withLetter(next, action.letter, {});
    }
    case 'confirmReceipt': {
      if (!current.receiptConfirmation)
        return { invalid: said('refusals.case.noReceipt', { regulation: current.regulation }) };
      if (current.receiptConfirmation.sentAt) return { invalid: said('refusals.case.receiptConfirmed') };
      return {
        next: { ...current, receiptConfirmation: { ...current.receiptConfirmation, sentAt: at } },
        detail: { late: at > current.receiptConfirmation.dueAt },
      };
    }
    case 'extend': {
      const reason = requiredText(action.reason, 'extension', REASON_MAX_LENGTH);
      if (typeof reason !== 'string') return reason;
      const decision = extensionAllowed(
        policyFor(current.regulation),
        new Date(current.receivedAt),
        now,
        calendar,
        current.extension !== null,
        pausedDays(current),
      );
      if (!decision.allowed) return { invalid: decision.reason };
      const next = { ...current, extension: { at, by: actor, reason } };
      const dueAt = recomputedDue(next, calendar);
      return { next: { ...next, dueAt }, detail: { dueAt } };
    }
  }
}

/** Adds a sent letter to the case; the audit event carries its kind, channel and content hash, never its text. */
function withLetter(next: DsrCase, letter: SentLetter, detail: AuditDetail): ActionChange {
  const drafts = { ...next.letterDrafts };
  delete drafts[letter.kind];
  return {
    next: { ...next, letters: [...(next.letters ?? []), letter], letterDrafts: drafts },
    detail: {
      ...detail,
      letter: letter.kind,
      language: letter.language,
      channel: letter.channel,
      sha256: letter.sha256,
    },
  };
}

/**
 * Records a team member judged someone else's, all at once or none: every one must still be among
 * the findings and not decided already, so a selection made on an old card changes nothing. The
 * audit names each record as a single decision did (arrays where several were set aside together).
 */
function setAside(current: DsrCase, refs: RecordRef[], actor: Actor, at: string): ActionChange {
  if (refs.length === 0) return { invalid: said('refusals.case.chooseRecord') };
  if (refs.length > SET_ASIDE_MAX) return { invalid: said('refusals.case.setAsideMax', { max: SET_ASIDE_MAX }) };
  const keys = new Set(refs.map((ref) => `${ref.systemId}\u0000${ref.recordId}`));
  if (keys.size !== refs.length) return { invalid: said('refusals.case.chosenTwice') };
  const systems = current.findings?.systems ?? [];
  const chosen: Array<{ system: SystemFindings; record: FoundRecord }> = [];
  for (const ref of refs) {
    const system = systems.find((s) => s.systemId === ref.systemId);
    const record = system?.records.find((r) => r.id === ref.recordId);
    if (!system || !record) return { invalid: said('refusals.case.chosenGone') };
    if (record.notThisPerson) return { invalid: said('refusals.case.chosenNotPerson') };
    if (record.confirmed) return { invalid: said('refusals.case.chosenConfirmed') };
    chosen.push({ system, record });
  }
  const mark = { at, byId: actor.id };
  const marked = new Set(chosen.map(({ record }) => record));
  const next = systems.map((system) =>
    chosen.some((c) => c.system === system)
      ? { ...system, records: system.records.map((r) => (marked.has(r) ? { ...r, notThisPerson: mark } : r)) }
      : system,
  );
  const one = <T extends string>(values: T[]): T | T[] => (values.length === 1 ? values[0]! : values);
  return {
    next: { ...current, findings: { ...current.findings!, systems: next, updatedAt: at } },
    detail: {
      systemId: one(chosen.map(({ system }) => system.systemId)),
      recordKind: one(chosen.map(({ record }) => record.kind)),
      recordId: one(chosen.map(({ record }) => record.id)),
      matchedOn: one(chosen.map(({ record }) => (record.matchedOn ?? []).join(',') || 'via')),
    },
  };
}

/**
 * A team member's word that a record matched on weak identifiers only is the person's. It is
 * decided once and audited; a record found through another is decided on that other record.
 */
function decideRecord(
  current: DsrCase,
  action: { kind: 'confirmPerson'; systemId: string; recordId: string },
  actor: Actor,
  at: string,
): ActionChange {
  const systems = current.findings?.systems ?? [];
  const system = systems.find((s) => s.systemId === action.systemId);
  const record = system?.records.find((r) => r.id === action.recordId);
  if (!system || !record) return { invalid: said('refusals.case.recordGone') };
  if (record.notThisPerson) return { invalid: said('refusals.case.recordNotPerson') };
  if (record.confirmed) return { invalid: said('refusals.case.recordConfirmed') };
  const mark = { at, byId: actor.id };
  if (record.via !== undefined) return { invalid: said('refusals.case.recordThroughAnother') };
  if (standingOf(system, record) !== 'candidate') return { invalid: said('refusals.case.recordStrong') };
  const decided: FoundRecord = { ...record, confirmed: mark };
  const marked: SystemFindings = { ...system, records: system.records.map((r) => (r === record ? decided : r)) };
  return {
    next: {
      ...current,
      findings: { ...current.findings!, systems: systems.map((s) => (s === system ? marked : s)), updatedAt: at },
    },
    detail: {
      systemId: system.systemId,
      recordKind: record.kind,
      recordId: record.id,
      matchedOn: (record.matchedOn ?? []).join(',') || 'via',
    },
  };
}

/** Replaces the findings of the systems just searched, keeping the team's decisions on records found again. */
function recordFindings(current: DsrCase, query: SearchQuery, systems: SystemFindings[], at: string): ActionChange {
  if (systems.length === 0) return { invalid: said('refusals.case.noFindings') };
  const previous = new Map((current.findings?.systems ?? []).map((s) => [s.systemId, s]));
  const merged = new Map(previous);
  for (const fresh of systems) {
    const decided = new Map(
      (previous.get(fresh.systemId)?.records ?? []).flatMap((r) =>
        r.notThisPerson || r.confirmed ? [[r.id, r] as const] : [],
      ),
    );
    merged.set(fresh.systemId, {
      ...fresh,
      records: fresh.records.map((r) => {
        const before = decided.get(r.id);
        if (!before) return r;
        return {
          ...r,
          ...(before.notThisPerson ? { notThisPerson: before.notThisPerson } : {}),
          ...(before.confirmed ? { confirmed: before.confirmed } : {}),
        };
      }),
    });
  }
  const detail: AuditDetail = { systems: systems.map((s) => `${s.systemId}:${s.status}`) };
  for (const s of systems) {
    detail[`count.${s.systemId}`] = Object.values(s.counts).reduce((sum, n) => sum + n, 0);
  }
  return {
    next: { ...current, findings: { query, systems: [...merged.values()], updatedAt: at } },
    detail,
  };
}

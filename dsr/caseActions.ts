import type { AuditDetail } from './audit.js';
import {
  DECLINE_REASONS,
  TRIAGE_CHECK_LABELS,
  TRIAGE_CHECKS,
  type Actor,
  type DeclineReason,
  type DsrCase,
  type TriageCheck,
} from './case.js';
import type { FoundRecord, SearchQuery, SystemFindings } from './discovery.js';
import { standingOf } from './matching.js';
import { applyPlanAction, type PlanAction } from './planActions.js';
import { computeDueDate, extensionAllowed, policyFor, type OrgCalendar } from './deadlines.js';

export const NOTE_MAX_LENGTH = 2000;
export const REASON_MAX_LENGTH = 1000;

/** Everything that can be done to an existing case; each kind is an event of the lifecycle table. */
export type CaseAction =
  | { kind: 'startTriage' }
  | { kind: 'addNote'; text: string }
  | { kind: 'assign'; assignee: Actor }
  | { kind: 'verifyIdentity' }
  | { kind: 'pauseClock'; reason: string }
  | { kind: 'resumeClock' }
  | { kind: 'approve'; checks: TriageCheck[] }
  | { kind: 'decline'; reason: DeclineReason; explanation: string }
  | { kind: 'extend'; reason: string }
  | { kind: 'close' }
  | { kind: 'recordFindings'; query: SearchQuery; systems: SystemFindings[] }
  | { kind: 'markNotThisPerson'; systemId: string; recordId: string }
  /** A record matched on weak identifiers only (a name, a phone) is the person's: a team member says so. */
  | { kind: 'confirmPerson'; systemId: string; recordId: string }
  | PlanAction;

export type ActionChange = { next: DsrCase; detail: AuditDetail } | { invalid: string };

interface ActionContext {
  actor: Actor;
  now: Date;
  calendar: OrgCalendar;
}

function requiredText(text: string, what: string, max: number): string | { invalid: string } {
  const trimmed = text.trim();
  if (!trimmed) return { invalid: `Give ${what}.` };
  if (trimmed.length > max) return { invalid: `Keep ${what} under ${max} characters.` };
  return trimmed;
}

/** The due date as the policy computes it from what the case records now. */
function recomputedDue(dsrCase: DsrCase, calendar: OrgCalendar): string {
  return computeDueDate(policyFor(dsrCase.regulation), new Date(dsrCase.receivedAt), calendar, {
    extended: dsrCase.extension !== null,
    pausedMs: dsrCase.pausedMs,
  }).toISOString();
}

function resumed(current: DsrCase, now: Date, calendar: OrgCalendar): DsrCase {
  if (!current.pause) return current;
  const pausedMs = current.pausedMs + Math.max(0, now.getTime() - new Date(current.pause.since).getTime());
  const next = { ...current, pause: null, pausedMs };
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
    case 'close':
      return { next: current, detail: {} };
    case 'addNote': {
      const text = requiredText(action.text, 'the note', NOTE_MAX_LENGTH);
      if (typeof text !== 'string') return text;
      return {
        next: { ...current, notes: [...current.notes, { at, by: actor, text }] },
        detail: { length: text.length },
      };
    }
    case 'assign':
      return { next: { ...current, assignee: action.assignee }, detail: { assigneeId: action.assignee.id } };
    case 'verifyIdentity': {
      if (current.identityVerified) return { invalid: 'The identity is already verified.' };
      const next = resumed({ ...current, identityVerified: { at, by: actor } }, now, calendar);
      return { next, detail: { resumedClock: current.pause !== null, dueAt: next.dueAt } };
    }
    case 'pauseClock': {
      if (current.pause) return { invalid: 'The clock is already paused.' };
      if (current.identityVerified) return { invalid: 'The identity is verified; there is nothing to wait for.' };
      const reason = requiredText(action.reason, 'a reason for the pause', REASON_MAX_LENGTH);
      if (typeof reason !== 'string') return reason;
      return {
        next: { ...current, pause: { since: at, reason } },
        detail: { stopsClock: policyFor(current.regulation).pauseStopsClock },
      };
    }
    case 'resumeClock': {
      if (!current.pause) return { invalid: 'The clock is not paused.' };
      const next = resumed(current, now, calendar);
      return { next, detail: { pausedMs: next.pausedMs, dueAt: next.dueAt } };
    }
    case 'approve': {
      const missing = TRIAGE_CHECKS.filter((check) => !action.checks.includes(check));
      if (missing.length > 0) {
        return {
          invalid: `Affirm every check before approving. Still open: ${missing.map((c) => TRIAGE_CHECK_LABELS[c]).join('; ')}.`,
        };
      }
      if (!current.identityVerified) return { invalid: 'Verify the identity before approving.' };
      if (current.pause) return { invalid: 'Resume the clock before approving.' };
      return {
        next: { ...current, decision: { outcome: 'approved', at, by: actor, reason: null, explanation: '' } },
        detail: { checks: [...TRIAGE_CHECKS] },
      };
    }
    case 'decline': {
      if (!(DECLINE_REASONS as readonly string[]).includes(action.reason))
        return { invalid: 'Choose a reason from the list.' };
      const explanation = action.explanation.trim();
      if (action.reason === 'other' && !explanation) return { invalid: 'Explain the reason when you choose "Other".' };
      if (explanation.length > REASON_MAX_LENGTH)
        return { invalid: `Keep the explanation under ${REASON_MAX_LENGTH} characters.` };
      return {
        next: {
          ...resumed(current, now, calendar),
          decision: { outcome: 'declined', at, by: actor, reason: action.reason, explanation },
        },
        detail: { reason: action.reason },
      };
    }
    case 'recordFindings':
      return recordFindings(current, action.query, action.systems, at);
    case 'markNotThisPerson':
    case 'confirmPerson':
      return decideRecord(current, action, actor, at);
    case 'createPlan':
    case 'startStep':
    case 'stepProgress':
    case 'completeStep':
    case 'failStep':
    case 'tickStep':
    case 'previewStep':
    case 'approveStep':
    case 'liftStep':
    case 'respond':
      return applyPlanAction(current, action, actor, now);
    case 'extend': {
      const reason = requiredText(action.reason, 'the reason for the extension', REASON_MAX_LENGTH);
      if (typeof reason !== 'string') return reason;
      const decision = extensionAllowed(
        policyFor(current.regulation),
        new Date(current.receivedAt),
        now,
        calendar,
        current.extension !== null,
        current.pausedMs,
      );
      if (!decision.allowed) return { invalid: decision.reason };
      const next = { ...current, extension: { at, by: actor, reason } };
      const dueAt = recomputedDue(next, calendar);
      return { next: { ...next, dueAt }, detail: { dueAt } };
    }
  }
}

/**
 * A team member's word on one record: someone else's ("not this person"), or, for a record matched
 * on weak identifiers only, the person's. Each is decided once and audited; a decision on a record
 * found through another is taken on that other record.
 */
function decideRecord(
  current: DsrCase,
  action: { kind: 'markNotThisPerson' | 'confirmPerson'; systemId: string; recordId: string },
  actor: Actor,
  at: string,
): ActionChange {
  const systems = current.findings?.systems ?? [];
  const system = systems.find((s) => s.systemId === action.systemId);
  const record = system?.records.find((r) => r.id === action.recordId);
  if (!system || !record) return { invalid: 'That record is not among the findings any more.' };
  if (record.notThisPerson) return { invalid: 'That record is already marked as not this person.' };
  if (record.confirmed) return { invalid: 'That record is already confirmed as the person’s.' };
  const mark = { at, byId: actor.id };
  let decided: FoundRecord;
  if (action.kind === 'confirmPerson') {
    if (record.via !== undefined)
      return { invalid: 'This record was found through another one; decide on that record instead.' };
    if (standingOf(system, record) !== 'candidate')
      return { invalid: 'That record matched a strong identifier already; there is nothing to confirm.' };
    decided = { ...record, confirmed: mark };
  } else decided = { ...record, notThisPerson: mark };
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
  if (systems.length === 0) return { invalid: 'There are no findings to record.' };
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

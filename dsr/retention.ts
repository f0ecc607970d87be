import type { Actor, DsrCase } from './case.js';
import type { PlanStep } from './plan.js';

/**
 * How long the bot itself keeps a closed case's personal data. GDPR Art. 5(1)(e) (storage
 * limitation) asks for no longer than necessary; the organisation sets the period, because what it
 * needs the record for (showing that it answered, Art. 5(2) and 24; limitation periods for claims)
 * is a decision of its own, which no source fixes for every controller.
 */
export interface RetentionPolicy {
  /** Calendar days after the case is closed until its personal data is deleted. */
  caseDays: number;
}

const DAY_MS = 86_400_000;

export function purgeDate(closedAt: Date, policy: RetentionPolicy): Date {
  return new Date(closedAt.getTime() + policy.caseDays * DAY_MS);
}

/** A closed case whose date has come, held by nobody, and not yet purged (or purged halfway). */
export function purgeIsDue(dsrCase: DsrCase, now: Date): boolean {
  if (dsrCase.status !== 'closed' || dsrCase.purge?.doneAt !== undefined) return false;
  // A purge that started is finished whatever happened since: a hold cannot bring back half a case.
  if (dsrCase.purge) return true;
  if (dsrCase.hold) return false;
  return dsrCase.purgeAfter !== undefined && Date.parse(dsrCase.purgeAfter) <= now.getTime();
}

const withoutName = (actor: Actor): Actor => ({ id: actor.id, name: '' });

function keptStep(step: PlanStep): PlanStep {
  // What was done on which system, and by whom (ids), stays; previews, samples, errors and notes go.
  return {
    id: step.id,
    right: step.right,
    systemId: step.systemId,
    systemName: step.systemName,
    mode: step.mode,
    title: step.title,
    instructions: [],
    destructive: step.destructive,
    state: step.state,
    ...(step.completed ? { completed: { at: step.completed.at, byId: step.completed.byId } } : {}),
    ...(step.approval ? { approval: step.approval } : {}),
    ...(step.result ? { result: step.result } : {}),
    ...(step.lifted ? { lifted: step.lifted } : {}),
    updatedAt: step.updatedAt,
  };
}

/**
 * The case as it stays after its personal data is purged: the id, the dates, the rights, the
 * outcome and who acted (by id, as the audit trail names them). It is built from what is kept,
 * never by deleting from a copy, so a field added to the case later (the letters to the person,
 * for one) is purged without a change here; a field that must survive is added here on purpose.
 */
export function withoutPersonalData(dsrCase: DsrCase, purge: { startedAt: string; doneAt: string }): DsrCase {
  const c = dsrCase;
  return {
    id: c.id,
    version: c.version,
    status: c.status,
    // The role is a category, not a person; the rest of the subject goes.
    subject: { name: '', emails: [], phones: [], identifiers: {}, role: c.subject.role },
    requestTypes: c.requestTypes,
    regulation: c.regulation,
    receivedAt: c.receivedAt,
    dueAt: c.dueAt,
    identityCheck: c.identityCheck,
    details: '',
    requester: withoutName(c.requester),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    intakeKey: c.intakeKey,
    assignee: c.assignee ? withoutName(c.assignee) : null,
    pause: null,
    // The dates and days added stay (they explain the due date); what was asked for goes.
    identityRequests: c.identityRequests.map((r) => ({ ...r, reason: '' })),
    ...(c.receiptConfirmation ? { receiptConfirmation: c.receiptConfirmation } : {}),
    extension: c.extension ? { at: c.extension.at, by: withoutName(c.extension.by), reason: '' } : null,
    identityVerified: c.identityVerified ? { at: c.identityVerified.at, by: withoutName(c.identityVerified.by) } : null,
    decision: c.decision ? { ...c.decision, by: withoutName(c.decision.by), explanation: '' } : null,
    notes: [],
    ...(c.plan ? { plan: { createdAt: c.plan.createdAt, steps: c.plan.steps.map(keptStep) } } : {}),
    ...(c.response ? { response: { at: c.response.at, byId: c.response.byId, summary: '' } } : {}),
    ...(c.closedAt ? { closedAt: c.closedAt } : {}),
    ...(c.purgeAfter ? { purgeAfter: c.purgeAfter } : {}),
    hold: null,
    purge,
    ...(c.related ? { related: c.related } : {}),
    // Kept records are ids, systems and dates, never what they say: the follow-up erasure needs them.
    ...(c.kept ? { kept: c.kept } : {}),
    ...(c.keptDueAt ? { keptDueAt: c.keptDueAt } : {}),
    ...(c.followUpOf ? { followUpOf: c.followUpOf } : {}),
    ...(c.followUps ? { followUps: c.followUps } : {}),
    // That a letter went out, when and by which channel, with its hash; never its text or address.
    ...(c.letters ? { letters: c.letters.map((l) => ({ ...l, to: '', subject: '', html: '' })) } : {}),
  };
}

/**
 * The texts that identify the person, for finding what else names them (a message the bot queued).
 * Very short values are left out: they would match unrelated text.
 */
export function identifyingTexts(dsrCase: DsrCase): string[] {
  const { subject } = dsrCase;
  const { customerNumber, employeeId, other } = subject.identifiers;
  const texts: Array<string | undefined> = [
    subject.name,
    ...subject.emails,
    ...subject.phones,
    customerNumber,
    employeeId,
    other,
  ];
  return [...new Set(texts.map((t) => (t ?? '').trim()).filter((t) => t.length >= 4))];
}

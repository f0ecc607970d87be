import { isOpen, type CaseStatus, type DsrCase, type RequestType } from '../case.js';
import type { Regulation } from '../deadlines.js';
import { PACKAGE_STEP_ID } from '../plan.js';
import { daysBetween, localDay } from './localDays.js';

/** How a case ended, as the register reports it. */
export type CaseOutcome = 'open' | 'responded' | 'declined';

/**
 * One case as the register and the charts see it: ids, dates, rights, systems and outcome, never
 * the data subject. A case purged after its retention keeps all of this, so the register still
 * counts it.
 */
export interface RegisterRow {
  id: string;
  version: number;
  status: CaseStatus;
  open: boolean;
  regulation: Regulation;
  rights: RequestType[];
  /** Systems where data was found or the plan has a step, by id. */
  systems: Array<{ id: string; name: string }>;
  assignee: { id: string; name: string } | null;
  receivedAt: string;
  dueAt: string;
  /** When the data subject got the answer (the response, or the decline). */
  answeredAt: string | null;
  outcome: CaseOutcome;
  /** Calendar days from receipt to answer, in the organisation's time zone. */
  daysTaken: number | null;
  /** Answered by the due date; null while open. */
  onTime: boolean | null;
  /** The due day and the answer's day and month in the organisation's time zone, for the charts. */
  dueDay: string;
  answeredDay: string | null;
  answeredMonth: string | null;
}

function systemsOf(dsrCase: DsrCase): Array<{ id: string; name: string }> {
  const systems = new Map<string, string>();
  for (const found of dsrCase.findings?.systems ?? []) {
    if (found.status === 'found') systems.set(found.systemId, found.displayName);
  }
  // A step is work in its system; the package step spans systems and a step with nothing to do is none.
  for (const step of dsrCase.plan?.steps ?? []) {
    if (step.id === PACKAGE_STEP_ID || step.state === 'not-applicable') continue;
    if (!systems.has(step.systemId)) systems.set(step.systemId, step.systemName);
  }
  return [...systems].map(([id, name]) => ({ id, name })).sort((a, b) => a.id.localeCompare(b.id));
}

function answerOf(dsrCase: DsrCase): { at: string; outcome: CaseOutcome } | null {
  if (dsrCase.response) return { at: dsrCase.response.at, outcome: 'responded' };
  if (dsrCase.decision?.outcome === 'declined') return { at: dsrCase.decision.at, outcome: 'declined' };
  return null;
}

export function registerRow(dsrCase: DsrCase, timeZone: string): RegisterRow {
  const answer = answerOf(dsrCase);
  const answeredDay = answer ? localDay(answer.at, timeZone) : null;
  const receivedDay = localDay(dsrCase.receivedAt, timeZone);
  return {
    id: dsrCase.id,
    version: dsrCase.version,
    status: dsrCase.status,
    open: isOpen(dsrCase),
    regulation: dsrCase.regulation,
    rights: [...dsrCase.requestTypes],
    systems: systemsOf(dsrCase),
    assignee: dsrCase.assignee ? { id: dsrCase.assignee.id, name: dsrCase.assignee.name } : null,
    receivedAt: dsrCase.receivedAt,
    dueAt: dsrCase.dueAt,
    answeredAt: answer?.at ?? null,
    outcome: answer?.outcome ?? 'open',
    daysTaken: answeredDay ? Math.max(0, daysBetween(receivedDay, answeredDay)) : null,
    onTime: answer ? answer.at <= dsrCase.dueAt : null,
    dueDay: localDay(dsrCase.dueAt, timeZone),
    answeredDay,
    answeredMonth: answeredDay?.slice(0, 7) ?? null,
  };
}

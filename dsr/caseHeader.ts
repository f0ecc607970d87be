import { isOpen, type Actor, type CaseStatus, type DsrCase, type RequestType, type SubjectRole } from './case.js';
import { daysLeft, type OrgCalendar } from './deadlines.js';

/** Within this many days of the due day a case reads as due soon. */
export const DUE_SOON_DAYS = 7;

/**
 * How pressing the deadline is, in words a card turns into text and a container style: urgency is
 * always written out ("overdue by 3 days"), never shown by colour alone (WCAG 2.1, 1.4.1).
 */
export type DueUrgency = 'overdue' | 'due-today' | 'due-soon' | 'on-track' | 'settled';

/** The names of the people on a case as the organisation's directory knows them today. */
export interface NameDirectory {
  nameOf(actor: Actor): string;
}

/** The names the case recorded when each person acted. */
export const RECORDED_NAMES: NameDirectory = { nameOf: (actor) => actor.name };

/**
 * What the header of every card about a case shows, decided once from the case, the clock and the
 * directory: the cards only word and draw it.
 */
export interface CaseHeaderFacts {
  caseId: string;
  version: number;
  /** Absent once the case's personal data was purged after its retention. */
  subjectName?: string;
  subjectRole: SubjectRole;
  rights: RequestType[];
  dueAt: string;
  /** Whole calendar days in the organisation's zone: 0 on the due day, negative when late. */
  daysLeft: number;
  urgency: DueUrgency;
  extended: boolean;
  status: CaseStatus;
  /** Nobody has decided the request yet: the only time a card calls it a new request. */
  isNew: boolean;
  assignee?: string;
  filedBy: string;
  identityVerified: boolean;
}

export function dueUrgency(open: boolean, left: number): DueUrgency {
  if (!open) return 'settled';
  if (left < 0) return 'overdue';
  if (left === 0) return 'due-today';
  return left <= DUE_SOON_DAYS ? 'due-soon' : 'on-track';
}

/** A case is new while it waits for its first decision: received or in triage, neither approved nor declined. */
export function isNewCase(dsrCase: Pick<DsrCase, 'status' | 'decision'>): boolean {
  return dsrCase.decision === null && (dsrCase.status === 'received' || dsrCase.status === 'triage');
}

export function caseHeaderFacts(
  dsrCase: DsrCase,
  now: Date,
  calendar: OrgCalendar,
  names: NameDirectory = RECORDED_NAMES,
): CaseHeaderFacts {
  const open = isOpen(dsrCase);
  const left = daysLeft(new Date(dsrCase.dueAt), now, calendar);
  return {
    caseId: dsrCase.id,
    version: dsrCase.version,
    ...(dsrCase.purge?.doneAt ? {} : { subjectName: dsrCase.subject.name }),
    subjectRole: dsrCase.subject.role,
    rights: dsrCase.requestTypes,
    dueAt: dsrCase.dueAt,
    daysLeft: left,
    urgency: dueUrgency(open, left),
    extended: dsrCase.extension !== null,
    status: dsrCase.status,
    isNew: isNewCase(dsrCase),
    ...(dsrCase.assignee ? { assignee: names.nameOf(dsrCase.assignee) } : {}),
    filedBy: names.nameOf(dsrCase.requester),
    identityVerified: dsrCase.identityVerified !== null,
  };
}

import type { Actor, DsrCase } from './case.js';
import type { CaseEvent } from './lifecycle.js';
import { said, type Said } from '../i18n/index.js';

export interface ActorRoles {
  actor: Actor;
  privacyTeam: boolean;
}

/** Decisions about a case that its own requester must never take (four eyes). */
const FOUR_EYES: ReadonlySet<CaseEvent> = new Set(['approve', 'decline', 'approveStep', 'approveReview']);

/** Only the creation of a case and notes on one's own case are open to every employee. */
const OPEN_TO_REQUESTER: ReadonlySet<CaseEvent> = new Set(['create', 'addNote']);

/** What only the bot itself does (the purge); no person's card or command can ask for it. */
export const SYSTEM_ONLY: ReadonlySet<CaseEvent> = new Set([
  'startPurge',
  'completePurge',
  'linkFollowUp',
  'recheckKept',
]);

export type Permission = { allowed: true } | { allowed: false; reason: Said };

export function mayAct(who: ActorRoles, event: CaseEvent, dsrCase: DsrCase | undefined): Permission {
  if (SYSTEM_ONLY.has(event)) return { allowed: false, reason: said('refusals.case.botOnly') };
  const isRequester = dsrCase !== undefined && dsrCase.requester.id === who.actor.id;
  if (FOUR_EYES.has(event) && isRequester) {
    return { allowed: false, reason: said('refusals.case.fourEyes') };
  }
  if (who.privacyTeam) return { allowed: true };
  if (event === 'create') return { allowed: true };
  if (OPEN_TO_REQUESTER.has(event) && isRequester) return { allowed: true };
  return { allowed: false, reason: said('refusals.case.onlyTeam') };
}

/** Employees see the cases they filed; the privacy team sees all. */
export function mayView(who: ActorRoles, dsrCase: DsrCase): boolean {
  return who.privacyTeam || dsrCase.requester.id === who.actor.id;
}

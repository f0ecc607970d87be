import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Actor, DsrCase } from '../../dsr/case.js';
import type { ActionOutcome, CardData } from './cardActions.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';
import { translator } from '../../i18n/index.js';

/** What every action on a case's card names: the case and the version the card showed. */
export const caseEnvelope = z.object({ caseId: z.string().max(40), version: z.coerce.number().int().min(1) });

export interface TeamCaseTarget {
  actor: Actor;
  dsrCase: DsrCase;
  version: number;
}

/**
 * The checks before a privacy-team-only card action: the card names a case, the actor may see it
 * and is on the team (taken from the activity, never the card). A refusal is audited and answered.
 */
export async function teamCaseTarget(
  context: TurnContext,
  verb: string,
  data: CardData,
  services: Pick<DsrServices, 'cases'>,
  forbidden: string,
): Promise<TeamCaseTarget | ActionOutcome> {
  const { cases } = services;
  const actor = actorOf(context.activity);
  const target = caseEnvelope.safeParse(data);
  const t = translator(context.activity.locale);
  if (!target.success) {
    await cases.recordRefusal(actor, verb, 'invalid-input', typeof data.caseId === 'string' ? data.caseId : null);
    return { kind: 'error', status: 400, message: t('replies.card.incomplete') };
  }
  const dsrCase = await cases.viewCase(actor, target.data.caseId);
  if (!dsrCase) return { kind: 'error', status: 404, message: t('replies.card.notAvailable') };
  if (!(await cases.rolesOf(actor)).privacyTeam) {
    await cases.recordRefusal(actor, verb, 'forbidden', dsrCase.id);
    return { kind: 'error', status: 403, message: forbidden };
  }
  return { actor, dsrCase, version: target.data.version };
}

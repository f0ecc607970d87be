import type { Actor } from '../../dsr/case.js';
import { localDate } from '../../dsr/outsideWait.js';
import type { PlanView } from '../../cards/changeStepCard.js';
import type { DsrServices } from '../services.js';

/** Teams refreshes a card automatically for at most 60 named users (see triageCard.ts). */
const REFRESH_USER_LIMIT = 60;

/**
 * The plan card's view for one reader: the system's view (interrupted steps, restriction modes),
 * the team's names for who did what, the organisation's zone, and the reader's id and language,
 * so what they may not do is not offered. Without a reader: the card everyone sees first.
 */
export async function readerPlanView(
  services: Pick<DsrServices, 'team' | 'calendar' | 'clock'>,
  base: PlanView,
  reader?: { actor: Actor; locale: string | undefined },
): Promise<PlanView> {
  const team = await services.team.members();
  return {
    ...base,
    names: new Map(team.map((member) => [member.id, member.name])),
    calendar: services.calendar,
    today: localDate(services.clock.now(), services.calendar),
    refreshUserIds: team.slice(0, REFRESH_USER_LIMIT).map((member) => `8:orgid:${member.id}`),
    ...(reader ? { viewerId: reader.actor.id, ...(reader.locale ? { locale: reader.locale } : {}) } : {}),
  };
}

import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { approvalWaitingCard } from '../../cards/approvalWaitingCard.js';
import { TEAM_VERBS } from '../../cards/verbs.js';
import { translator } from '../../i18n/index.js';
import type { WaitingApproval } from '../../dsr/approvalWaiting.js';
import { approvalWaitingView } from './approvalWaitingView.js';
import type { ActionOutcome, CardActionHandler, CardData } from '../actions/cardActions.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';

const HASH = z.string().regex(/^[0-9a-f]{64}$/);
const waitingSchema = z.discriminatedUnion('waiting', [
  z.object({ caseId: z.string().max(40), waiting: z.literal('step'), stepId: z.string().min(1).max(80), hash: HASH }),
  z.object({ caseId: z.string().max(40), waiting: z.literal('review'), hash: HASH }),
]);

/** Only a Teams message link (teams/teamsLinks.ts makes them) may come back in card data and be offered again. */
function isTeamsMessageLink(link: unknown): link is string {
  return (
    typeof link === 'string' &&
    link.length <= 600 &&
    /^https:\/\/teams\.microsoft\.com\/l\/message\/[^\s"<>]+$/.test(link)
  );
}

/**
 * "Show where it stands" (and the refresh) on the card that told an officer something waits for
 * approval: the same card with the case as it is now, so after a colleague approved it nobody
 * goes looking for an Approve button that is gone.
 */
export class ApprovalWaitingAction implements CardActionHandler {
  readonly verb = TEAM_VERBS.waiting;

  constructor(private readonly services: DsrServices) {}

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const t = translator(context.activity.locale);
    const actor = actorOf(context.activity);
    const parsed = waitingSchema.safeParse(data);
    if (!parsed.success) return { kind: 'error', status: 400, message: t('team.waiting.broken') };
    if (!(await this.services.cases.rolesOf(actor)).privacyTeam) {
      await this.services.cases.recordRefusal(actor, this.verb, 'forbidden', parsed.data.caseId);
      return { kind: 'error', status: 403, message: t('team.waiting.onlyTeam') };
    }
    const dsrCase = await this.services.cases.viewCase(actor, parsed.data.caseId);
    if (!dsrCase) return { kind: 'error', status: 404, message: t('team.waiting.notFound') };
    const waiting: WaitingApproval =
      parsed.data.waiting === 'step'
        ? { kind: 'step', stepId: parsed.data.stepId, hash: parsed.data.hash }
        : { kind: 'review', hash: parsed.data.hash };
    // The link comes back from the card: only a Teams message link is offered again.
    const link = isTeamsMessageLink(data.link) ? data.link : undefined;
    const view = await approvalWaitingView(dsrCase, waiting, this.services.team, t, link);
    return { kind: 'card', card: approvalWaitingCard(view, t) };
  }
}

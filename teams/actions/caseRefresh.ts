import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { caseCard } from '../../cards/caseCard.js';
import { CASE_REFRESH_VERB } from '../../cards/verbs.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';
import { translator } from '../../i18n/index.js';

const refreshSchema = z.object({
  caseId: z.string().max(40),
  // Absent on cards sent before the refresh named the version it shows: those are answered live.
  version: z.coerce.number().int().min(1).optional().catch(undefined),
  // Cards sent before notices named their tone carried the line as a title.
  title: z.string().max(300).optional().catch(undefined),
  notice: z.string().max(2000).optional().catch(undefined),
  tone: z.enum(['info', 'good', 'warning', 'error']).optional().catch(undefined),
});

/** Answers a card's refresh with the case as it is now, for whoever may see it. */
export class CaseRefresh implements CardActionHandler {
  readonly verb = CASE_REFRESH_VERB;

  constructor(private readonly services: DsrServices) {}

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const t = translator(context.activity.locale);
    const parsed = refreshSchema.safeParse(data);
    if (!parsed.success) return { kind: 'error', status: 400, message: t('replies.card.noCase') };
    const found = await this.services.cases.viewCase(actorOf(context.activity), parsed.data.caseId);
    if (!found) return { kind: 'error', status: 404, message: t('replies.card.notAvailable') };
    const { clock, calendar } = this.services;
    // Unchanged since the card was made: the same card, and no further refresh (see caseCard).
    const { version, title, notice, tone } = parsed.data;
    const locale = context.activity.locale;
    const text = notice ?? title;
    if (version === found.version)
      return {
        kind: 'card',
        card: caseCard(found, clock.now(), calendar, {
          locale,
          liveness: 'settled',
          ...(text ? { notice: { tone: tone ?? 'info', text } } : {}),
        }),
      };
    return { kind: 'card', card: caseCard(found, clock.now(), calendar, { locale }) };
  }
}

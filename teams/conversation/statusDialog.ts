import { DateTime } from 'luxon';
import type { TurnContext } from 'botbuilder';
import { caseCard } from '../../cards/caseCard.js';
import { caseListCard } from '../../cards/caseListCard.js';
import { translator } from '../../i18n/index.js';
import { triageCard } from '../../cards/triageCard.js';
import { cardMessage } from './replies.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';

export interface StatusOptions {
  caseId?: string;
  mine?: boolean;
  /** Only open cases due by the end of this week (Sunday, in the organisation's time zone). */
  dueThisWeek?: boolean;
}

/**
 * Shows cases the asker may see: their own, or every open case for the privacy team. A team member
 * asking for one case gets its live triage card, so a colleague who is not in the channel's thread
 * (the second officer who approves a step) can reach the plan from their own chat.
 */
export class StatusDialog {
  constructor(private readonly services: DsrServices) {}

  async show(context: TurnContext, options: StatusOptions): Promise<void> {
    const actor = actorOf(context.activity);
    const { cases, clock, calendar } = this.services;
    const now = clock.now();
    const roles = await cases.rolesOf(actor);
    if (options.caseId) {
      const found = await cases.viewCase(actor, options.caseId);
      if (!found) {
        const t = translator(context.activity.locale);
        await context.sendActivity(t('caseList.notFound', { caseId: options.caseId }));
        return;
      }
      const locale = context.activity.locale;
      const card = roles.privacyTeam
        ? triageCard(found, now, calendar, await this.services.team.members(), undefined, 'live', {
            ...(locale ? { locale } : {}),
            viewer: actor,
          })
        : caseCard(found, now, calendar, { locale });
      await context.sendActivity(cardMessage(card, translator(locale)('caseList.summary', { caseId: found.id })));
      return;
    }
    if (options.dueThisWeek) {
      // Luxon's weeks are ISO weeks (Monday to Sunday), as calendars in Europe show them.
      const endOfWeek = DateTime.fromJSDate(now).setZone(calendar.timeZone).endOf('week');
      const open = await cases.listCasesFor(actor, { mine: !roles.privacyTeam, openOnly: true });
      const due = open.filter((found) => found.dueAt <= endOfWeek.toUTC().toISO()!);
      const t = translator(context.activity.locale);
      const date = {
        date: endOfWeek.toJSDate(),
        formatParams: { date: { dateStyle: 'full', timeZone: calendar.timeZone } },
      };
      if (due.length === 0) {
        await context.sendActivity(t('due.none', date));
        return;
      }
      const title = t('due.title', date);
      await context.sendActivity(cardMessage(caseListCard(title, due, now, calendar, context.activity.locale), title));
      return;
    }
    const mine = options.mine === true || !roles.privacyTeam;
    const list = await cases.listCasesFor(actor, { mine, openOnly: !mine });
    const locale = context.activity.locale;
    const title = translator(locale)(mine ? 'caseList.yours' : 'caseList.open_list');
    await context.sendActivity(cardMessage(caseListCard(title, list, now, calendar, locale), title));
  }
}

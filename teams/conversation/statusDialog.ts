import { DateTime } from 'luxon';
import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { caseCard } from '../../cards/caseCard.js';
import { caseListCard } from '../../cards/caseListCard.js';
import { translator } from '../../i18n/index.js';
import { triageCard } from '../../cards/triageCard.js';
import { cardMessage } from './replies.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';

export const STATUS_DIALOG = 'status';

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
export class StatusDialog extends ComponentDialog {
  constructor(private readonly services: DsrServices) {
    super(STATUS_DIALOG);
    this.addDialog(new WaterfallDialog(`${STATUS_DIALOG}.show`, [(step) => this.show(step)]));
    this.initialDialogId = `${STATUS_DIALOG}.show`;
  }

  private async show(step: WaterfallStepContext) {
    const options = (step.options ?? {}) as StatusOptions;
    const actor = actorOf(step.context.activity);
    const { cases, clock, calendar } = this.services;
    const now = clock.now();
    const roles = await cases.rolesOf(actor);
    if (options.caseId) {
      const found = await cases.viewCase(actor, options.caseId);
      if (!found) {
        const t = translator(step.context.activity.locale);
        await step.context.sendActivity(t('caseList.notFound', { caseId: options.caseId }));
        return step.endDialog();
      }
      const locale = step.context.activity.locale;
      const card = roles.privacyTeam
        ? triageCard(found, now, calendar, await this.services.team.members(), undefined, 'live', {
            ...(locale ? { locale } : {}),
            viewer: actor,
          })
        : caseCard(found, now, calendar, { locale });
      await step.context.sendActivity(cardMessage(card, translator(locale)('caseList.summary', { caseId: found.id })));
      return step.endDialog();
    }
    if (options.dueThisWeek) {
      // Luxon's weeks are ISO weeks (Monday to Sunday), as calendars in Europe show them.
      const endOfWeek = DateTime.fromJSDate(now).setZone(calendar.timeZone).endOf('week');
      const open = await cases.listCasesFor(actor, { mine: !roles.privacyTeam, openOnly: true });
      const due = open.filter((found) => found.dueAt <= endOfWeek.toUTC().toISO()!);
      const t = translator(step.context.activity.locale);
      const date = {
        date: endOfWeek.toJSDate(),
        formatParams: { date: { dateStyle: 'full', timeZone: calendar.timeZone } },
      };
      if (due.length === 0) {
        await step.context.sendActivity(t('due.none', date));
        return step.endDialog();
      }
      const title = t('due.title', date);
      await step.context.sendActivity(
        cardMessage(caseListCard(title, due, now, calendar, step.context.activity.locale), title),
      );
      return step.endDialog();
    }
    const mine = options.mine === true || !roles.privacyTeam;
    const list = await cases.listCasesFor(actor, { mine, openOnly: !mine });
    const locale = step.context.activity.locale;
    const title = translator(locale)(mine ? 'caseList.yours' : 'caseList.open_list');
    await step.context.sendActivity(cardMessage(caseListCard(title, list, now, calendar, locale), title));
    return step.endDialog();
  }
}

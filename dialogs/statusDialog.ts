import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { caseCard } from '../cards/caseCard.js';
import { caseListCard } from '../cards/caseListCard.js';
import { cardMessage } from './replies.js';
import type { DsrServices } from './services.js';
import { actorOf } from './turnActor.js';

export const STATUS_DIALOG = 'status';

export interface StatusOptions {
  caseId?: string;
  mine?: boolean;
}

/** Shows cases the asker may see: their own, or every open case for the privacy team. */
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
    if (options.caseId) {
      const found = await cases.viewCase(actor, options.caseId);
      await step.context.sendActivity(
        found
          ? cardMessage(caseCard(found, now, calendar), `${found.id} status`)
          : `I could not find ${options.caseId} among the requests you can see. Type **status** to list them.`,
      );
      return step.endDialog();
    }
    const roles = await cases.rolesOf(actor);
    const mine = options.mine === true || !roles.privacyTeam;
    const list = await cases.listCasesFor(actor, { mine, openOnly: !mine });
    const title = mine ? 'Your requests' : 'Open requests';
    await step.context.sendActivity(cardMessage(caseListCard(title, list, now, calendar), title));
    return step.endDialog();
  }
}

import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogState,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { TurnContext, type StatePropertyAccessor } from 'botbuilder';
import { HELP_TEXT, NOT_UNDERSTOOD } from './helpText.js';
import { INTAKE_DIALOG, IntakeDialog, type IntakeOptions } from './intakeDialog.js';
import { recogniseIntent } from './intents.js';
import type { DsrServices } from './services.js';
import { STATUS_DIALOG, StatusDialog, type StatusOptions } from './statusDialog.js';

export const ROOT_DIALOG = 'root';

/** Routes what people type to the conversation that answers it. */
export class RootDialog extends ComponentDialog {
  constructor(services: DsrServices) {
    super(ROOT_DIALOG);
    this.addDialog(new IntakeDialog(services));
    this.addDialog(new StatusDialog(services));
    this.addDialog(new WaterfallDialog(`${ROOT_DIALOG}.route`, [(step) => this.route(step)]));
    this.initialDialogId = `${ROOT_DIALOG}.route`;
  }

  /** Runs the dialog stack for one turn, starting the router when nothing is in progress. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogSet = new DialogSet(accessor);
    dialogSet.add(this);
    const dialogContext = await dialogSet.createContext(context);
    const result = await dialogContext.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dialogContext.beginDialog(this.id);
  }

  private async route(step: WaterfallStepContext) {
    const text = TurnContext.removeRecipientMention(step.context.activity) ?? step.context.activity.text ?? '';
    const intent = recogniseIntent(text);
    switch (intent.kind) {
      case 'help':
        await step.context.sendActivity(HELP_TEXT);
        return step.endDialog();
      case 'newRequest':
        return step.beginDialog(INTAKE_DIALOG, { emails: intent.emails } satisfies IntakeOptions);
      case 'status':
        return step.beginDialog(STATUS_DIALOG, { caseId: intent.caseId } satisfies StatusOptions);
      case 'myRequests':
        return step.beginDialog(STATUS_DIALOG, { mine: true } satisfies StatusOptions);
      case 'unknown':
        await step.context.sendActivity(NOT_UNDERSTOOD);
        return step.endDialog();
    }
  }
}

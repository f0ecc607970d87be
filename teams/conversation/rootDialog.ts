import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogState,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { TurnContext, teamsGetTeamInfo, type StatePropertyAccessor } from 'botbuilder';
import type { CaseStore } from '../../dsr/ports/store.js';
import { AuditCommands, type LinkIssuer } from './auditCommands.js';
import { helpText, notUnderstood } from './helpText.js';
import { translator } from '../../i18n/index.js';
import { INTAKE_DIALOG, IntakeDialog, type IntakeOptions } from './intakeDialog.js';
import { recogniseIntent, type Intent } from './intents.js';
import { ReminderDialogCommands } from './reminderDialogCommands.js';
import {
  writeInPersonalChat,
  holdReplies,
  isSharedConversation,
  openingFrom,
  privatePointer,
} from './sharedConversation.js';
import { actorOf } from '../turnActor.js';
import type { DsrServices } from '../services.js';
import { STATUS_DIALOG, StatusDialog, type StatusOptions } from './statusDialog.js';

export const ROOT_DIALOG = 'root';

/** Routes what people type to the conversation that answers it. */
export class RootDialog extends ComponentDialog {
  private readonly audit: AuditCommands;

  constructor(
    private readonly services: DsrServices,
    store: Pick<CaseStore, 'auditEvents' | 'auditHead' | 'auditKeys' | 'getCase'>,
    links: LinkIssuer,
  ) {
    super(ROOT_DIALOG);
    this.audit = new AuditCommands(services, store, links);
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

  /** Only a privacy team member may point the bot at the channel where cases are decided. */
  private async useChannel(context: TurnContext): Promise<void> {
    const actor = actorOf(context.activity);
    const roles = await this.services.cases.rolesOf(actor);
    const t = translator(context.activity.locale);
    if (context.activity.conversation.conversationType !== 'channel') {
      await context.sendActivity(t('replies.channel.notHere'));
      return;
    }
    if (!roles.privacyTeam) {
      await this.services.cases.recordSetting(actor, 'usePrivacyChannel', false);
      await context.sendActivity(t('replies.channel.onlyTeam'));
      return;
    }
    const posted = await this.services.notifier.usePrivacyChannel(
      TurnContext.getConversationReference(context.activity),
      teamsGetTeamInfo(context.activity)?.aadGroupId ?? undefined,
    );
    await this.services.cases.recordSetting(actor, 'usePrivacyChannel', true, { pendingPosted: posted });
    const waiting = posted > 0 ? ` ${t('replies.channel.posted', { count: posted })}` : '';
    await context.sendActivity(`${t('replies.channel.chosen')}${waiting}`);
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const text = TurnContext.removeRecipientMention(step.context.activity) ?? step.context.activity.text ?? '';
    const intent = recogniseIntent(text);
    const pointer = privatePointer(intent, step.context.activity.locale);
    if (pointer && (await this.inSharedConversation(step.context))) {
      return this.answerPrivately(step, intent, pointer);
    }
    return this.answer(step, intent);
  }

  private async inSharedConversation(context: TurnContext): Promise<boolean> {
    const { conversation } = context.activity;
    // A 1:1 chat is never shared: no store read on the turn most people use.
    if (conversation.conversationType !== 'groupChat' && conversation.conversationType !== 'channel') return false;
    return isSharedConversation(conversation, await this.services.notifier.privacyChannelId());
  }

  /**
   * Others read this conversation: the answer goes to the asker's 1:1 chat (opened if need be) and
   * only a pointer that names no one is said here.
   */
  private async answerPrivately(
    step: WaterfallStepContext,
    intent: Intent,
    pointer: string,
  ): Promise<DialogTurnResult> {
    const { activity } = step.context;
    let result: DialogTurnResult | undefined;
    const held = await holdReplies(step.context, async () => {
      result = await this.answer(step, intent);
    });
    const person = activity.from.aadObjectId;
    const opening = openingFrom(activity);
    let delivered = person !== undefined && held.length > 0;
    for (const message of held) {
      if (!delivered || !person) break;
      delivered = await this.services.notifier.sendToUser(person, message, opening);
    }
    if (!delivered) this.services.log.info({ intent: intent.kind }, 'no 1:1 chat to answer in; asked to write there');
    await step.context.sendActivity(delivered ? pointer : writeInPersonalChat(step.context.activity.locale));
    return result ?? step.endDialog();
  }

  private async answer(step: WaterfallStepContext, intent: Intent): Promise<DialogTurnResult> {
    switch (intent.kind) {
      case 'help':
        await step.context.sendActivity(
          helpText(
            translator(step.context.activity.locale),
            (await this.services.cases.rolesOf(actorOf(step.context.activity))).privacyTeam,
          ),
        );
        return step.endDialog();
      case 'newRequest':
        return step.beginDialog(INTAKE_DIALOG, { emails: intent.emails, text: intent.text } satisfies IntakeOptions);
      case 'dueThisWeek':
        return step.beginDialog(STATUS_DIALOG, { dueThisWeek: true } satisfies StatusOptions);
      case 'status':
        return step.beginDialog(STATUS_DIALOG, { caseId: intent.caseId } satisfies StatusOptions);
      case 'myRequests':
        return step.beginDialog(STATUS_DIALOG, { mine: true } satisfies StatusOptions);
      case 'useChannel':
        await this.useChannel(step.context);
        return step.endDialog();
      case 'auditTrail':
        await this.audit.showTrail(step.context, intent.caseId, intent.page);
        return step.endDialog();
      case 'exportAudit':
        await this.audit.exportTrail(step.context, intent.caseId);
        return step.endDialog();
      case 'exportCaseFile':
        await this.audit.exportCaseFile(step.context, intent.caseId);
        return step.endDialog();
      case 'verifyAudit':
        await this.audit.verify(step.context, intent.witnessed);
        return step.endDialog();
      case 'reminders':
        await new ReminderDialogCommands(this.services).upcoming(step.context, intent.days, intent.page);
        return step.endDialog();
      case 'snooze':
        await new ReminderDialogCommands(this.services).snooze(step.context, intent);
        return step.endDialog();
      case 'unknown':
        await step.context.sendActivity(notUnderstood(step.context.activity.locale));
        return step.endDialog();
    }
  }
}

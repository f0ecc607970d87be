import { TurnContext, teamsGetTeamInfo } from 'botbuilder';
import type { CaseStore } from '../../dsr/ports/store.js';
import { AuditCommands, type LinkIssuer } from './auditCommands.js';
import { helpText, notUnderstood } from './helpText.js';
import { translator } from '../../i18n/index.js';
import { IntakeDialog } from './intakeDialog.js';
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
import { StatusDialog } from './statusDialog.js';

/**
 * Routes what people type to the answer. Every answer is given in the turn it is asked in (the
 * intake form is answered through a card action, in any later turn), so no conversation state is
 * kept between turns: the Bot Framework's dialog stack would be read, rebuilt and written back
 * empty on every message, which was most of what a status turn cost beyond the answer itself.
 */
export class RootDialog {
  private readonly audit: AuditCommands;
  private readonly intake: IntakeDialog;
  private readonly status: StatusDialog;

  constructor(
    private readonly services: DsrServices,
    store: Pick<CaseStore, 'auditEvents' | 'auditHead' | 'auditKeys' | 'getCase'>,
    links: LinkIssuer,
  ) {
    this.audit = new AuditCommands(services, store, links);
    this.intake = new IntakeDialog(services);
    this.status = new StatusDialog(services);
  }

  /** Answers one typed message. */
  async run(context: TurnContext): Promise<void> {
    const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
    const intent = recogniseIntent(text);
    const pointer = privatePointer(intent, context.activity.locale);
    if (pointer && (await this.inSharedConversation(context))) {
      await this.answerPrivately(context, intent, pointer);
      return;
    }
    await this.answer(context, intent);
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
  private async answerPrivately(context: TurnContext, intent: Intent, pointer: string): Promise<void> {
    const { activity } = context;
    const held = await holdReplies(context, () => this.answer(context, intent));
    const person = activity.from.aadObjectId;
    const opening = openingFrom(activity);
    let delivered = person !== undefined && held.length > 0;
    for (const message of held) {
      if (!delivered || !person) break;
      delivered = await this.services.notifier.sendToUser(person, message, opening);
    }
    if (!delivered) this.services.log.info({ intent: intent.kind }, 'no 1:1 chat to answer in; asked to write there');
    await context.sendActivity(delivered ? pointer : writeInPersonalChat(context.activity.locale));
  }

  private async answer(context: TurnContext, intent: Intent): Promise<void> {
    switch (intent.kind) {
      case 'help':
        await context.sendActivity(
          helpText(
            translator(context.activity.locale),
            (await this.services.cases.rolesOf(actorOf(context.activity))).privacyTeam,
          ),
        );
        return;
      case 'newRequest':
        return this.intake.sendForm(context, { emails: intent.emails, text: intent.text });
      case 'dueThisWeek':
        return this.status.show(context, { dueThisWeek: true });
      case 'status':
        return this.status.show(context, { caseId: intent.caseId });
      case 'myRequests':
        return this.status.show(context, { mine: true });
      case 'useChannel':
        await this.useChannel(context);
        return;
      case 'auditTrail':
        await this.audit.showTrail(context, intent.caseId, intent.page);
        return;
      case 'exportAudit':
        await this.audit.exportTrail(context, intent.caseId);
        return;
      case 'exportCaseFile':
        await this.audit.exportCaseFile(context, intent.caseId);
        return;
      case 'verifyAudit':
        await this.audit.verify(context, intent.witnessed);
        return;
      case 'reminders':
        await new ReminderDialogCommands(this.services).upcoming(context, intent.days, intent.page);
        return;
      case 'snooze':
        await new ReminderDialogCommands(this.services).snooze(context, intent);
        return;
      case 'unknown':
        await context.sendActivity(notUnderstood(context.activity.locale));
        return;
    }
  }
}

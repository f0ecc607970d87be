import {
  TeamsActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type FileConsentCardResponse,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import type { ActionOutcome, CardActionRouter, CardData } from './actions/cardActions.js';
import { helpText } from './conversation/helpText.js';
import { translator } from '../i18n/index.js';
import type { CaseNotifier } from './notifier.js';
import type { PackageDelivery } from './packageDelivery.js';
import type { RecordFromMessage } from './actions/messageAction.js';
import type { TeamDirectory } from './team.js';
import { actorOf } from './turnActor.js';
import { cardMessage } from './conversation/replies.js';
import type { RootDialog } from './conversation/rootDialog.js';
import { isSharedConversation, openingFrom, WRITE_IN_PERSONAL_CHAT } from './conversation/sharedConversation.js';
import { ANSWERED_IN_PERSONAL_CHAT, sharedConversationCard } from '../cards/sharedConversationCard.js';
import { REFRESH_VERBS, TRIAGE_VERBS } from '../cards/verbs.js';

const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The Teams activity handler: typed messages go to the dialogs, card actions to their handlers. */
export class DsrBot extends TeamsActivityHandler {
  constructor(
    private readonly rootDialog: RootDialog,
    private readonly actions: CardActionRouter,
    private readonly notifier: CaseNotifier,
    private readonly team: TeamDirectory,
    private readonly log: Logger,
    private readonly files?: Pick<PackageDelivery, 'accept' | 'decline'>,
    private readonly messageAction?: RecordFromMessage,
  ) {
    super();

    this.onMessage(async (context, next) => {
      await this.rememberPersonalChat(context);
      const submitted = submittedVerb(context.activity.value);
      if (submitted) await this.answerSubmit(context, submitted.verb, submitted.data);
      else await this.rootDialog.run(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient.id;
      const isPersonal = context.activity.conversation.conversationType === 'personal';
      if (isPersonal && context.activity.membersAdded?.some((member) => member.id !== botId)) {
        // Installing the app is the first and, for some members, only turn of their 1:1 chat: a
        // privacy officer who never wrote there still gets the package link there.
        await this.rememberPersonalChat(context);
        // Before the bot knows who reads it: both parts of the help, in the language Teams names.
        const t = translator(context.activity.locale);
        await context.sendActivity(t('replies.welcome', { help: helpText(t, true) }));
      }
      await next();
    });
  }

  /** Keeps where each user's 1:1 chat is, so the bot can tell them about their cases later. */
  private async rememberPersonalChat(context: TurnContext): Promise<void> {
    const { conversation, from } = context.activity;
    if (conversation.conversationType !== 'personal' || !from.aadObjectId) return;
    await this.notifier.rememberUser(from.aadObjectId, TurnContext.getConversationReference(context.activity));
  }

  /** The member accepted a package offered on a file consent card in their 1:1 chat. */
  protected override async handleTeamsFileConsentAccept(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    if (this.files) await this.files.accept(context, response);
  }

  protected override async handleTeamsFileConsentDecline(
    context: TurnContext,
    response: FileConsentCardResponse,
  ): Promise<void> {
    if (this.files) await this.files.decline(context, response);
  }

  /** "Record as privacy request" on a message: the intake form in a task module, pre-filled from it. */
  protected override handleTeamsMessagingExtensionFetchTask(
    context: TurnContext,
    action: MessagingExtensionAction,
  ): Promise<MessagingExtensionActionResponse> {
    if (!this.messageAction) return super.handleTeamsMessagingExtensionFetchTask(context, action);
    return Promise.resolve(this.messageAction.fetchTask(context, action));
  }

  protected override handleTeamsMessagingExtensionSubmitAction(
    context: TurnContext,
    action: MessagingExtensionAction,
  ): Promise<MessagingExtensionActionResponse> {
    if (!this.messageAction) return super.handleTeamsMessagingExtensionSubmitAction(context, action);
    return this.messageAction.submitAction(context, action);
  }

  override async run(context: TurnContext): Promise<void> {
    if (context.activity.from?.aadObjectId) await this.team.remember(actorOf(context.activity));
    await this.notifier.heardFrom(
      TurnContext.getConversationReference(context.activity),
      context.activity.from?.aadObjectId,
    );
    await super.run(context);
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const action = invokeValue.action;
    const data = isRecord(action.data) ? action.data : {};
    if (await this.inSharedConversation(context)) {
      const refresh =
        (invokeValue as { trigger?: string }).trigger === 'automatic' || REFRESH_VERBS.has(action.verb ?? '');
      return invokeResponse({
        kind: 'card',
        card: sharedConversationCard(await this.answerInPersonalChat(context, refresh)),
      });
    }
    const outcome = await this.actions.execute(context, action.verb ?? '', data);
    return invokeResponse(outcome);
  }

  /**
   * A card posted in a group chat or another channel before such conversations stopped getting
   * cards: its press does nothing here. The person gets the case as they may see it in their 1:1
   * chat (opened if need be) and continues there; a refresh, which nobody pressed, gets nothing.
   */
  private async answerInPersonalChat(context: TurnContext, refresh: boolean): Promise<string> {
    if (refresh) return ANSWERED_IN_PERSONAL_CHAT;
    const { activity } = context;
    const value = activity.value as { action?: { data?: unknown } } | undefined;
    const data = isRecord(value?.action?.data) ? value.action.data : isRecord(activity.value) ? activity.value : {};
    const person = activity.from?.aadObjectId;
    const caseId = typeof data.caseId === 'string' ? data.caseId : undefined;
    const outcome: ActionOutcome = caseId
      ? await this.actions.execute(context, TRIAGE_VERBS.refresh, { caseId })
      : { kind: 'message', text: translator(activity.locale)('replies.typeNewRequest') };
    const message =
      outcome.kind === 'card'
        ? cardMessage(outcome.card)
        : { type: 'message', text: outcome.kind === 'message' ? outcome.text : outcome.message };
    const delivered = person !== undefined && (await this.notifier.sendToUser(person, message, openingFrom(activity)));
    this.log.info({ caseId, delivered }, 'card pressed in a shared conversation answered in the 1:1 chat');
    return delivered ? ANSWERED_IN_PERSONAL_CHAT : WRITE_IN_PERSONAL_CHAT;
  }

  /**
   * A group chat, or a channel once the privacy team has chosen another one. Before any channel is
   * chosen the bot has posted no case card in a channel, so a press there comes from a card the
   * team is working on; the press still passes every role and four-eyes check.
   */
  private async inSharedConversation(context: TurnContext): Promise<boolean> {
    const { conversation } = context.activity;
    if (conversation?.conversationType === 'groupChat') return true;
    if (conversation?.conversationType !== 'channel') return false;
    const privacyChannel = await this.notifier.privacyChannelId();
    return privacyChannel !== undefined && isSharedConversation(conversation, privacyChannel);
  }

  /** Action.Submit is the fallback for clients without Universal Actions: answer in a new message. */
  private async answerSubmit(context: TurnContext, verb: string, data: CardData): Promise<void> {
    if (await this.inSharedConversation(context)) {
      await context.sendActivity(await this.answerInPersonalChat(context, REFRESH_VERBS.has(verb)));
      return;
    }
    const outcome = await this.actions.execute(context, verb, data);
    if (outcome.kind === 'card') await context.sendActivity(cardMessage(outcome.card));
    else await context.sendActivity(outcome.kind === 'message' ? outcome.text : outcome.message);
    this.log.debug({ verb, outcome: outcome.kind }, 'card submit answered');
  }
}

function invokeResponse(outcome: ActionOutcome): AdaptiveCardInvokeResponse {
  switch (outcome.kind) {
    case 'card':
      return { statusCode: 200, type: CARD_CONTENT_TYPE, value: outcome.card };
    case 'message':
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: outcome.text as never };
    case 'error':
      return {
        statusCode: outcome.status,
        type: 'application/vnd.microsoft.error',
        value: { code: String(outcome.status), message: outcome.message },
      };
  }
}

function isRecord(value: unknown): value is CardData {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function submittedVerb(value: unknown): { verb: string; data: CardData } | undefined {
  if (!isRecord(value) || typeof value.verb !== 'string') return undefined;
  return { verb: value.verb, data: value };
}

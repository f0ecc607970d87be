import { randomUUID } from 'node:crypto';
import { CardFactory, MessageFactory, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { dueDayText } from '../cards/caseHeader.js';
import { shownAsText } from '../cards/format.js';
import { translator } from '../i18n/index.js';
import { triageCard } from '../cards/triageCard.js';
import type { CardPlace, CaseNews, CaseNotifier } from './notifier.js';
import { approvalWaitingCard } from '../cards/approvalWaitingCard.js';
import { approvalWaitingView } from './conversation/approvalWaitingView.js';
import { possibleApprovers, type WaitingApproval } from '../dsr/approvalWaiting.js';
import { messageDeepLink, threadDeepLink } from './teamsLinks.js';
import type { PersonalChatOpening } from './conversation/sharedConversation.js';
import type { TeamDirectory } from './team.js';
import type { DsrCase } from '../dsr/case.js';
import type { Clock } from '../dsr/clock.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import type { OutboxMessage } from '../dsr/ports/outbox.js';
import { addressKey, channelRefusalKey, markReachable, tenantAddressKey } from './outbox/index.js';
import { channelConversationKey, conversationKeyOf, personalConversationKey } from './outbox/conversationKeys.js';
import type { CaseStore, KeyValueStore } from '../dsr/ports/store.js';

// Conversation references are bot plumbing, kept beside conversation state rather than in cases.
export const PRIVACY_CHANNEL = 'dsr/privacy-channel';
export const userKey = (aadObjectId: string) => `dsr/user/${aadObjectId}`;
export const threadKey = (caseId: string) => `dsr/thread/${caseId}`;

export interface ChannelRecord {
  reference: Partial<ConversationReference>;
  channelId: string;
  /**
   * The team's Entra group id, as Teams gives it in a channel turn's `channelData.team.aadGroupId`
   * (botframework-schema `TeamInfo`): Graph names a channel by its team and its id.
   */
  teamId?: string;
}

/** A new thread in the privacy channel, as the outbox addresses it. */
export function channelThread(channel: ChannelRecord, serviceUrl: string): OutboxMessage['destination'] {
  return {
    kind: 'channelThread',
    serviceUrl,
    channelId: channel.channelId,
    tenantId: channel.reference.conversation?.tenantId,
    bot: channel.reference.bot as Record<string, unknown> | undefined,
    ...(channel.teamId ? { teamId: channel.teamId } : {}),
  };
}

/** What waits for approval, in the keys of its notices and of the card that asked for it. */
function waitingWhat(waiting: WaitingApproval): string {
  return waiting.kind === 'step' ? `${waiting.stepId}|${waiting.hash}` : `review|${waiting.hash}`;
}

const waitingPlaceKey = (caseId: string, waiting: WaitingApproval) => `waitingPlace|${caseId}|${waitingWhat(waiting)}`;

/** Where proactive messages are recorded before they travel. */
export interface Outbox {
  enqueue(message: OutboxMessage): Promise<boolean>;
  /** Queues again what was given up after its retries, for one conversation or (no key) every one. */
  requeueGivenUp(conversationKey?: string): Promise<number>;
}

/**
 * Says what the bot says on its own: triage threads in the privacy channel and news to
 * requesters. Each message goes into the outbox under a key of what it reports, so a retried
 * decision does not repeat it, and a failed send never undoes the decision it reports.
 */
export class ProactiveNotifier implements CaseNotifier {
  constructor(
    private readonly outbox: Outbox,
    private readonly store: CaseStore,
    private readonly clock: Clock,
    private readonly calendar: OrgCalendar,
    private readonly team: TeamDirectory,
    private readonly log: Logger,
    /** The privacy channel's language: a channel has no locale, so the team sets one (DSR_CHANNEL_LANGUAGE). */
    private readonly channelLanguage?: string,
  ) {}

  private get kv(): KeyValueStore {
    return this.store.state;
  }

  private async get<T>(key: string): Promise<T | undefined> {
    return (await this.kv.read([key]))[key]?.value as T | undefined;
  }

  private put(key: string, value: object): Promise<void> {
    return this.kv.write({ [key]: { value, eTag: '*' } });
  }

  async caseCreated(dsrCase: DsrCase): Promise<void> {
    const channel = await this.get<ChannelRecord>(PRIVACY_CHANNEL);
    if (!channel) {
      this.log.warn({ caseId: dsrCase.id }, 'no privacy channel yet; the triage card waits for "use this channel"');
      return;
    }
    const serviceUrl = channel.reference.serviceUrl;
    if (!serviceUrl) return;
    const locale = this.channelLanguage;
    const card = triageCard(dsrCase, this.clock.now(), this.calendar, await this.team.members(), undefined, 'live', {
      ...(locale ? { locale } : {}),
    });
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    message.summary = translator(locale)('team.triageSummary', { caseId: dsrCase.id });
    await this.outbox.enqueue({
      id: `triage|${dsrCase.id}|${channel.channelId}`,
      conversationKey: channelConversationKey(channel.channelId),
      destination: channelThread(channel, serviceUrl),
      activity: { ...message },
      caseId: dsrCase.id,
      rememberAs: threadKey(dsrCase.id),
    });
    this.log.info({ caseId: dsrCase.id }, 'triage card queued');
  }

  async approvalWaiting(dsrCase: DsrCase, waiting: WaitingApproval, place: CardPlace): Promise<void> {
    // The card's own message when it sits in a channel thread; else the case's thread, if it has one.
    const inChannel = place.reference.conversation?.conversationType === 'channel';
    const link = inChannel
      ? messageDeepLink(place.reference, place.activityId)
      : threadDeepLink(await this.get<Partial<ConversationReference>>(threadKey(dsrCase.id)));
    await this.put(waitingPlaceKey(dsrCase.id, waiting), place);
    const approvers = possibleApprovers(dsrCase, waiting, await this.team.members());
    for (const member of approvers) {
      const reference = await this.get<Partial<ConversationReference>>(userKey(member.id));
      if (!reference) {
        this.log.info(
          { caseId: dsrCase.id },
          'a privacy officer has no 1:1 chat with the bot yet; not told what waits',
        );
        continue;
      }
      // In the language the officer last wrote to the bot in.
      const t = translator(reference.locale);
      const view = await approvalWaitingView(dsrCase, waiting, this.team, t, link);
      const message = MessageFactory.attachment(CardFactory.adaptiveCard(approvalWaitingCard(view, t)));
      message.summary = t('team.waiting.summary', { caseId: dsrCase.id });
      const what = waitingWhat(waiting);
      await this.outbox.enqueue({
        // One message per officer and preview: a retried press or a second instance queues nothing new.
        id: `waiting|${dsrCase.id}|${what}|${member.id.toLowerCase()}`,
        conversationKey: personalConversationKey(member.id),
        recipientName: member.name,
        destination: { kind: 'conversation', reference, referenceKey: userKey(member.id) },
        activity: { ...message },
        caseId: dsrCase.id,
        guard: { kind: 'caseOpen' },
      });
    }
  }

  waitingPlace(caseId: string, waiting: WaitingApproval): Promise<CardPlace | undefined> {
    return this.get<CardPlace>(waitingPlaceKey(caseId, waiting));
  }

  async caseNews(dsrCase: DsrCase, news: CaseNews): Promise<void> {
    const reference = await this.get<Partial<ConversationReference>>(userKey(dsrCase.requester.id));
    if (!reference) {
      this.log.warn({ caseId: dsrCase.id, news }, 'requester has no 1:1 chat with the bot; not told');
      return;
    }
    await this.outbox.enqueue({
      id: `news|${dsrCase.id}|${news}|${dsrCase.version}`,
      conversationKey: personalConversationKey(dsrCase.requester.id),
      recipientName: dsrCase.requester.name,
      destination: {
        kind: 'conversation',
        reference: reference,
        referenceKey: userKey(dsrCase.requester.id),
      },
      activity: { type: 'message', text: newsText(dsrCase, news, this.calendar, reference.locale) },
      caseId: dsrCase.id,
    });
  }

  tellUser(aadObjectId: string, text: string): Promise<boolean> {
    return this.sendToUser(aadObjectId, { type: 'message', text });
  }

  async sendToUser(
    aadObjectId: string,
    activity: Record<string, unknown>,
    opening?: PersonalChatOpening,
  ): Promise<boolean> {
    const reference = await this.get<Partial<ConversationReference>>(userKey(aadObjectId));
    const id = `private|${aadObjectId}|${randomUUID()}`;
    const conversationKey = personalConversationKey(aadObjectId);
    if (reference) {
      await this.outbox.enqueue({
        id,
        conversationKey,
        destination: { kind: 'conversation', reference, referenceKey: userKey(aadObjectId) },
        activity,
      });
      return true;
    }
    if (!opening) return false;
    // Someone who never wrote to the bot in 1:1 is reached by creating that chat from their id and
    // tenant, as reminders do; the reference it yields is kept for what follows.
    await this.outbox.enqueue({
      id,
      conversationKey,
      destination: {
        kind: 'user',
        userId: aadObjectId,
        serviceUrl: opening.serviceUrl,
        tenantId: opening.tenantId,
        bot: opening.bot as Record<string, unknown> | undefined,
      },
      activity,
      rememberAs: userKey(aadObjectId),
    });
    return true;
  }

  async privacyChannelId(): Promise<string | undefined> {
    return (await this.get<ChannelRecord>(PRIVACY_CHANNEL))?.channelId;
  }

  async usePrivacyChannel(reference: Partial<ConversationReference>, teamId?: string): Promise<number> {
    const channelId = reference.conversation?.id.split(';')[0] ?? '';
    await this.put(PRIVACY_CHANNEL, { reference, channelId, ...(teamId ? { teamId } : {}) } satisfies ChannelRecord);
    // Choosing the channel (again) is the team saying "try again": what was given up is queued again.
    await markReachable(this.store, channelRefusalKey(channelId));
    await this.outbox.requeueGivenUp();
    let posted = 0;
    for (const dsrCase of await this.store.listCases({ openOnly: true })) {
      if (dsrCase.status !== 'received' && dsrCase.status !== 'triage') continue;
      if (await this.get(threadKey(dsrCase.id))) continue;
      await this.caseCreated(dsrCase);
      posted += 1;
    }
    return posted;
  }

  /** Service addresses this process last wrote, so a turn from an unchanged conversation writes nothing. */
  private readonly knownAddresses = new Map<string, string>();

  async heardFrom(reference: Partial<ConversationReference>, aadObjectId: string | undefined): Promise<void> {
    if (reference.conversation?.conversationType === 'channel') {
      // A channel that talks to the bot (a mention, the app added again) takes messages again.
      await markReachable(this.store, channelRefusalKey(reference.conversation.id.split(';')[0]!));
    }
    const serviceUrl = reference.serviceUrl;
    const conversationKey = conversationKeyOf(reference, aadObjectId);
    if (!serviceUrl || !conversationKey) return;
    const tenantId = reference.conversation?.tenantId;
    const keys = [addressKey(conversationKey), ...(tenantId ? [tenantAddressKey(tenantId)] : [])];
    if (keys.every((key) => this.knownAddresses.get(key) === serviceUrl)) return;
    const stored = await this.kv.read(keys);
    let moved = false;
    for (const key of keys) {
      const before = (stored[key]?.value as { serviceUrl?: string } | undefined)?.serviceUrl;
      if (before !== serviceUrl) {
        await this.put(key, { serviceUrl });
        moved ||= before !== undefined;
      }
      this.knownAddresses.set(key, serviceUrl);
    }
    // Teams moved the conversation (a tenant changing region): what waits or was given up follows it.
    if (moved) await this.outbox.requeueGivenUp(conversationKey);
  }

  async rememberUser(aadObjectId: string, reference: Partial<ConversationReference>): Promise<void> {
    // Someone who writes to the bot has it installed again, whatever the outbox found before.
    await markReachable(this.store, aadObjectId);
    const known = await this.get<Partial<ConversationReference>>(userKey(aadObjectId));
    // The locale too: what the bot says on its own follows the language the person last wrote in.
    if (
      known?.conversation?.id === reference.conversation?.id &&
      known?.serviceUrl === reference.serviceUrl &&
      known?.locale === reference.locale
    )
      return;
    await this.put(userKey(aadObjectId), reference);
  }
}

/**
 * What the requester reads in their 1:1 chat, in the language of that chat (the locale Teams gave
 * when they last wrote to the bot, kept in the conversation reference).
 */
function newsText(dsrCase: DsrCase, news: CaseNews, calendar: OrgCalendar, locale: string | undefined): string {
  const t = translator(locale);
  const about = { caseId: dsrCase.id, subject: shownAsText(dsrCase.subject.name) };
  const day = (iso: string) => dueDayText(t, iso, calendar.timeZone);
  switch (news) {
    case 'approved':
      return t('case.news.approved', { ...about, date: day(dsrCase.dueAt) });
    case 'declined': {
      const reason = dsrCase.decision?.reason
        ? t(`triage.declineReasons.${dsrCase.decision.reason}`)
        : t('case.news.noReason');
      return t('case.news.declined', { ...about, reason });
    }
    case 'extended':
      return t('case.news.extended', { ...about, date: day(dsrCase.dueAt) });
    case 'closed':
      return t('case.news.closed', about);
    case 'answered':
      return t('case.news.answered', { ...about, date: day(dsrCase.response?.at ?? dsrCase.updatedAt) });
  }
}

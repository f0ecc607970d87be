import { CardFactory, MessageFactory, TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { formatDay } from '../cards/format.js';
import { triageCard } from '../cards/triageCard.js';
import type { CaseNews, CaseNotifier } from '../dialogs/notifier.js';
import type { TeamDirectory } from '../dialogs/team.js';
import { DECLINE_REASON_LABELS, type DsrCase } from '../dsr/case.js';
import type { Clock } from '../dsr/clock.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import type { CaseStore, KeyValueStore } from '../dsr/store.js';

// Conversation references are bot plumbing, kept beside conversation state rather than in cases.
const PRIVACY_CHANNEL = 'dsr/privacy-channel';
const userKey = (aadObjectId: string) => `dsr/user/${aadObjectId}`;
const threadKey = (caseId: string) => `dsr/thread/${caseId}`;

const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

interface ChannelRecord {
  reference: Partial<ConversationReference>;
  channelId: string;
}

/**
 * Sends what the bot says on its own: triage threads in the privacy channel and news to
 * requesters. A failed send is logged with the case id and never undoes the decision it reports.
 */
export class ProactiveNotifier implements CaseNotifier {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly store: CaseStore,
    private readonly clock: Clock,
    private readonly calendar: OrgCalendar,
    private readonly team: TeamDirectory,
    private readonly log: Logger,
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
    const card = triageCard(dsrCase, this.clock.now(), this.calendar, await this.team.members());
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    message.summary = `New data subject request ${dsrCase.id}`;
    try {
      await this.adapter.createConversationAsync(
        this.appId,
        'msteams',
        serviceUrl,
        BOT_FRAMEWORK_AUDIENCE,
        {
          isGroup: true,
          channelData: { channel: { id: channel.channelId } },
          activity: message as never,
          bot: channel.reference.bot as never,
          tenantId: channel.reference.conversation?.tenantId,
        },
        async (context) => {
          await this.put(threadKey(dsrCase.id), TurnContext.getConversationReference(context.activity));
        },
      );
      this.log.info({ caseId: dsrCase.id }, 'triage card posted');
    } catch (error) {
      this.log.error({ caseId: dsrCase.id, err: error }, 'could not post the triage card');
    }
  }

  async caseNews(dsrCase: DsrCase, news: CaseNews): Promise<void> {
    const reference = await this.get<Partial<ConversationReference>>(userKey(dsrCase.requester.id));
    if (!reference) {
      this.log.warn({ caseId: dsrCase.id, news }, 'requester has no 1:1 chat with the bot; not told');
      return;
    }
    try {
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        await context.sendActivity(newsText(dsrCase, news, this.calendar));
      });
    } catch (error) {
      this.log.error({ caseId: dsrCase.id, news, err: error }, 'could not tell the requester');
    }
  }

  async tellUser(aadObjectId: string, text: string): Promise<boolean> {
    const reference = await this.get<Partial<ConversationReference>>(userKey(aadObjectId));
    if (!reference) return false;
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      await context.sendActivity(text);
    });
    return true;
  }

  async usePrivacyChannel(reference: Partial<ConversationReference>): Promise<number> {
    const channelId = reference.conversation?.id.split(';')[0] ?? '';
    await this.put(PRIVACY_CHANNEL, { reference, channelId } satisfies ChannelRecord);
    let posted = 0;
    for (const dsrCase of await this.store.listCases({ openOnly: true })) {
      if (dsrCase.status !== 'received' && dsrCase.status !== 'triage') continue;
      if (await this.get(threadKey(dsrCase.id))) continue;
      await this.caseCreated(dsrCase);
      posted += 1;
    }
    return posted;
  }

  async rememberUser(aadObjectId: string, reference: Partial<ConversationReference>): Promise<void> {
    const known = await this.get<Partial<ConversationReference>>(userKey(aadObjectId));
    if (known?.conversation?.id === reference.conversation?.id && known?.serviceUrl === reference.serviceUrl) return;
    await this.put(userKey(aadObjectId), reference);
  }
}

function newsText(dsrCase: DsrCase, news: CaseNews, calendar: OrgCalendar): string {
  const about = `Your request ${dsrCase.id} for ${dsrCase.subject.name}`;
  switch (news) {
    case 'approved':
      return `${about} was approved by the privacy team. They will now find the person's data; it is due by ${formatDay(dsrCase.dueAt, calendar)}.`;
    case 'declined': {
      const reason = dsrCase.decision?.reason ? DECLINE_REASON_LABELS[dsrCase.decision.reason] : 'no reason given';
      return `${about} was declined by the privacy team: ${reason}.`;
    }
    case 'extended':
      return `${about} needs more time: the privacy team extended the deadline to ${formatDay(dsrCase.dueAt, calendar)}.`;
    case 'closed':
      return `${about} is closed.`;
  }
}

import { CardFactory, MessageFactory, type ConversationReference } from 'botbuilder';
import type { TFunction } from 'i18next';
import type { Logger } from 'pino';
import { digestCard } from '../../cards/digestCard.js';
import { formatDay, shownAsText } from '../../cards/format.js';
import { translator } from '../../i18n/index.js';
import { stepTitle } from '../../cards/planStepText.js';
import type { DsrCase } from '../../dsr/case.js';
import { daysLeft, type OrgCalendar } from '../../dsr/deadlines.js';
import type { OutboxGuard } from '../../dsr/ports/outbox.js';
import type { ManagerDirectory } from '../../dsr/reminders/managers.js';
import type { RoleDirectory } from '../../dsr/roles.js';
import { policyOf, type Occasion, type ReminderSettings } from '../../dsr/reminders/schedule.js';
import type { DigestContent, ReminderDispatcher } from '../../dsr/reminders/scheduler.js';
import type { CaseStore } from '../../dsr/ports/store.js';
import { markReported, unreachableUsers } from '../outbox/index.js';
import { refusalWords } from '../outbox/refusalWords.js';
import { channelConversationKey, personalConversationKey } from '../outbox/conversationKeys.js';
import {
  channelThread,
  PRIVACY_CHANNEL,
  threadKey,
  userKey,
  type ChannelRecord,
  type Outbox,
} from '../proactiveNotifier.js';

export const snoozeKey = (caseId: string) => `dsr/reminders/snooze/${caseId}`;

export interface Snooze {
  until: string;
  reason: string;
  by: string;
}

/** The assignee's manager: configuration first, then the directory (Microsoft Graph) where one is wired in. */
export type Escalation = ManagerDirectory;

/**
 * The reminder as the privacy team reads it (in the case thread, in a team member's chat), in the
 * language of `t`. With `withSubject` false, for anyone outside the team, the data subject is not
 * named: the case id, the due date, who handles it and what is late say enough to act.
 */
function reminderText(
  occasion: Occasion,
  dsrCase: DsrCase,
  left: number,
  calendar: OrgCalendar,
  withSubject: boolean,
  t: TFunction,
): string {
  const about = withSubject ? `${dsrCase.id} (${shownAsText(dsrCase.subject.name)})` : dsrCase.id;
  const due = formatDay(dsrCase.dueAt, calendar, t);
  switch (occasion.kind) {
    case 'due':
      return left === 0
        ? t('reminders.line.dueToday', { about, due })
        : t('reminders.line.dueIn', { about, due, count: left });
    case 'overdue':
      return t('reminders.line.overdue', { about, due, count: -left });
    case 'approval':
      return t('reminders.line.approval', { about, due });
    case 'identity':
      return t('reminders.line.identity', {
        about,
        since: formatDay(dsrCase.pause?.since ?? dsrCase.updatedAt, calendar, t),
      });
    case 'outside': {
      // The plan's words: the step, who it waits for and the day it was expected.
      const step = dsrCase.plan?.steps.find((s) => s.id === occasion.stepId);
      return t('plan.reminder.outside', {
        about,
        step: step ? stepTitle(step, t) : occasion.stepId,
        party: withSubject && step?.waiting ? shownAsText(step.waiting.party, 120) : t('plan.reminder.outsideParty'),
        date: step?.waiting ? formatDay(`${step.waiting.expectedBy}T12:00:00Z`, calendar, t) : '',
      });
    }
    case 'receipt':
      return t('reminders.line.receipt', {
        about,
        due: formatDay(dsrCase.receiptConfirmation?.dueAt ?? dsrCase.dueAt, calendar, t),
      });
  }
}

/** The escalation to the assignee's manager, who is not on the privacy team: never the data subject. */
function escalationText(
  occasion: Occasion,
  dsrCase: DsrCase,
  left: number,
  calendar: OrgCalendar,
  t: TFunction,
): string {
  const words = {
    caseId: dsrCase.id,
    handler: dsrCase.assignee?.name ?? t('reminders.escalation.team'),
    due: formatDay(dsrCase.dueAt, calendar, t),
  };
  if (occasion.kind === 'overdue' || left < 0) return t('reminders.escalation.overdue', { ...words, count: -left });
  return left === 0
    ? t('reminders.escalation.today', words)
    : t('reminders.escalation.dueIn', { ...words, count: left });
}

/**
 * Turns reminders into outbox messages: a reply in the case's thread when it is urgent, the
 * assignee's 1:1 chat, and the manager's when it is late. Every message's id is the reminder's
 * durable key plus its recipient, so dispatching the same reminder again adds nothing.
 */
export class TeamsReminderDispatcher implements ReminderDispatcher {
  constructor(
    private readonly outbox: Outbox,
    private readonly store: CaseStore,
    private readonly calendar: OrgCalendar,
    private readonly settings: ReminderSettings,
    private readonly escalation: Escalation,
    private readonly log: Logger,
    /** Who may read the data subject's name; without it, nobody outside the channel does. */
    private readonly roles?: Pick<RoleDirectory, 'isPrivacyTeam'>,
    /** The privacy channel's language (a channel has no locale): the digest and the thread's reminders. */
    private readonly channelLanguage?: string,
  ) {}

  private async get<T>(key: string): Promise<T | undefined> {
    return (await this.store.state.read([key]))[key]?.value as T | undefined;
  }

  async dispatch(occasion: Occasion, dsrCase: DsrCase, now: Date): Promise<void> {
    const left = daysLeft(new Date(dsrCase.dueAt), now, this.calendar);
    const policy = policyOf(this.settings, dsrCase.regulation);
    const snooze = await this.get<Snooze>(snoozeKey(dsrCase.id));
    // A snooze quiets the reminders before the deadline; a deadline that passed is never quiet.
    if (snooze && Date.parse(snooze.until) > now.getTime() && occasion.kind !== 'overdue') {
      this.log.info({ caseId: dsrCase.id, reminder: occasion.key }, 'reminder snoozed');
      return;
    }
    const inChannel = translator(this.channelLanguage);
    const guard: OutboxGuard =
      occasion.kind === 'approval'
        ? { kind: 'caseStatus', statuses: ['received', 'triage'] }
        : occasion.kind === 'due' || occasion.kind === 'overdue'
          ? { kind: 'caseDue', dueAt: dsrCase.dueAt }
          : { kind: 'caseOpen' };
    const urgent = occasion.kind !== 'due' || left <= 1;
    if (urgent) {
      const thread = await this.get<Partial<ConversationReference>>(threadKey(dsrCase.id));
      if (thread?.conversation?.id) {
        await this.outbox.enqueue({
          id: `${occasion.key}|thread`,
          conversationKey: channelConversationKey(thread.conversation.id.split(';')[0]!),
          destination: { kind: 'conversation', reference: thread },
          activity: { type: 'message', text: reminderText(occasion, dsrCase, left, this.calendar, true, inChannel) },
          caseId: dsrCase.id,
          guard,
        });
      }
    }
    if (!dsrCase.assignee) return;
    const assigneeOnTeam = (await this.roles?.isPrivacyTeam(dsrCase.assignee.id)) ?? false;
    await this.toUser(
      dsrCase.assignee.id,
      `${occasion.key}|assignee`,
      (t) => reminderText(occasion, dsrCase, left, this.calendar, assigneeOnTeam, t),
      dsrCase.id,
      guard,
      dsrCase.assignee.name,
    );
    const late = occasion.kind === 'overdue' || (occasion.kind === 'due' && left <= policy.escalateDaysLeft);
    if (late) {
      const manager = await this.escalation.managerOf(dsrCase.assignee.id);
      if (manager) {
        await this.toUser(
          manager.id,
          `${occasion.key}|manager`,
          (t) => escalationText(occasion, dsrCase, left, this.calendar, t),
          dsrCase.id,
          guard,
          manager.name,
        );
      } else {
        this.log.info({ caseId: dsrCase.id }, 'no manager known for the assignee; escalation only in the digest');
      }
    }
  }

  private async toUser(
    userId: string,
    id: string,
    words: (t: TFunction) => string,
    caseId: string,
    guard: OutboxGuard,
    directoryName: string | undefined,
  ): Promise<void> {
    const known = await this.get<Partial<ConversationReference>>(userKey(userId));
    // In the language the person last wrote to the bot in; someone who never did reads the channel's.
    const text = words(translator(known?.locale ?? this.channelLanguage));
    // The directory's name first; else the name Teams gave when they last wrote to the bot.
    const name = directoryName ?? known?.user?.name;
    const recipientName = name ? { recipientName: name } : {};
    if (known?.conversation?.id) {
      await this.outbox.enqueue({
        id,
        conversationKey: personalConversationKey(userId),
        destination: {
          kind: 'conversation',
          reference: known,
          referenceKey: userKey(userId),
        },
        activity: { type: 'message', text },
        caseId,
        guard,
        ...recipientName,
      });
      return;
    }
    // Someone who never wrote to the bot is reached by creating the 1:1 chat from their id and tenant.
    const channel = await this.get<ChannelRecord>(PRIVACY_CHANNEL);
    const serviceUrl = channel?.reference.serviceUrl;
    if (!serviceUrl) {
      this.log.warn({ caseId }, 'no service address known yet to open a 1:1 chat; reminder not sent');
      return;
    }
    await this.outbox.enqueue({
      id,
      conversationKey: personalConversationKey(userId),
      destination: {
        kind: 'user',
        userId,
        serviceUrl,
        tenantId: channel.reference.conversation?.tenantId,
        bot: channel.reference.bot as Record<string, unknown> | undefined,
      },
      activity: { type: 'message', text },
      caseId,
      guard,
      rememberAs: userKey(userId),
      ...recipientName,
    });
  }

  async digest(content: DigestContent, now: Date): Promise<void> {
    const channel = await this.get<ChannelRecord>(PRIVACY_CHANNEL);
    const serviceUrl = channel?.reference.serviceUrl;
    if (!channel || !serviceUrl) return;
    const names = new Map<string, string>();
    for (const dsrCase of [...content.overdue, ...content.dueSoon, ...content.waitingForApproval]) {
      if (dsrCase.assignee) names.set(dsrCase.assignee.id, dsrCase.assignee.name);
    }
    // Each refusal is told once, in the first digest after it; the conversation stays quiet until it works again.
    const news = Object.values(await unreachableUsers(this.store)).filter((entry) => !entry.reportedAt);
    const unreachable = news.map((entry) => {
      const channel = entry.userId.startsWith('channel:');
      const name = entry.name ?? names.get(entry.userId);
      return refusalWords(entry.code, { channel, ...(name ? { name } : {}) }, translator(this.channelLanguage));
    });
    const auditHead = await this.store.auditHead();
    const card = digestCard(
      { ...content, unreachable, ...(auditHead ? { auditHead } : {}) },
      now,
      this.calendar,
      this.channelLanguage,
    );
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    message.summary = translator(this.channelLanguage)('digest.messageSummary', {
      overdue: content.overdue.length,
      dueSoon: content.dueSoon.length,
    });
    await this.outbox.enqueue({
      id: `${content.key}|${channel.channelId}`,
      conversationKey: channelConversationKey(channel.channelId),
      destination: channelThread(channel, serviceUrl),
      activity: { ...message },
    });
    await markReported(
      this.store,
      news.map((entry) => entry.userId),
      now.toISOString(),
    );
  }
}

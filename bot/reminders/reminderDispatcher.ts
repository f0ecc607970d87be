import { CardFactory, MessageFactory, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import { digestCard } from '../../cards/digestCard.js';
import { formatDay } from '../../cards/format.js';
import type { DsrCase } from '../../dsr/case.js';
import { daysLeft, type OrgCalendar } from '../../dsr/deadlines.js';
import type { OutboxGuard } from '../../dsr/outbox.js';
import type { ManagerDirectory } from '../../dsr/reminders/managers.js';
import { policyOf, type Occasion, type ReminderSettings } from '../../dsr/reminders/schedule.js';
import type { DigestContent, ReminderDispatcher } from '../../dsr/reminders/scheduler.js';
import type { CaseStore } from '../../dsr/store.js';
import { unreachableUsers } from '../outbox/index.js';
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

function reminderText(occasion: Occasion, dsrCase: DsrCase, left: number, calendar: OrgCalendar): string {
  const about = `${dsrCase.id} (${dsrCase.subject.name})`;
  const due = formatDay(dsrCase.dueAt, calendar);
  switch (occasion.kind) {
    case 'due':
      return left === 0
        ? `Reminder: ${about} is due today, ${due}.`
        : `Reminder: ${about} is due in ${left} day${left === 1 ? '' : 's'}, on ${due}.`;
    case 'overdue':
      return `Overdue: ${about} was due on ${due}, ${-left} day${left === -1 ? '' : 's'} ago.`;
    case 'approval':
      return `Waiting for approval: ${about} has not been decided yet; it is due on ${due}.`;
    case 'identity':
      return `Paused for identity: ${about} has been waiting for the person to prove who they are since ${formatDay(dsrCase.pause?.since ?? dsrCase.updatedAt, calendar)}.`;
    case 'receipt':
      return `Confirm receipt: ${about} must be confirmed to the person by ${formatDay(dsrCase.receiptConfirmation?.dueAt ?? dsrCase.dueAt, calendar)} (CCPA, 11 CCR § 7021(a)).`;
  }
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
    const text = reminderText(occasion, dsrCase, left, this.calendar);
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
          conversationKey: thread.conversation.id.split(';')[0]!,
          destination: { kind: 'conversation', reference: thread },
          activity: { type: 'message', text },
          caseId: dsrCase.id,
          guard,
        });
      }
    }
    if (!dsrCase.assignee) return;
    await this.toUser(dsrCase.assignee.id, `${occasion.key}|assignee`, text, dsrCase.id, guard);
    const late = occasion.kind === 'overdue' || (occasion.kind === 'due' && left <= policy.escalateDaysLeft);
    if (late) {
      const manager = await this.escalation.managerOf(dsrCase.assignee.id);
      if (manager) {
        await this.toUser(
          manager,
          `${occasion.key}|manager`,
          `Escalation: ${dsrCase.assignee.name} is handling ${text.replace(/^[^:]+: /, '')}`,
          dsrCase.id,
          guard,
        );
      } else {
        this.log.info({ caseId: dsrCase.id }, 'no manager known for the assignee; escalation only in the digest');
      }
    }
  }

  private async toUser(userId: string, id: string, text: string, caseId: string, guard: OutboxGuard): Promise<void> {
    const known = await this.get<Partial<ConversationReference>>(userKey(userId));
    if (known?.conversation?.id) {
      await this.outbox.enqueue({
        id,
        conversationKey: known.conversation.id,
        destination: {
          kind: 'conversation',
          reference: known,
          referenceKey: userKey(userId),
        },
        activity: { type: 'message', text },
        caseId,
        guard,
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
      conversationKey: `user:${userId}`,
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
    const unreachable = Object.keys(await unreachableUsers(this.store)).map((id) => names.get(id) ?? 'a colleague');
    const card = digestCard({ ...content, unreachable }, now, this.calendar);
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    message.summary = `Data subject requests: ${content.overdue.length} overdue, ${content.dueSoon.length} due soon`;
    await this.outbox.enqueue({
      id: `${content.key}|${channel.channelId}`,
      conversationKey: `channel:${channel.channelId}`,
      destination: channelThread(channel, serviceUrl),
      activity: { ...message },
    });
  }
}

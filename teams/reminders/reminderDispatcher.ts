import { CardFactory, MessageFactory, type ConversationReference } from 'botbuilder';
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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The reminder as the privacy team reads it (in the case thread, in a team member's chat). With
 * `withSubject` false, for anyone outside the team, the data subject is not named: the case id,
 * the due date, who handles it and what is late say enough to act.
 */
function reminderText(
  occasion: Occasion,
  dsrCase: DsrCase,
  left: number,
  calendar: OrgCalendar,
  withSubject: boolean,
): string {
  const about = withSubject ? `${dsrCase.id} (${shownAsText(dsrCase.subject.name)})` : dsrCase.id;
  const due = formatDay(dsrCase.dueAt, calendar);
  switch (occasion.kind) {
    case 'due':
      return left === 0
        ? `Reminder: ${about} is due today, ${due}.`
        : `Reminder: ${about} is due in ${plural(left, 'day')}, on ${due}.`;
    case 'overdue':
      return `Overdue: ${about} was due on ${due}, ${plural(-left, 'day')} ago.`;
    case 'approval':
      return `Waiting for approval: ${about} has not been decided yet; it is due on ${due}.`;
    case 'identity':
      return `Paused for identity: ${about} has been waiting for the person to prove who they are since ${formatDay(dsrCase.pause?.since ?? dsrCase.updatedAt, calendar)}.`;
    case 'outside': {
      // The plan's words: the step, who it waits for and the day it was expected.
      const step = dsrCase.plan?.steps.find((s) => s.id === occasion.stepId);
      const t = translator('en');
      return t('plan.reminder.outside', {
        about,
        step: step ? stepTitle(step, t) : occasion.stepId,
        party: withSubject && step?.waiting ? shownAsText(step.waiting.party, 120) : t('plan.reminder.outsideParty'),
        date: step?.waiting ? formatDay(`${step.waiting.expectedBy}T12:00:00Z`, calendar) : '',
      });
    }
    case 'receipt':
      return `Confirm receipt: ${about} must be confirmed to the person by ${formatDay(dsrCase.receiptConfirmation?.dueAt ?? dsrCase.dueAt, calendar)} (CCPA, 11 CCR § 7021(a)).`;
  }
}

/** The escalation to the assignee's manager, who is not on the privacy team: never the data subject. */
function escalationText(occasion: Occasion, dsrCase: DsrCase, left: number, calendar: OrgCalendar): string {
  const handler = dsrCase.assignee?.name ?? 'the privacy team';
  const due = formatDay(dsrCase.dueAt, calendar);
  const late =
    occasion.kind === 'overdue' || left < 0
      ? `was due on ${due} and is ${plural(-left, 'day')} overdue`
      : left === 0
        ? `is due today, ${due}, and is not finished yet`
        : `is due in ${plural(left, 'day')}, on ${due}, and is not finished yet`;
  return `Escalation: the data subject request ${dsrCase.id}, handled by ${handler} on your team, ${late}. The privacy team has the details.`;
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
    const text = reminderText(occasion, dsrCase, left, this.calendar, true);
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
          activity: { type: 'message', text },
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
      assigneeOnTeam ? text : reminderText(occasion, dsrCase, left, this.calendar, false),
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
          escalationText(occasion, dsrCase, left, this.calendar),
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
    text: string,
    caseId: string,
    guard: OutboxGuard,
    directoryName: string | undefined,
  ): Promise<void> {
    const known = await this.get<Partial<ConversationReference>>(userKey(userId));
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
      return refusalWords(entry.code, { channel, ...(name ? { name } : {}) });
    });
    const auditHead = await this.store.auditHead();
    const card = digestCard({ ...content, unreachable, ...(auditHead ? { auditHead } : {}) }, now, this.calendar);
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    message.summary = `Data subject requests: ${content.overdue.length} overdue, ${content.dueSoon.length} due soon`;
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

import type { Activity, ChannelAccount, TurnContext } from 'botbuilder';
import { translator } from '../../i18n/index.js';
import type { Intent } from './intents.js';

/**
 * Answers that name data subjects or show their details. In a conversation others can read they
 * go to the asker's 1:1 chat instead, and only a short pointer is said in place.
 */
const PRIVATE_ANSWERS: ReadonlySet<Intent['kind']> = new Set<Intent['kind']>([
  'newRequest',
  'status',
  'myRequests',
  'dueThisWeek',
  'reminders',
  'snooze',
  'auditTrail',
]);

/** Said in place when the bot cannot reach the asker privately; it names no one. */
export function writeInPersonalChat(locale?: string): string {
  return translator(locale)('shared.writeInPersonalChat');
}

/** The same in English, for answers that have no locale to go by. */
export const WRITE_IN_PERSONAL_CHAT = writeInPersonalChat();

/** The short answer said in place for an intent answered privately; undefined when the intent may be answered here. */
export function privatePointer(intent: Intent, locale?: string): string | undefined {
  const t = translator(locale);
  // The case id is not said back either: with the group's context it can point at a person.
  if (intent.kind === 'status' && intent.caseId) return t('shared.pointers.caseStatus');
  return PRIVATE_ANSWERS.has(intent.kind) ? t(`shared.pointers.${intent.kind}`) : undefined;
}

/**
 * True for a conversation people other than the asker read: a group chat, or any channel but the
 * privacy team's own (which exists to decide cases and keeps its full answers).
 */
export function isSharedConversation(
  conversation: Pick<Activity['conversation'], 'id' | 'conversationType'>,
  privacyChannelId: string | undefined,
): boolean {
  if (conversation.conversationType === 'groupChat') return true;
  if (conversation.conversationType !== 'channel') return false;
  return conversation.id.split(';')[0] !== privacyChannelId;
}

/** Where to open a 1:1 chat with the asker when the bot has none yet: this turn's service and tenant. */
export interface PersonalChatOpening {
  serviceUrl: string;
  tenantId: string;
  bot?: ChannelAccount;
}

export function openingFrom(activity: Activity): PersonalChatOpening | undefined {
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  const tenantId = activity.conversation.tenantId ?? channelData?.tenant?.id;
  if (!activity.serviceUrl || !tenantId) return undefined;
  return { serviceUrl: activity.serviceUrl, tenantId, bot: activity.recipient };
}

/**
 * Runs `work` with every message it sends held back instead of posted here, and returns them
 * stripped of this conversation's addressing, ready to travel to another one. Other activities
 * (typing) are dropped: they mean nothing elsewhere.
 */
export async function holdReplies(
  context: TurnContext,
  work: () => Promise<void>,
): Promise<Array<Record<string, unknown>>> {
  const held: Array<Record<string, unknown>> = [];
  let holding = true;
  context.onSendActivities(async (_context, activities, next) => {
    if (!holding) return next();
    for (const activity of activities) if (activity.type === 'message') held.push(messageContent(activity));
    return activities.map(() => ({ id: '' }));
  });
  try {
    await work();
  } finally {
    holding = false;
  }
  return held;
}

function messageContent(activity: Partial<Activity>): Record<string, unknown> {
  const { text, textFormat, attachments, attachmentLayout, summary } = activity;
  return Object.fromEntries(
    Object.entries({ type: 'message', text, textFormat, attachments, attachmentLayout, summary }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

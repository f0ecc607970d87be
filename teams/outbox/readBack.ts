import { z } from 'zod';
import type { OutboxRecord } from '../../dsr/ports/outbox.js';

/**
 * Whether a message whose send was cut short (the process died with the request in flight) is in
 * its conversation: 'arrived' (seen there), 'absent' (the conversation was read and it is not
 * there) or 'unknown' (the conversation cannot be read: no permission, no Graph address for it,
 * an error).
 */
export type ReadBackAnswer =
  /** Seen; `messageId` is its Graph id, which for a channel's new post is also the thread's. */
  { found: 'arrived'; messageId?: string } | { found: 'absent' } | { found: 'unknown' };

const UNKNOWN: ReadBackAnswer = { found: 'unknown' };

export interface ConversationReadBack {
  find(record: OutboxRecord, since: Date): Promise<ReadBackAnswer>;
}

/** GETs a Microsoft Graph URL (relative to the service root) and hands back its JSON body. */
export type GraphGet = (path: string) => Promise<unknown>;

/**
 * The chatMessage properties read back (Microsoft Graph v1.0, "chatMessage resource type",
 * https://learn.microsoft.com/graph/api/resources/chatmessage): who posted it (`from.application`
 * for a bot), when, its body, and its attachments, whose `content` is the card serialised as JSON
 * ("Working with Microsoft Teams messaging APIs", card attachment,
 * https://learn.microsoft.com/graph/teams-messaging-overview).
 */
const chatMessage = z.looseObject({
  id: z.string().nullish(),
  createdDateTime: z.string().nullish(),
  from: z.looseObject({ application: z.looseObject({ id: z.string().nullish() }).nullish() }).nullish(),
  body: z.looseObject({ content: z.string().nullish() }).nullish(),
  attachments: z.array(z.looseObject({ contentType: z.string().nullish(), content: z.string().nullish() })).nullish(),
});
const messagePage = z.looseObject({ value: z.array(z.unknown()) });

/**
 * How far before the recorded start of a send a message may have been stamped by Teams: our clock
 * and Teams' are not the same clock. Learn documents no bound; a minute is generous for servers
 * kept by NTP, and short enough that yesterday's copy of a daily reminder is never mistaken for today's.
 */
const CLOCK_SKEW_MS = 60_000;

/**
 * Reads a conversation back through Microsoft Graph to see whether a message the bot may have sent
 * is there. The Bot Connector offers no way to ask whether an activity arrived and takes no
 * idempotency key, and Teams shows whatever Graph returns of a message, so nothing invisible can
 * mark it: a message is recognised by what it says. It counts as arrived when the bot itself posted,
 * since the send began (less `CLOCK_SKEW_MS`), a message with the same words (the text, or every
 * text of its card) in the same conversation. Two different outbox messages with the same words to
 * the same conversation within that minute would be taken for one; the outbox never queues such a
 * pair (each message names its case and what is due), and the README says so.
 *
 * Where Graph can be asked (each with its resource-specific consent, granted with the app):
 * - a chat whose id Graph knows (`19:…@thread.v2`, `19:…@unq.gbl.spaces`): `GET /chats/{id}/messages`,
 *   newest first, `$filter` on `lastModifiedDateTime` with `$orderby` on the same property, `$top`
 *   at most 50; permission ChatMessage.Read.Chat ("List messages in a chat",
 *   https://learn.microsoft.com/graph/api/chat-list-messages);
 * - a channel of a team whose Entra group id is known: the thread's replies,
 *   `GET /teams/{team-id}/channels/{channel-id}/messages/{message-id}/replies`, or the channel's
 *   new posts, `GET /teams/{team-id}/channels/{channel-id}/messages`, `$top` at most 50;
 *   permission ChannelMessage.Read.Group ("List replies", https://learn.microsoft.com/graph/api/chatmessage-list-replies;
 *   "List channel messages", https://learn.microsoft.com/graph/api/channel-list-messages).
 *
 * A 1:1 chat the Bot Connector names `a:…` has no Graph id the bot can derive (Learn names none),
 * so it is 'unknown', as is any conversation Graph refuses to show.
 */
export class GraphReadBack implements ConversationReadBack {
  constructor(
    private readonly get: GraphGet,
    /** The bot's App ID, as Graph names the application that posted a bot's message. */
    private readonly appId: string,
  ) {}

  async find(record: OutboxRecord, since: Date): Promise<ReadBackAnswer> {
    const path = graphPathOf(record, new Date(since.getTime() - CLOCK_SKEW_MS));
    if (!path) return UNKNOWN;
    const words = wordsOfActivity(record.activity);
    if (!words) return UNKNOWN;
    let body: unknown;
    try {
      body = await this.get(path);
    } catch {
      return UNKNOWN;
    }
    const page = messagePage.safeParse(body);
    if (!page.success) return UNKNOWN;
    const earliest = since.getTime() - CLOCK_SKEW_MS;
    for (const item of page.data.value) {
      const message = chatMessage.safeParse(item);
      if (!message.success) continue;
      const { id, createdDateTime, from, body: content, attachments } = message.data;
      if (this.appId && from?.application?.id !== this.appId) continue;
      if (!from?.application) continue;
      if (!createdDateTime || Date.parse(createdDateTime) < earliest) continue;
      const posted = attachments?.length
        ? attachments.map((a) => wordsOfCard(a.content)).join(' ')
        : normalise(content?.content ?? '');
      if (normalise(posted) === words) return { found: 'arrived', ...(id ? { messageId: id } : {}) };
    }
    return { found: 'absent' };
  }
}

/** The Graph path that lists where the record's message would be, or undefined where Graph cannot be asked. */
export function graphPathOf(record: OutboxRecord, since: Date): string | undefined {
  const destination = record.destination;
  if (destination.kind === 'channelThread') {
    if (!destination.teamId) return undefined;
    return `teams/${encodeURIComponent(destination.teamId)}/channels/${encodeURIComponent(destination.channelId)}/messages?$top=50`;
  }
  if (destination.kind !== 'conversation') return undefined;
  const reference = destination.reference as { conversation?: { id?: unknown }; teamId?: unknown };
  const id = typeof reference.conversation?.id === 'string' ? reference.conversation.id : undefined;
  if (!id) return undefined;
  const [channel, thread] = id.split(';messageid=');
  if (thread !== undefined) {
    if (typeof reference.teamId !== 'string') return undefined;
    return `teams/${encodeURIComponent(reference.teamId)}/channels/${encodeURIComponent(channel!)}/messages/${encodeURIComponent(thread)}/replies?$top=50`;
  }
  if (/^19:.+@(thread\.v2|unq\.gbl\.spaces)$/.test(id)) {
    const orderBy = encodeURIComponent('lastModifiedDateTime desc');
    const filter = encodeURIComponent(`lastModifiedDateTime gt ${since.toISOString()}`);
    return `chats/${encodeURIComponent(id)}/messages?$top=50&$orderby=${orderBy}&$filter=${filter}`;
  }
  return undefined;
}

/** The words a message shows: its text, then every text of its cards. */
function wordsOfActivity(activity: Record<string, unknown>): string | undefined {
  const attachments = Array.isArray(activity.attachments) ? (activity.attachments as Array<{ content?: unknown }>) : [];
  const words = attachments.length
    ? attachments.map((a) => texts(a.content).join(' ')).join(' ')
    : typeof activity.text === 'string'
      ? activity.text
      : '';
  const normalised = normalise(words);
  return normalised ? normalised : undefined;
}

function wordsOfCard(content: string | null | undefined): string {
  if (!content) return '';
  try {
    return texts(JSON.parse(content)).join(' ');
  } catch {
    return '';
  }
}

/** Every `text` of a card, in order, however deep. */
function texts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(texts);
  if (typeof value !== 'object' || value === null) return [];
  const found: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'text' && typeof inner === 'string') found.push(inner);
    else found.push(...texts(inner));
  }
  return found;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/**
 * Words as both sides can agree on them: Teams renders a bot's Markdown as HTML in the body Graph
 * returns (Learn shows HTML bodies; it documents no exact conversion), so tags, entities, Markdown
 * emphasis and spacing are set aside.
 */
function normalise(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, name: string) => ENTITIES[name] ?? ' ')
    .replace(/[*_`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

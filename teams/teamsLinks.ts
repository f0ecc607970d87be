import type { ConversationReference } from 'botbuilder';

/**
 * A deep link to a channel thread, from the conversation reference the bot kept when it opened
 * the thread (its id is "<channel id>;messageid=<root message id>"). Format as Microsoft Learn gives
 * it in "Deep link to Teams chat", section "Deep link to navigate to channel conversation"
 * (learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-teams):
 * https://teams.microsoft.com/l/message/<channelId>/<parentMessageId>?tenantId=…&parentMessageId=…
 * The page documents groupId, teamName, channelName and createdTime as well; a reference does not
 * carry them, and Teams opens the thread without them.
 */
export function threadDeepLink(reference: Partial<ConversationReference> | undefined): string | undefined {
  const id = reference?.conversation?.id;
  const match = id ? /^(19:[^;]+);messageid=(\d+)$/.exec(id) : null;
  if (!match) return undefined;
  const [, channelId, messageId] = match as unknown as [string, string, string];
  const params = new URLSearchParams();
  const tenantId = reference?.conversation?.tenantId;
  if (tenantId) params.set('tenantId', tenantId);
  params.set('parentMessageId', messageId);
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(channelId)}/${messageId}?${params.toString()}`;
}

/**
 * A deep link to one message in a channel thread, such as a card the bot replaced in place: the
 * same format with the message's own id in the path and the thread's root as parentMessageId (Learn,
 * "Deep link to navigate to channel conversation"). Undefined outside a channel thread, where
 * the reference names no root message.
 */
export function messageDeepLink(
  reference: Partial<ConversationReference> | undefined,
  messageId: string | undefined,
): string | undefined {
  const thread = threadDeepLink(reference);
  const match = thread ? /\/l\/message\/([^/]+)\/(\d+)\?(.*)$/.exec(thread) : null;
  if (!match || !messageId || !/^\d+$/.test(messageId)) return thread;
  const [, channelId, , query] = match as unknown as [string, string, string, string];
  return `https://teams.microsoft.com/l/message/${channelId}/${messageId}?${query}`;
}

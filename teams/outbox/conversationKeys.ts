import type { ConversationReference } from 'botbuilder';

/**
 * How the outbox names a conversation for Teams' rate limits. Teams counts a channel and every
 * thread in it as one conversation ("a channel in a team"; Microsoft Learn, "Optimize your bot with
 * rate limiting in Teams"), so a new post and a thread reply share the channel's key, and a
 * person's 1:1 chat with the bot is keyed by the person, whether it exists yet or not.
 */
export const channelConversationKey = (channelId: string) => `channel:${channelId}`;
export const personalConversationKey = (aadObjectId: string) => `user:${aadObjectId}`;

/** The key of the conversation an inbound activity (or a stored reference) belongs to. */
export function conversationKeyOf(
  reference: Partial<ConversationReference>,
  aadObjectId: string | undefined,
): string | undefined {
  const conversation = reference.conversation;
  if (!conversation?.id) return undefined;
  if (conversation.conversationType === 'personal') {
    return aadObjectId ? personalConversationKey(aadObjectId) : undefined;
  }
  if (conversation.conversationType === 'channel') return channelConversationKey(conversation.id.split(';')[0]!);
  return conversation.id;
}

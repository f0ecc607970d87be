/**
 * What a Teams refusal means, in the words the privacy team reads in the digest. The codes and
 * their meaning: Microsoft Learn, "Status codes from bot conversational APIs"
 * (https://learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability#status-codes-from-bot-conversational-apis).
 */
export function refusalWords(code: string, who: { name?: string; channel: boolean }): string {
  if (who.channel) {
    switch (code) {
      case 'BotDisabledByAdmin':
        return 'the app is disabled in this team';
      case 'BotNotInConversationRoster':
        return 'the app was removed from the privacy channel’s team';
      case 'ConversationBlockedByUser':
        return 'the privacy channel has blocked the app';
      case 'ConversationNotFound':
        return 'the privacy channel no longer exists';
      default:
        return `Teams refused to post in the privacy channel (${code})`;
    }
  }
  const name = who.name ?? 'A colleague whose name Teams did not give';
  switch (code) {
    case 'ConversationBlockedByUser':
      return `${name} has blocked the app`;
    case 'BotNotInConversationRoster':
    case 'ForbiddenOperationException':
      return `${name} does not have the app installed`;
    case 'BotDisabledByAdmin':
      return `the app is disabled for ${name} by the Teams admin`;
    case 'ConversationNotFound':
      return `the chat with ${name} no longer exists`;
    case 'NotEnoughPermissions':
      return `the app lacks the permission to write to ${name}`;
    default:
      return `Teams refused to deliver to ${name} (${code})`;
  }
}

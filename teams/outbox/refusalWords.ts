import type { TFunction } from 'i18next';
import { translator } from '../../i18n/index.js';

/** The refusals Teams gives with a meaning of their own, for a channel and for a person. */
const CHANNEL_CODES = [
  'BotDisabledByAdmin',
  'BotNotInConversationRoster',
  'ConversationBlockedByUser',
  'ConversationNotFound',
] as const;
const PERSON_CODES = [
  'ConversationBlockedByUser',
  'BotNotInConversationRoster',
  'BotDisabledByAdmin',
  'ConversationNotFound',
  'NotEnoughPermissions',
] as const;

/**
 * What a Teams refusal means, in the words the privacy team reads in the digest, in the language of
 * `t` (the channel's). The codes and their meaning: Microsoft Learn, "Status codes from bot
 * conversational APIs"
 * (https://learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability#status-codes-from-bot-conversational-apis);
 * ForbiddenOperationException is read as the app not being installed.
 */
export function refusalWords(
  code: string,
  who: { name?: string; channel: boolean },
  t: TFunction = translator(undefined),
): string {
  if (who.channel) {
    return (CHANNEL_CODES as readonly string[]).includes(code)
      ? t(`digest.refused.channel.${code}`)
      : t('digest.refused.channel.other', { code });
  }
  const name = who.name ?? t('digest.refused.unnamed');
  const known = code === 'ForbiddenOperationException' ? 'BotNotInConversationRoster' : code;
  return (PERSON_CODES as readonly string[]).includes(known)
    ? t(`digest.refused.person.${known}`, { name })
    : t('digest.refused.person.other', { name, code });
}

import { adaptiveCard, textBlock, type AdaptiveCard } from './adaptive.js';
import { translator } from '../i18n/index.js';

/** Said on a card pressed in a shared conversation when the answer went to the 1:1 chat. */
export function answeredInPersonalChat(locale?: string): string {
  return translator(locale)('shared.answeredInPersonalChat');
}

/** The same in English, for answers that have no locale to go by. */
export const ANSWERED_IN_PERSONAL_CHAT = answeredInPersonalChat();

/**
 * What replaces a card pressed in a group chat or a channel other than the privacy team's: a line
 * that names no one and no case, and no buttons, so nothing on it points at a person.
 */
export function sharedConversationCard(text = ANSWERED_IN_PERSONAL_CHAT): AdaptiveCard {
  return adaptiveCard({ body: [textBlock(text)] });
}

import { CARD_SCHEMA, CARD_VERSION, type CardJson } from './template.js';

/** Said on a card pressed in a shared conversation when the answer went to the 1:1 chat. */
export const ANSWERED_IN_PERSONAL_CHAT =
  "I've answered in our 1:1 chat, so no one's details show in this conversation.";

/**
 * What replaces a card pressed in a group chat or a channel other than the privacy team's: a line
 * that names no one and no case, and no buttons, so nothing on it points at a person.
 */
export function sharedConversationCard(text = ANSWERED_IN_PERSONAL_CHAT): CardJson {
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [{ type: 'TextBlock', text, wrap: true }],
  };
}

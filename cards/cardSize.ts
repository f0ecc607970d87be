import type { CardJson } from './template.js';

/**
 * The size every card the bot sends stays within, as UTF-8 JSON. Microsoft Learn ("Format your bot
 * messages", https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages)
 * puts a bot message at about 100 KB counted in UTF-16 and advises 80 KB; earlier versions of that
 * page said 40 KB, and the Teams connector's documented limit for a posted card is about 28 KB
 * (https://learn.microsoft.com/connectors/teams/#known-issues-and-limitations). Teams answers a
 * message over its limit with 413 MessageSizeTooBig, so the card would never arrive: we keep under
 * the smallest of these figures.
 */
export const CARD_BYTE_LIMIT = 28 * 1024;

export function cardBytes(card: CardJson): number {
  return Buffer.byteLength(JSON.stringify(card));
}

/**
 * The fullest rendering that fits: tries each level from the most generous to the most folded and
 * keeps the first within the limit, or the last when none does. Each level must keep what a person
 * has to act on reachable (a count and a way to page to it), so folding hides detail, never work.
 */
export function fullestThatFits<Level>(levels: readonly Level[], render: (level: Level) => CardJson): CardJson {
  let card: CardJson = {};
  for (const level of levels) {
    card = render(level);
    if (cardBytes(card) <= CARD_BYTE_LIMIT) return card;
  }
  return card;
}

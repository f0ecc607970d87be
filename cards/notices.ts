import {
  adaptiveCard,
  container,
  textBlock,
  type AdaptiveCard,
  type CardElement,
  type ContainerStyle,
} from './adaptive.js';
import { clip } from './format.js';

/**
 * A line that tells the reader what happened: `info` for plain news, `good` when something they
 * asked for was done, `warning` when something needs their eye, `error` when their press changed
 * nothing. The text is already in the reader's language.
 */
export interface Notice {
  tone: 'info' | 'good' | 'warning' | 'error';
  text: string;
}

/**
 * The tint each tone sits on. The words carry the meaning and keep the default text colour: the
 * coloured text of Teams' host configs falls below WCAG AA in one theme or another (see
 * cards/caseHeader.ts and test/cards/themeContrast.test.ts).
 */
const TONE_STYLE: Record<Notice['tone'], ContainerStyle | undefined> = {
  info: undefined,
  good: 'good',
  warning: 'warning',
  error: 'attention',
};

/** A notice's text is cut to this length: it is a line, and a card has a byte budget. */
export const NOTICE_MAX_LENGTH = 500;

/** The notices as the top of a card's body, one block each. */
export function noticeBlocks(notices: readonly Notice[]): CardElement[] {
  return notices.map((notice) => {
    const line = textBlock(clip(notice.text, NOTICE_MAX_LENGTH), { weight: 'Bolder' });
    const style = TONE_STYLE[notice.tone];
    return style ? container([line], { style }) : line;
  });
}

/** A card that only tells: what a press did, or why it did nothing, with no case on it. */
export function noticeCard(notices: readonly Notice[]): AdaptiveCard {
  return adaptiveCard({ body: noticeBlocks(notices) });
}

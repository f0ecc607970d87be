import { DateTime } from 'luxon';
import { REQUEST_TYPE_LABELS, type RequestType } from '../dsr/case.js';
import { daysLeft, formatDue, type OrgCalendar } from '../dsr/deadlines.js';

export function formatInstant(iso: string, calendar: OrgCalendar): string {
  return DateTime.fromISO(iso).setZone(calendar.timeZone).toFormat("ccc d LLL yyyy, HH:mm '('ZZZZ')'");
}

export function formatDay(iso: string, calendar: OrgCalendar): string {
  return formatDue(new Date(iso), calendar);
}

export type Urgency = 'good' | 'warning' | 'attention' | 'default';

/** Adaptive Card text colours for a deadline's urgency: the colour-coded countdown. */
export const URGENCY_COLOR: Record<Urgency, string> = {
  good: 'Good',
  warning: 'Warning',
  attention: 'Attention',
  default: 'Default',
};

export interface DeadlineView {
  dueDay: string;
  daysLeft: number;
  /** "12 days left", "due today", "3 days overdue". */
  countdown: string;
  urgency: Urgency;
}

export function deadlineView(dueAt: string, now: Date, calendar: OrgCalendar, open = true): DeadlineView {
  const left = daysLeft(new Date(dueAt), now, calendar);
  const countdown =
    left > 1
      ? `${left} days left`
      : left === 1
        ? '1 day left'
        : left === 0
          ? 'due today'
          : left === -1
            ? '1 day overdue'
            : `${-left} days overdue`;
  const urgency: Urgency = !open ? 'default' : left < 0 ? 'attention' : left <= 7 ? 'warning' : 'good';
  return { dueDay: formatDay(dueAt, calendar), daysLeft: left, countdown, urgency };
}

export function requestTypesText(types: RequestType[]): string {
  return types.map((type) => REQUEST_TYPE_LABELS[type].split(' (')[0]).join(', ');
}

/** Cards have limits; a user's free text is cut with a visible marker rather than breaking the card. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The line at the top of a card that says what the last press did; nothing when there is nothing to say. */
export function noticeBlock(notice: string | undefined, color = 'Default'): Array<Record<string, unknown>> {
  return notice ? [{ type: 'TextBlock', text: clip(notice, 500), weight: 'Bolder', color, wrap: true }] : [];
}

// Adaptive Card TextBlocks render a subset of Markdown: **bold**, _italic_, lists and [links](url)
// (https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features), and Teams renders
// message text as Markdown too. A backslash before ASCII punctuation shows that character as
// itself (CommonMark §2.4, which the Adaptive Cards JavaScript renderer's markdown-it follows);
// no Microsoft source says whether Teams' own renderer honours it, so `shownAsText` also breaks
// bare web addresses, which Teams turns into links unasked, with an invisible word joiner.
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]()<>#!|~]/g;
const WORD_JOINER = '\u2060';

/**
 * A value a person typed (a name, details, a note, a reason) or a system returned, cut to `max`
 * and made to show as the text it is: no link, emphasis, list, heading or line break of its own.
 * Every card binds such values through this one function.
 */
export function shownAsText(value: string, max?: number): string {
  const oneLine = value.replace(/[\r\n\u2028\u2029]+/g, ' ');
  const cut = max === undefined ? oneLine : clip(oneLine, max);
  return (
    cut
      .replace(MARKDOWN_PUNCTUATION, '\\$&')
      // Lists start a line only; the value is on one line, so only its start can begin one.
      .replace(/^(\s*)([-+])/, '$1\\$2')
      .replace(/^(\s*\d+)([.)])/, '$1\\$2')
      .replace(/:\/\//g, `:${WORD_JOINER}//`)
      .replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}${WORD_JOINER}.`)
  );
}

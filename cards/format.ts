import type { TFunction } from 'i18next';
import { DateTime } from 'luxon';
import { daysLeft, formatDue, type OrgCalendar } from '../dsr/deadlines.js';
import { translator } from '../i18n/index.js';

/** The language a translator writes in, the full locale when Teams sent one ("de-AT"). */
function languageOfTranslator(t: TFunction): string {
  return (t as { lng?: string }).lng ?? 'en-GB';
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();

function cachedFormat(
  cache: Map<string, Intl.DateTimeFormat>,
  language: string,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${language}|${timeZone}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { timeZone, ...options });
    cache.set(key, format);
  }
  return format;
}

/** Days already split into parts, by language, zone and instant: a list words each row's due day on every turn. */
const dayParts = new Map<string, { weekday: string; day: string; month: string; year: string }>();
const DAY_PARTS_KEPT = 10_000;

/**
 * A day in the organisation's zone, in the reader's language: the parts from Intl (CLDR names of
 * weekdays and months), their order and punctuation from the catalogue ("Thu 2 Apr 2026",
 * "Do., 2. Apr. 2026"). Formats are cached per language and zone and the parts per instant: lists
 * word a day per row on every turn.
 */
export function localDay(t: TFunction, iso: string, timeZone: string): string {
  const language = languageOfTranslator(t);
  const key = `${language}|${timeZone}|${iso}`;
  let parts = dayParts.get(key);
  if (!parts) {
    const format = cachedFormat(dayFormats, language, timeZone, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    });
    const all = format.formatToParts(new Date(iso));
    const part = (type: Intl.DateTimeFormatPartTypes) => all.find((p) => p.type === type)?.value ?? '';
    parts = { weekday: part('weekday'), day: part('day'), month: part('month'), year: part('year') };
    if (dayParts.size >= DAY_PARTS_KEPT) dayParts.clear();
    dayParts.set(key, parts);
  }
  return t('case.header.day', parts);
}

/**
 * An instant in the organisation's zone. Without a translator it reads as it always has in English
 * ("Tue 7 Apr 2026, 14:00 (GMT+2)"); with one, the day as `localDay` writes it and the time and
 * offset from Intl in the reader's language ("Di., 7. Apr. 2026, 14:00 (GMT+2)").
 */
export function formatInstant(iso: string, calendar: OrgCalendar, t?: TFunction): string {
  if (!t) return DateTime.fromISO(iso).setZone(calendar.timeZone).toFormat("ccc d LLL yyyy, HH:mm '('ZZZZ')'");
  const format = cachedFormat(timeFormats, languageOfTranslator(t), calendar.timeZone, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  });
  const parts = format.formatToParts(new Date(iso));
  const zone = parts.find((p) => p.type === 'timeZoneName')?.value ?? calendar.timeZone;
  const time = parts
    .filter((p) => p.type !== 'timeZoneName')
    .map((p) => p.value)
    .join('')
    .trim();
  return t('format.instant', { day: localDay(t, iso, calendar.timeZone), time, zone });
}

/** A day in the organisation's zone: in the reader's language with a translator, in English without. */
export function formatDay(iso: string, calendar: OrgCalendar, t?: TFunction): string {
  return t ? localDay(t, iso, calendar.timeZone) : formatDue(new Date(iso), calendar);
}

export type Urgency = 'good' | 'warning' | 'attention' | 'default';

export interface DeadlineView {
  dueDay: string;
  daysLeft: number;
  /** "12 days left", "due today", "3 days overdue". */
  countdown: string;
  urgency: Urgency;
}

/** The countdown and due day in the language of `t`, with that language's plural rules (English without one). */
export function deadlineView(
  dueAt: string,
  now: Date,
  calendar: OrgCalendar,
  open = true,
  t?: TFunction,
): DeadlineView {
  const left = daysLeft(new Date(dueAt), now, calendar);
  const words = t ?? translator(undefined);
  const countdown =
    left > 0
      ? words('format.countdown.left', { count: left })
      : left === 0
        ? words('format.countdown.today')
        : words('format.countdown.overdue', { count: -left });
  const urgency: Urgency = !open ? 'default' : left < 0 ? 'attention' : left <= 7 ? 'warning' : 'good';
  return { dueDay: formatDay(dueAt, calendar, t), daysLeft: left, countdown, urgency };
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

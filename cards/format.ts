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

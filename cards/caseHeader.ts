import type { TFunction } from 'i18next';
import type { CaseHeaderFacts, DueUrgency } from '../dsr/caseHeader.js';
import {
  adaptiveCard,
  column,
  columnSet,
  factSet,
  textBlock,
  type AdaptiveCard,
  type CardAction,
  type CardElement,
  type CardRefresh,
  type ContainerStyle,
} from './adaptive.js';
import { localDay, shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import { noticeBlocks, type Notice } from './notices.js';

/**
 * Where the countdown sits on a tinted block, and which tint. The text itself stays in the default
 * colour: in Teams' host configs the light theme's Good and Warning text colours and the dark theme's
 * Attention fall below WCAG AA contrast on their backgrounds, while default text on these tints
 * passes in every theme (test/cards/themeContrast.test.ts checks it against the table of colours).
 */
export const URGENCY_STYLE: Record<DueUrgency, ContainerStyle | undefined> = {
  overdue: 'attention',
  'due-today': 'attention',
  'due-soon': 'warning',
  'on-track': undefined,
  settled: undefined,
};

/** A day in the organisation's zone, in the reader's language (see `localDay` in format.ts). */
export function dueDayText(t: TFunction, iso: string, timeZone: string): string {
  return localDay(t, iso, timeZone);
}

/** "4 days left", "due today", "overdue by 3 days"; a case that is answered or closed reads its status. */
export function countdownText(t: TFunction, facts: Pick<CaseHeaderFacts, 'urgency' | 'daysLeft' | 'status'>): string {
  switch (facts.urgency) {
    case 'settled':
      return t(`case.status.${facts.status}`);
    case 'overdue':
      return t('case.due.overdue', { count: -facts.daysLeft });
    case 'due-today':
      return t('case.due.today');
    default:
      return t('case.due.left', { count: facts.daysLeft });
  }
}

export function rightsText(t: TFunction, rights: readonly string[]): string {
  return rights.map((right) => t(`case.rights.${right}`)).join(', ');
}

/**
 * The header every card about a case starts with: the title (a new request says so while nobody
 * has decided it), the countdown in words, and who and what the case is about.
 */
export function caseHeaderBlocks(facts: CaseHeaderFacts, t: TFunction, timeZone: string): CardElement[] {
  const subject = facts.subjectName === undefined ? t('case.header.purged') : shownAsText(facts.subjectName, 120);
  const title = facts.isNew
    ? t('case.header.titleNew', { caseId: facts.caseId })
    : t('case.header.title', {
        caseId: facts.caseId,
        subject: facts.subjectName === undefined ? subject : shownAsText(facts.subjectName, 60),
      });
  const style = URGENCY_STYLE[facts.urgency];
  const due = dueDayText(t, facts.dueAt, timeZone);
  return [
    columnSet([
      column([textBlock(title, { size: 'Large', weight: 'Bolder' })], { width: 'stretch' }),
      column([textBlock(countdownText(t, facts), { weight: 'Bolder', horizontalAlignment: 'Right' })], {
        width: 'auto',
        verticalContentAlignment: 'Center',
        ...(style ? { style } : {}),
      }),
    ]),
    factSet([
      {
        title: t('case.header.subject'),
        value: t('case.header.subjectValue', { name: subject, role: t(`case.roles.${facts.subjectRole}`) }),
      },
      { title: t('case.header.rights'), value: rightsText(t, facts.rights) },
      { title: t('case.header.due'), value: facts.extended ? t('case.header.dueExtended', { date: due }) : due },
      { title: t('case.header.status'), value: t(`case.status.${facts.status}`) },
      {
        title: t('case.header.assignee'),
        value: facts.assignee === undefined ? t('case.header.nobody') : shownAsText(facts.assignee, 80),
      },
      { title: t('case.header.filedBy'), value: shownAsText(facts.filedBy, 80) },
    ]),
  ];
}

/** Everything a card about a case is made of besides its header. */
export interface CaseCardParts {
  header: CaseHeaderFacts;
  /** The reader's Teams locale; the header is written in its language. */
  locale: string | undefined;
  /** The organisation's zone, in which the due day is a day. */
  timeZone: string;
  /** What the last press did, above the header. */
  notices?: Notice[];
  body?: CardElement[];
  /** The card's buttons; the primary (the next thing to do for the reader) first. */
  actions?: CardAction[];
  refresh?: CardRefresh;
}

/**
 * The one way a card about a case is put together: notices, the case header, the card's own body
 * and its actions. Every card of a case calls it, so the reader always sees whose case it is, what
 * it asks for, and how long is left.
 */
export function caseCardShell(parts: CaseCardParts): AdaptiveCard {
  const t = translator(parts.locale);
  return adaptiveCard({
    body: [
      ...noticeBlocks(parts.notices ?? []),
      ...caseHeaderBlocks(parts.header, t, parts.timeZone),
      ...(parts.body ?? []),
    ],
    ...(parts.actions ? { actions: parts.actions } : {}),
    ...(parts.refresh ? { refresh: parts.refresh } : {}),
  });
}

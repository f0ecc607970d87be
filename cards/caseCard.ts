import type { TFunction } from 'i18next';
import type { CaseStatus, DsrCase } from '../dsr/case.js';
import { caseHeaderFacts } from '../dsr/caseHeader.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { executeAction, textBlock, type AdaptiveCard, type CardElement } from './adaptive.js';
import { caseCardShell, dueDayText } from './caseHeader.js';
import { shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import type { Notice } from './notices.js';
import { CASE_VERBS } from './verbs.js';

/** The day of an instant in the organisation's zone, in the reader's language. */
export function dayText(t: TFunction, iso: string, timeZone: string): string {
  return dueDayText(t, iso, timeZone);
}

/** What the team reads about how long the case keeps its personal data; empty while the case is open. */
export function retentionText(dsrCase: DsrCase, calendar: OrgCalendar, t: TFunction = translator('en')): string {
  const day = (iso: string) => dayText(t, iso, calendar.timeZone);
  if (dsrCase.purge?.doneAt) return t('case.retention.deleted', { date: day(dsrCase.purge.doneAt) });
  if (dsrCase.purge) return t('case.retention.deleting');
  if (dsrCase.hold) return t('case.retention.held', { date: day(dsrCase.hold.since) });
  if (dsrCase.purgeAfter) return t('case.retention.until', { date: day(dsrCase.purgeAfter) });
  return '';
}

/** Whether the team confirmed who the person is, in words the requester understands. */
export function identityText(dsrCase: DsrCase, t: TFunction, timeZone: string): string {
  if (dsrCase.identityVerified)
    return t('case.identity.verified', { date: dayText(t, dsrCase.identityVerified.at, timeZone) });
  if (dsrCase.pause) return t('case.identity.proofAsked', { date: dayText(t, dsrCase.pause.since, timeZone) });
  return t('case.identity.notYet');
}

const NEXT_STEP: Record<CaseStatus, string> = {
  received: 'case.next.received',
  triage: 'case.next.triage',
  approved: 'case.next.approved',
  declined: 'case.next.declined',
  discovery: 'case.next.discovery',
  actions: 'case.next.actions',
  responded: 'case.next.responded',
  closed: 'case.next.closed',
};

export interface CaseCardOptions {
  /** The reader's Teams locale. */
  locale?: string;
  /** What the reader's last press did, shown above the header and kept through refreshes. */
  notice?: Notice;
  /**
   * Like the triage card (see TriageLiveness in cards/triageCard.ts), a `settled` card carries no
   * refresh: Teams refreshes a card with a refresh section each time it is displayed, so the answer
   * to a refresh of an unchanged case leaves it out, which ends the chain. A live card's refresh
   * names the case version and notice it shows, so that answer can be the very same card.
   */
  liveness?: 'live' | 'settled';
}

/** The case as its requester sees it: the header, whether their identity was confirmed, and what happens next. */
export function caseCard(
  dsrCase: DsrCase,
  now: Date,
  calendar: OrgCalendar,
  options: CaseCardOptions = {},
): AdaptiveCard {
  const t = translator(options.locale);
  const data = { caseId: dsrCase.id, version: dsrCase.version };
  const retention = retentionText(dsrCase, calendar, t);
  const body: CardElement[] = [
    textBlock(t('case.identity.line', { identity: identityText(dsrCase, t, calendar.timeZone) })),
    ...(dsrCase.details && !dsrCase.purge?.doneAt
      ? [textBlock(shownAsText(dsrCase.details, 600), { isSubtle: true, maxLines: 6 })]
      : []),
    ...(retention ? [textBlock(retention, { isSubtle: true })] : []),
    textBlock(t('case.next.title'), { weight: 'Bolder', separator: true }),
    textBlock(t(NEXT_STEP[dsrCase.status])),
  ];
  const refreshData = options.notice ? { ...data, notice: options.notice.text, tone: options.notice.tone } : data;
  return caseCardShell({
    header: caseHeaderFacts(dsrCase, now, calendar),
    locale: options.locale,
    timeZone: calendar.timeZone,
    ...(options.notice ? { notices: [options.notice] } : {}),
    body,
    actions: [executeAction(t('case.actions.refresh'), CASE_VERBS.refresh, { caseId: dsrCase.id })],
    ...(options.liveness === 'settled'
      ? {}
      : { refresh: { action: { type: 'Action.Execute', verb: CASE_VERBS.refresh, data: refreshData } } }),
  });
}

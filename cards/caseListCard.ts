import { isOpen, type DsrCase } from '../dsr/case.js';
import { caseHeaderFacts } from '../dsr/caseHeader.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import {
  adaptiveCard,
  column,
  columnSet,
  container,
  executeAction,
  textBlock,
  type AdaptiveCard,
  type CardElement,
} from './adaptive.js';
import { countdownText, dueDayText, rightsText, URGENCY_STYLE } from './caseHeader.js';
import { shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import { CASE_VERBS } from './verbs.js';

/** A card holds a bounded number of rows; the rest are counted, not dropped silently. */
export const CASE_LIST_LIMIT = 20;

/**
 * One case in a list, once: who, what they ask for and the status in words, and the countdown to its
 * due day (an answered or closed case shows no countdown, its status says it). Selecting the row
 * opens that case's card.
 */
export function caseListRow(
  dsrCase: DsrCase,
  now: Date,
  calendar: OrgCalendar,
  locale: string | undefined,
): CardElement {
  const t = translator(locale);
  const facts = caseHeaderFacts(dsrCase, now, calendar);
  const style = URGENCY_STYLE[facts.urgency];
  const subject = facts.subjectName === undefined ? t('case.header.purged') : shownAsText(facts.subjectName, 60);
  const right = isOpen(dsrCase)
    ? [
        column(
          [
            textBlock(countdownText(t, facts), { weight: 'Bolder' }),
            textBlock(t('caseList.due', { date: dueDayText(t, dsrCase.dueAt, calendar.timeZone) }), {
              isSubtle: true,
              spacing: 'None',
            }),
          ],
          { width: 'auto', ...(style ? { style } : {}) },
        ),
      ]
    : [];
  return container(
    [
      columnSet([
        column(
          [
            textBlock(t('caseList.row', { caseId: dsrCase.id, subject })),
            textBlock(
              t('caseList.detail', { rights: rightsText(t, facts.rights), status: t(`case.status.${facts.status}`) }),
              { isSubtle: true, spacing: 'None' },
            ),
          ],
          { width: 'stretch' },
        ),
        ...right,
      ]),
    ],
    {
      separator: true,
      selectAction: executeAction(t('caseList.open', { caseId: dsrCase.id }), CASE_VERBS.refresh, {
        caseId: dsrCase.id,
      }),
    },
  );
}

/** The cases a person may see, each once, soonest due first, in the reader's language. */
export function caseListCard(
  title: string,
  cases: DsrCase[],
  now: Date,
  calendar: OrgCalendar,
  locale?: string,
): AdaptiveCard {
  const t = translator(locale);
  // Each case once, whatever the listing returned.
  const unique = [...new Map(cases.map((found) => [found.id, found])).values()];
  const shown = unique.slice(0, CASE_LIST_LIMIT);
  const hidden = unique.length - shown.length;
  return adaptiveCard({
    body: [
      textBlock(title, { size: 'Large', weight: 'Bolder' }),
      ...(unique.length === 0 ? [textBlock(t('caseList.empty'))] : []),
      ...shown.map((found) => caseListRow(found, now, calendar, locale)),
      ...(hidden > 0 ? [textBlock(t('caseList.more', { count: hidden }), { isSubtle: true })] : []),
    ],
  });
}

import { CASE_STATUS_LABELS, isOpen, type DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { caseRow, caseRowsElement, type CaseRowView } from './caseRow.js';
import { requestTypesText } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, type CardJson } from './template.js';

/** A card holds a bounded number of rows; the rest are counted, not dropped silently. */
export const CASE_LIST_LIMIT = 20;

interface CaseListView {
  title: string;
  rows: CaseRowView[];
  empty: boolean;
  more: string;
  hasMore: boolean;
}

const template = new CardTemplate<CaseListView>({
  type: 'AdaptiveCard',
  $schema: CARD_SCHEMA,
  version: CARD_VERSION,
  body: [
    { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
    {
      type: 'TextBlock',
      $when: '${empty}',
      text: 'There are no requests here yet. Type "new request" to record one.',
      wrap: true,
    },
    caseRowsElement({ separator: true }),
    { type: 'TextBlock', $when: '${hasMore}', text: '${more}', isSubtle: true, wrap: true },
  ],
});

export function caseListCard(title: string, cases: DsrCase[], now: Date, calendar: OrgCalendar): CardJson {
  const shown = cases.slice(0, CASE_LIST_LIMIT);
  const rows = shown.map((dsrCase) =>
    caseRow(
      dsrCase,
      `${requestTypesText(dsrCase.requestTypes)} · ${CASE_STATUS_LABELS[dsrCase.status]}`,
      now,
      calendar,
      { open: isOpen(dsrCase), closedLabel: CASE_STATUS_LABELS[dsrCase.status] },
    ),
  );
  const hidden = cases.length - shown.length;
  return template.render({
    title,
    rows,
    empty: cases.length === 0,
    more: `${hidden} more not shown; ask for one with "status DSR-…".`,
    hasMore: hidden > 0,
  });
}

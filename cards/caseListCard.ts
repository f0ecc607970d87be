import { CASE_STATUS_LABELS, isOpen, type DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { CASE_REFRESH_VERB } from './caseCard.js';
import { clip, deadlineView, requestTypesText, URGENCY_COLOR } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, type CardJson } from './template.js';

/** A card holds a bounded number of rows; the rest are counted, not dropped silently. */
export const CASE_LIST_LIMIT = 20;

interface CaseRowView {
  id: string;
  subjectName: string;
  requestTypes: string;
  status: string;
  due: string;
  countdown: string;
  color: string;
}

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
    {
      type: 'Container',
      $data: '${rows}',
      separator: true,
      selectAction: { type: 'Action.Execute', verb: CASE_REFRESH_VERB, data: { caseId: '${id}' } },
      items: [
        {
          type: 'ColumnSet',
          columns: [
            {
              type: 'Column',
              width: 'stretch',
              items: [
                { type: 'TextBlock', text: '**${id}** ${subjectName}', wrap: true },
                { type: 'TextBlock', text: '${requestTypes} · ${status}', isSubtle: true, spacing: 'None', wrap: true },
              ],
            },
            {
              type: 'Column',
              width: 'auto',
              items: [
                { type: 'TextBlock', text: '${countdown}', color: '${color}', weight: 'Bolder', wrap: true },
                { type: 'TextBlock', text: 'due ${due}', isSubtle: true, spacing: 'None', wrap: true },
              ],
            },
          ],
        },
      ],
    },
    { type: 'TextBlock', $when: '${hasMore}', text: '${more}', isSubtle: true, wrap: true },
  ],
});

export function caseListCard(title: string, cases: DsrCase[], now: Date, calendar: OrgCalendar): CardJson {
  const shown = cases.slice(0, CASE_LIST_LIMIT);
  const rows = shown.map((dsrCase) => {
    const deadline = deadlineView(dsrCase.dueAt, now, calendar, isOpen(dsrCase));
    return {
      id: dsrCase.id,
      subjectName: clip(dsrCase.subject.name, 60),
      requestTypes: requestTypesText(dsrCase.requestTypes),
      status: CASE_STATUS_LABELS[dsrCase.status],
      due: deadline.dueDay,
      countdown: isOpen(dsrCase) ? deadline.countdown : CASE_STATUS_LABELS[dsrCase.status],
      color: URGENCY_COLOR[deadline.urgency],
    };
  });
  const hidden = cases.length - shown.length;
  return template.render({
    title,
    rows,
    empty: cases.length === 0,
    more: `${hidden} more not shown; ask for one with "status DSR-…".`,
    hasMore: hidden > 0,
  });
}

import type { DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { CASE_REFRESH_VERB } from './verbs.js';
import { deadlineView, URGENCY_COLOR, shownAsText } from './format.js';

/** One case in a list: who, a line of detail, and the colour-coded countdown to its due day. */
export interface CaseRowView {
  id: string;
  subjectName: string;
  detail: string;
  countdown: string;
  color: string;
  due: string;
}

/** The row's template, repeated over `${rows}`; selecting a row opens that case's card. */
export function caseRowsElement(options: { separator: boolean }): Record<string, unknown> {
  return {
    type: 'Container',
    $data: '${rows}',
    separator: options.separator,
    selectAction: { type: 'Action.Execute', title: 'Open ${id}', verb: CASE_REFRESH_VERB, data: { caseId: '${id}' } },
    items: [
      {
        type: 'ColumnSet',
        columns: [
          {
            type: 'Column',
            width: 'stretch',
            items: [
              { type: 'TextBlock', text: '**${id}** ${subjectName}', wrap: true },
              { type: 'TextBlock', text: '${detail}', isSubtle: true, spacing: 'None', wrap: true },
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
  };
}

/** A closed case shows its status where an open one counts down. */
export function caseRow(
  dsrCase: DsrCase,
  detail: string,
  now: Date,
  calendar: OrgCalendar,
  options: { open: boolean; closedLabel?: string },
): CaseRowView {
  const deadline = deadlineView(dsrCase.dueAt, now, calendar, options.open);
  return {
    id: dsrCase.id,
    subjectName: shownAsText(dsrCase.subject.name, 60),
    detail,
    countdown: options.open ? deadline.countdown : (options.closedLabel ?? deadline.countdown),
    color: URGENCY_COLOR[deadline.urgency],
    due: deadline.dueDay,
  };
}

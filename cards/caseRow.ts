import type { TFunction } from 'i18next';
import type { DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { CASE_REFRESH_VERB } from './verbs.js';
import type { ContainerStyle } from './adaptive.js';
import { deadlineView, shownAsText, type Urgency } from './format.js';

/** Late cases on the attention tint, those due within the week on the warning tint, the rest untinted. */
const URGENCY_TINT: Record<Urgency, ContainerStyle> = {
  attention: 'attention',
  warning: 'warning',
  good: 'default',
  default: 'default',
};

/** One case in a list: who, a line of detail, and the colour-coded countdown to its due day. */
export interface CaseRowView {
  id: string;
  subjectName: string;
  detail: string;
  countdown: string;
  /**
   * The tint the countdown sits on, its text in the default colour: Teams' Good and Warning text
   * fail WCAG AA in the light theme and Attention in the dark (see cards/caseHeader.ts).
   */
  style: ContainerStyle;
  due: string;
}

/**
 * The row's template in the language of `t`, repeated over `${rows}`; selecting a row opens that
 * case's card. The words are the list card's (caseList.open, caseList.due), with bindings as values.
 */
export function caseRowsElement(t: TFunction, options: { separator: boolean }): Record<string, unknown> {
  return {
    type: 'Container',
    $data: '${rows}',
    separator: options.separator,
    selectAction: {
      type: 'Action.Execute',
      title: t('caseList.open', { caseId: '${id}' }),
      verb: CASE_REFRESH_VERB,
      data: { caseId: '${id}' },
    },
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
            style: '${style}',
            items: [
              { type: 'TextBlock', text: '${countdown}', weight: 'Bolder', wrap: true },
              {
                type: 'TextBlock',
                text: t('caseList.due', { date: '${due}' }),
                isSubtle: true,
                spacing: 'None',
                wrap: true,
              },
            ],
          },
        ],
      },
    ],
  };
}

/** A closed case shows its status where an open one counts down; the countdown and day in the language of `t`. */
export function caseRow(
  dsrCase: DsrCase,
  detail: string,
  now: Date,
  calendar: OrgCalendar,
  options: { open: boolean; closedLabel?: string; t?: TFunction },
): CaseRowView {
  const deadline = deadlineView(dsrCase.dueAt, now, calendar, options.open, options.t);
  return {
    id: dsrCase.id,
    subjectName: shownAsText(dsrCase.subject.name, 60),
    detail,
    countdown: options.open ? deadline.countdown : (options.closedLabel ?? deadline.countdown),
    style: URGENCY_TINT[deadline.urgency],
    due: deadline.dueDay,
  };
}

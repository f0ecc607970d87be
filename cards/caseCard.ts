import {
  CASE_STATUS_LABELS,
  IDENTITY_CHECK_LABELS,
  isOpen,
  SUBJECT_ROLE_LABELS,
  type CaseStatus,
  type DsrCase,
} from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { deadlineView, formatDay, formatInstant, requestTypesText, URGENCY_COLOR, shownAsText } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, executeAction, type CardJson } from './template.js';

import { CASE_REFRESH_VERB } from './verbs.js';

const NEXT_STEP: Record<CaseStatus, string> = {
  received: 'The privacy team has been told. They will check the identity and the request, then approve or decline it.',
  triage: 'The privacy team is reviewing the request.',
  approved: 'Approved. The privacy team will now look for the person’s data in every system.',
  declined: 'The privacy team declined the request; the reason was recorded.',
  discovery: 'The privacy team is finding the person’s data across the systems.',
  actions: 'The privacy team is carrying out the request, system by system.',
  responded: 'The person has been answered.',
  closed: 'This case is closed.',
};

interface CaseCardView {
  id: string;
  title: string;
  subjectName: string;
  role: string;
  requestTypes: string;
  regulation: string;
  received: string;
  due: string;
  countdown: string;
  countdownColor: string;
  status: string;
  identity: string;
  assignee: string;
  nextStep: string;
  details: string;
  hasDetails: boolean;
  version: number;
}

/**
 * The title with its colour-coded countdown and the case's facts: the top of every card about a
 * case, whoever it is for. `identity` is the fact's binding, so each card can word it its own way.
 */
export function caseSummary(titleBinding: string, identityBinding = '${identity}'): CardJson[] {
  return [
    {
      type: 'ColumnSet',
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          items: [{ type: 'TextBlock', text: titleBinding, size: 'Large', weight: 'Bolder', wrap: true }],
        },
        {
          type: 'Column',
          width: 'auto',
          items: [
            {
              type: 'TextBlock',
              text: '${countdown}',
              color: '${countdownColor}',
              weight: 'Bolder',
              horizontalAlignment: 'Right',
              wrap: true,
            },
          ],
        },
      ],
    },
    {
      type: 'FactSet',
      facts: [
        { title: 'Case', value: '${id}' },
        { title: 'Data subject', value: '${subjectName} (${role})' },
        { title: 'Asks for', value: '${requestTypes}' },
        { title: 'Regulation', value: '${regulation}' },
        { title: 'Received', value: '${received}' },
        { title: 'Due', value: '${due}' },
        { title: 'Status', value: '${status}' },
        { title: 'Identity', value: identityBinding },
        { title: 'Assigned to', value: '${assignee}' },
      ],
    },
  ];
}

const template = new CardTemplate<CaseCardView>({
  type: 'AdaptiveCard',
  $schema: CARD_SCHEMA,
  version: CARD_VERSION,
  refresh: {
    action: { type: 'Action.Execute', verb: CASE_REFRESH_VERB, data: { caseId: '${id}', version: '${version}' } },
  },
  body: [
    ...caseSummary('${title}'),
    { type: 'TextBlock', $when: '${hasDetails}', text: '${details}', wrap: true, isSubtle: true, maxLines: 6 },
    { type: 'TextBlock', text: 'What happens next', weight: 'Bolder', separator: true, wrap: true },
    { type: 'TextBlock', text: '${nextStep}', wrap: true },
  ],
  actions: [executeAction('Refresh', CASE_REFRESH_VERB, { caseId: '${id}' })],
});

/** What the team reads about how long the case keeps its personal data; empty while the case is open. */
export function retentionText(dsrCase: DsrCase, calendar: OrgCalendar): string {
  if (dsrCase.purge?.doneAt)
    return `The personal data of this case was deleted on ${formatDay(dsrCase.purge.doneAt, calendar)}.`;
  if (dsrCase.purge) return 'The personal data of this case is being deleted.';
  if (dsrCase.hold)
    return `The personal data of this case is kept under a legal hold since ${formatDay(dsrCase.hold.since, calendar)}.`;
  if (dsrCase.purgeAfter)
    return `The personal data of this case will be deleted on ${formatDay(dsrCase.purgeAfter, calendar)}.`;
  return '';
}

export function caseCardView(dsrCase: DsrCase, now: Date, calendar: OrgCalendar, title?: string): CaseCardView {
  const deadline = deadlineView(dsrCase.dueAt, now, calendar, isOpen(dsrCase));
  const subjectName = dsrCase.purge?.doneAt ? 'Deleted after the retention period' : dsrCase.subject.name;
  return {
    id: dsrCase.id,
    title: title ?? `${dsrCase.id}: ${shownAsText(subjectName, 60)}`,
    subjectName: shownAsText(subjectName, 120),
    role: SUBJECT_ROLE_LABELS[dsrCase.subject.role].toLowerCase(),
    requestTypes: requestTypesText(dsrCase.requestTypes),
    regulation: dsrCase.regulation,
    received: formatInstant(dsrCase.receivedAt, calendar),
    due: `${deadline.dueDay}${dsrCase.extension ? ' (extended)' : ''}`,
    countdown: isOpen(dsrCase) ? deadline.countdown : CASE_STATUS_LABELS[dsrCase.status],
    countdownColor: URGENCY_COLOR[deadline.urgency],
    status: CASE_STATUS_LABELS[dsrCase.status],
    identity: IDENTITY_CHECK_LABELS[dsrCase.identityCheck],
    assignee: dsrCase.assignee ? shownAsText(dsrCase.assignee.name, 80) : 'Nobody yet',
    nextStep: NEXT_STEP[dsrCase.status],
    details: shownAsText(dsrCase.details, 600),
    hasDetails: dsrCase.details.length > 0,
    version: dsrCase.version,
  };
}

/**
 * The case as its requester sees it: the facts, the deadline and what happens next. Like the
 * triage card (see TriageLiveness in cards/triageCard.ts), a `settled` card carries no refresh:
 * Teams refreshes a card with a refresh section each time it is displayed, so the answer to a
 * refresh of an unchanged case leaves it out, which ends the chain. A live card's refresh names
 * the case version and title it shows, so that answer can be the very same card.
 */
export function caseCard(
  dsrCase: DsrCase,
  now: Date,
  calendar: OrgCalendar,
  title?: string,
  liveness: 'live' | 'settled' = 'live',
): CardJson {
  const card = template.render(caseCardView(dsrCase, now, calendar, title));
  const refresh = card.refresh as { action: { data: Record<string, unknown> } };
  if (liveness === 'settled') delete card.refresh;
  else if (title) refresh.action.data = { ...refresh.action.data, title };
  return card;
}

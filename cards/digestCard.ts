import { SHORT_HASH, shortHead, type AuditHead } from '../dsr/audit.js';
import type { DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { caseRow, caseRowsElement, type CaseRowView } from './caseRow.js';
import { shownAsText } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, type CardJson } from './template.js';

const SECTION_LIMIT = 15;

interface SectionView {
  title: string;
  rows: CaseRowView[];
  more: string;
  hasMore: boolean;
}

interface DigestView {
  title: string;
  summary: string;
  sections: SectionView[];
  unreachable: string;
  hasUnreachable: boolean;
  auditHead: string;
  hasAuditHead: boolean;
}

const template = new CardTemplate<DigestView>({
  type: 'AdaptiveCard',
  $schema: CARD_SCHEMA,
  version: CARD_VERSION,
  body: [
    { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text: '${summary}', wrap: true, spacing: 'None' },
    {
      type: 'Container',
      $data: '${sections}',
      separator: true,
      items: [
        { type: 'TextBlock', text: '${title}', weight: 'Bolder', wrap: true },
        caseRowsElement({ separator: false }),
        { type: 'TextBlock', $when: '${hasMore}', text: '${more}', isSubtle: true, wrap: true },
      ],
    },
    {
      type: 'TextBlock',
      $when: '${hasUnreachable}',
      text: '${unreachable}',
      color: 'Attention',
      wrap: true,
      separator: true,
    },
    { type: 'TextBlock', $when: '${hasAuditHead}', text: '${auditHead}', isSubtle: true, size: 'Small', wrap: true },
  ],
});

export interface DigestInput {
  day: string;
  overdue: DsrCase[];
  dueSoon: DsrCase[];
  waitingForApproval: DsrCase[];
  /** What could not be delivered since the last digest, each in plain words ("Adele Vance has blocked the app"). */
  unreachable: string[];
  /**
   * The audit trail's head that day: posted in the channel, Teams' history keeps the trail's
   * length over time outside the bot's storage.
   */
  auditHead?: AuditHead;
}

/** The privacy channel's one card a day: what is late, what is due soon, what waits for a decision. */
export function digestCard(input: DigestInput, now: Date, calendar: OrgCalendar): CardJson {
  const row = (dsrCase: DsrCase): CaseRowView =>
    caseRow(
      dsrCase,
      dsrCase.assignee ? `Assigned to ${shownAsText(dsrCase.assignee.name, 60)}` : 'Not assigned',
      now,
      calendar,
      { open: true },
    );
  const section = (title: string, cases: DsrCase[]): SectionView => ({
    title: `${title} (${cases.length})`,
    rows: cases.slice(0, SECTION_LIMIT).map(row),
    more: `${cases.length - SECTION_LIMIT} more not shown.`,
    hasMore: cases.length > SECTION_LIMIT,
  });
  const sections = [
    section('Overdue', input.overdue),
    section('Due soon', input.dueSoon),
    section('Waiting for approval', input.waitingForApproval),
  ].filter((s) => s.rows.length > 0);
  return template.render({
    title: `Data subject requests: ${input.day}`,
    summary:
      sections.length === 0
        ? 'Nothing is overdue, due soon or waiting for approval.'
        : `${input.overdue.length} overdue, ${input.dueSoon.length} due soon, ${input.waitingForApproval.length} waiting for approval.`,
    sections,
    unreachable: `Not delivered, and not tried again until they talk to the bot: ${input.unreachable.map((line) => shownAsText(line, 120)).join('; ')}.`,
    hasUnreachable: input.unreachable.length > 0,
    auditHead: input.auditHead
      ? `Audit trail head: ${shortHead(input.auditHead)}. To check later that nothing was cut off: verify audit ${input.auditHead.seq} ${input.auditHead.hash.slice(0, SHORT_HASH)}`
      : '',
    hasAuditHead: input.auditHead !== undefined,
  });
}

import { SHORT_HASH, shortHead, type AuditHead } from '../dsr/audit.js';
import type { DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { caseRow, caseRowsElement, type CaseRowView } from './caseRow.js';
import { fullestThatFits } from './cardSize.js';
import { shownAsText } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, type CardJson } from './template.js';

/**
 * Cases listed per section, from the most to the fewest: the digest folds to fewer rows until it
 * fits Teams' message size (see cardSize.ts); the rest of a section is counted and found on the
 * dashboard, where every case is.
 */
const SECTION_LIMITS = [15, 10, 6, 3] as const;
/** Undelivered notes listed; the rest are counted. */
const UNREACHABLE_LIMIT = 10;

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
  const section = (title: string, cases: DsrCase[], limit: number): SectionView => ({
    title: `${title} (${cases.length})`,
    rows: cases.slice(0, limit).map(row),
    more: `…and ${cases.length - limit} more: open the dashboard tab to see every case.`,
    hasMore: cases.length > limit,
  });
  const unreachable = input.unreachable.slice(0, UNREACHABLE_LIMIT).map((line) => shownAsText(line, 120));
  const unreachableMore = input.unreachable.length - unreachable.length;
  return fullestThatFits(SECTION_LIMITS, (limit) => {
    const sections = [
      section('Overdue', input.overdue, limit),
      section('Due soon', input.dueSoon, limit),
      section('Waiting for approval', input.waitingForApproval, limit),
    ].filter((s) => s.rows.length > 0);
    return template.render({
      title: `Data subject requests: ${input.day}`,
      summary:
        sections.length === 0
          ? 'Nothing is overdue, due soon or waiting for approval.'
          : `${input.overdue.length} overdue, ${input.dueSoon.length} due soon, ${input.waitingForApproval.length} waiting for approval.`,
      sections,
      unreachable: `Not delivered, and not tried again until they talk to the bot: ${unreachable.join('; ')}${unreachableMore > 0 ? `; and ${unreachableMore} more` : ''}.`,
      hasUnreachable: input.unreachable.length > 0,
      auditHead: input.auditHead
        ? `Audit trail head: ${shortHead(input.auditHead)}. To check later that nothing was cut off: verify audit ${input.auditHead.seq} ${input.auditHead.hash.slice(0, SHORT_HASH)}`
        : '',
      hasAuditHead: input.auditHead !== undefined,
    });
  });
}

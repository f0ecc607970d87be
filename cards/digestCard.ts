import type { TFunction } from 'i18next';
import { SHORT_HASH, shortHead, type AuditHead } from '../dsr/audit.js';
import type { DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { caseRow, caseRowsElement, type CaseRowView } from './caseRow.js';
import { fullestThatFits } from './cardSize.js';
import { shownAsText } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, type CardJson } from './template.js';
import { translator } from '../i18n/index.js';

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

/** The digest in one language: its words from the catalogue, its values from the view model. */
function digestTemplate(t: TFunction): CardTemplate<DigestView> {
  return new CardTemplate<DigestView>({
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
          caseRowsElement(t, { separator: false }),
          { type: 'TextBlock', $when: '${hasMore}', text: '${more}', isSubtle: true, wrap: true },
        ],
      },
      {
        // On the attention tint in the default text colour, which reads in every Teams theme.
        type: 'Container',
        $when: '${hasUnreachable}',
        style: 'attention',
        separator: true,
        items: [{ type: 'TextBlock', text: '${unreachable}', wrap: true }],
      },
      { type: 'TextBlock', $when: '${hasAuditHead}', text: '${auditHead}', isSubtle: true, size: 'Small', wrap: true },
    ],
  });
}

/** Each language's digest parsed once, on first use. */
const templates = new Map<string, CardTemplate<DigestView>>();

function templateFor(locale: string | undefined, t: TFunction): CardTemplate<DigestView> {
  const key = locale ?? '';
  let template = templates.get(key);
  if (!template) {
    template = digestTemplate(t);
    templates.set(key, template);
  }
  return template;
}

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

/**
 * The privacy channel's one card a day: what is late, what is due soon, what waits for a decision.
 * A channel has no locale of its own (Teams sends one per person, with their turns), so the digest
 * reads in English unless the caller names a language, such as one the organisation configures.
 */
export function digestCard(input: DigestInput, now: Date, calendar: OrgCalendar, locale?: string): CardJson {
  const t = translator(locale);
  const row = (dsrCase: DsrCase): CaseRowView =>
    caseRow(
      dsrCase,
      dsrCase.assignee
        ? t('digest.assigned', { name: shownAsText(dsrCase.assignee.name, 60) })
        : t('digest.notAssigned'),
      now,
      calendar,
      { open: true, t },
    );
  const section = (key: string, cases: DsrCase[], limit: number): SectionView => ({
    title: t(`digest.sections.${key}`, { count: cases.length }),
    rows: cases.slice(0, limit).map(row),
    more: t('digest.more', { count: cases.length - limit }),
    hasMore: cases.length > limit,
  });
  const unreachable = input.unreachable.slice(0, UNREACHABLE_LIMIT).map((line) => shownAsText(line, 120));
  const unreachableMore = input.unreachable.length - unreachable.length;
  const list = unreachable.join('; ');
  return fullestThatFits(SECTION_LIMITS, (limit) => {
    const sections = [
      section('overdue', input.overdue, limit),
      section('dueSoon', input.dueSoon, limit),
      section('waiting', input.waitingForApproval, limit),
    ].filter((s) => s.rows.length > 0);
    return templateFor(locale, t).render({
      title: t('digest.title', { day: input.day }),
      summary:
        sections.length === 0
          ? t('digest.nothing')
          : t('digest.summary', {
              overdue: input.overdue.length,
              dueSoon: input.dueSoon.length,
              waiting: input.waitingForApproval.length,
            }),
      sections,
      unreachable:
        unreachableMore > 0
          ? t('digest.unreachableMore', { list, count: unreachableMore })
          : t('digest.unreachable', { list }),
      hasUnreachable: input.unreachable.length > 0,
      auditHead: input.auditHead
        ? t('digest.auditHead', {
            head: shortHead(input.auditHead),
            seq: input.auditHead.seq,
            hash: input.auditHead.hash.slice(0, SHORT_HASH),
          })
        : '',
      hasAuditHead: input.auditHead !== undefined,
    });
  });
}

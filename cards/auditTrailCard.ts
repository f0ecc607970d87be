import type { TFunction } from 'i18next';
import { clip } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, type CardJson } from './template.js';

/** Turns to another page of a case's trail. */
export const AUDIT_PAGE_VERB = 'audit.page';

/** Events per page: a page reads at a glance in a chat, and "Next page" shows the rest. */
export const AUDIT_PAGE_SIZE = 15;

export interface TrailLineView {
  time: string;
  sentence: string;
}

export interface AuditTrailView {
  caseId: string;
  /** 1-based. */
  page: number;
  pages: number;
  total: number;
  lines: TrailLineView[];
}

/** One page of a case's audit trail in words, oldest first, with buttons to the pages beside it. */
export function auditTrailCard(view: AuditTrailView, t: TFunction): CardJson {
  const { caseId, page, pages } = view;
  const actions: CardJson[] = [];
  if (page > 1) actions.push(executeAction(t('audit.previous'), AUDIT_PAGE_VERB, { caseId, page: page - 1 }));
  if (page < pages)
    actions.push(executeAction(t('audit.next'), AUDIT_PAGE_VERB, { caseId, page: page + 1 }, 'positive'));
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [
      { type: 'TextBlock', text: t('audit.title', { caseId }), size: 'Large', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: t('audit.pageOf', { page, pages, count: view.total }),
        isSubtle: true,
        spacing: 'None',
        wrap: true,
      },
      ...view.lines.map((line) => ({
        type: 'Container',
        separator: true,
        items: [
          { type: 'TextBlock', text: line.time, isSubtle: true, size: 'Small', wrap: true },
          // A refusal reads as one in its words ("… and was refused: …"), so no colour has to carry it.
          { type: 'TextBlock', text: clip(line.sentence, 400), spacing: 'None', wrap: true },
        ],
      })),
    ],
    ...(actions.length > 0 ? { actions } : {}),
  };
}

import type { TFunction } from 'i18next';
import { adaptiveCard, container, executeAction, textBlock, type AdaptiveCard, type CardAction } from './adaptive.js';
import { clip } from './format.js';
import { AUDIT_VERBS } from './verbs.js';

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
export function auditTrailCard(view: AuditTrailView, t: TFunction): AdaptiveCard {
  const { caseId, page, pages } = view;
  const actions: CardAction[] = [];
  // The next page is the next thing to read, so it is the positive one.
  if (page < pages)
    actions.push(executeAction(t('audit.next'), AUDIT_VERBS.page, { caseId, page: page + 1 }, 'positive'));
  if (page > 1) actions.push(executeAction(t('audit.previous'), AUDIT_VERBS.page, { caseId, page: page - 1 }));
  return adaptiveCard({
    body: [
      textBlock(t('audit.title', { caseId }), { size: 'Large', weight: 'Bolder' }),
      textBlock(t('audit.pageOf', { page, pages, count: view.total }), { isSubtle: true, spacing: 'None' }),
      ...view.lines.map((line) =>
        container(
          [
            textBlock(line.time, { isSubtle: true, size: 'Small' }),
            // A refusal reads as one in its words ("… and was refused: …"), so no colour has to carry it.
            textBlock(clip(line.sentence, 400), { spacing: 'None' }),
          ],
          { separator: true },
        ),
      ),
    ],
    actions,
  });
}

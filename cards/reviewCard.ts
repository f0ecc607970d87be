import type { TFunction } from 'i18next';
import type { DsrCase } from '../dsr/case.js';
import { caseHeaderFacts } from '../dsr/caseHeader.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import {
  EXCLUSION_GROUNDS,
  REDACTION_TEXT_MAX_LENGTH,
  REVIEW_NOTE_MAX_LENGTH,
  reviewHash,
  subjectLinkOpen,
} from '../dsr/packageReview.js';
import type { SnapshotIndex, SnapshotRecord } from '../dsr/runs/reviewSnapshot.js';
import {
  actionSet,
  choiceSetInput,
  container,
  executeAction,
  factSet,
  inputId,
  showCardAction,
  textBlock,
  textInput,
  type CardAction,
  type CardElement,
} from './adaptive.js';
import { caseCardShell } from './caseHeader.js';
import { clip, formatInstant, shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import type { CardJson } from './template.js';
import { PLAN_VERBS, REVIEW_VERBS } from './verbs.js';

export { REVIEW_VERBS };

/**
 * Records shown per page. A record shows at most FIELDS_SHOWN fields of VALUE_CHARS characters,
 * which keeps a page well under the 28 KB Teams allows a bot message (REFERENCE.md, Teams limits).
 */
export const REVIEW_PAGE_SIZE = 5;
const FIELDS_SHOWN = 14;
const VALUE_CHARS = 240;
/** Systems and kinds offered in the picker; a person's package has a handful. */
const SOURCES_SHOWN = 40;

export interface ReviewCardInput {
  dsrCase: DsrCase;
  index: SnapshotIndex;
  source: number;
  page: number;
  records: SnapshotRecord[];
  now: Date;
  calendar: OrgCalendar;
  notice?: string;
  /** The reader's Teams locale. */
  locale?: string | undefined;
  /**
   * Whether the reader may respond now (`allowedActions` in dsr/): once the package is released and
   * nothing else is open, the response is the next thing to do, offered on this card.
   */
  respond?: boolean;
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return '';
  return clip(typeof value === 'string' ? value : JSON.stringify(value), VALUE_CHARS);
}

/** Fields a reader cares about: the OData annotations say nothing about the person. */
function visibleFields(record: Record<string, unknown>): string[] {
  return Object.keys(record).filter((key) => !key.startsWith('@odata') && !key.includes('@OData'));
}

function recordBlock(
  input: ReviewCardInput,
  item: SnapshotRecord,
  position: number,
  locked: boolean,
  t: TFunction,
): CardElement {
  const review = input.dsrCase.review!;
  const data = {
    caseId: input.dsrCase.id,
    version: input.dsrCase.version,
    recordId: item.recordId,
    source: input.source,
    page: input.page,
  };
  const scope = String(position);
  const exclusion = review.exclusions.find((e) => e.recordId === item.recordId);
  const redactions = review.redactions.filter((r) => r.recordId === item.recordId);
  const fields = visibleFields(item.record);
  const state = exclusion
    ? exclusion.note
      ? t('review.withheldNote', {
          ground: t(`review.grounds.${exclusion.ground}`),
          note: shownAsText(exclusion.note, 200),
        })
      : t('review.withheldState', { ground: t(`review.grounds.${exclusion.ground}`) })
    : redactions.length > 0
      ? t('review.redactedState', {
          redactions: redactions
            .map((r) =>
              r.text === null
                ? t('review.wholeValue', { field: shownAsText(r.field, 60) })
                : t('review.passageIn', { passage: shownAsText(r.text, 60), field: shownAsText(r.field, 60) }),
            )
            .join('; '),
        })
      : t('review.included');
  const actions: CardAction[] = [];
  if (!locked && !exclusion) {
    actions.push(
      showCardAction(
        t('review.withhold'),
        [
          choiceSetInput({
            id: inputId('ground', scope),
            label: t('review.ground'),
            isRequired: true,
            errorMessage: t('review.groundMissing'),
            choices: EXCLUSION_GROUNDS.map((g) => ({ title: t(`review.grounds.${g}`), value: g })),
          }),
          textInput({
            id: inputId('note', scope),
            label: t('review.note'),
            maxLength: REVIEW_NOTE_MAX_LENGTH,
            isMultiline: true,
          }),
        ],
        [executeAction(t('review.withholdThis'), REVIEW_VERBS.exclude, data, 'destructive')],
      ),
    );
    const textFields = fields.filter((f) => typeof item.record[f] === 'string' && item.record[f] !== '');
    if (textFields.length > 0) {
      actions.push(
        showCardAction(
          t('review.redact'),
          [
            choiceSetInput({
              id: inputId('field', scope),
              label: t('review.field'),
              isRequired: true,
              errorMessage: t('review.fieldMissing'),
              choices: textFields.slice(0, FIELDS_SHOWN).map((f) => ({ title: f, value: f })),
            }),
            textInput({
              id: inputId('passage', scope),
              label: t('review.passage'),
              maxLength: REDACTION_TEXT_MAX_LENGTH,
            }),
          ],
          [executeAction(t('review.redact'), REVIEW_VERBS.redact, data)],
        ),
      );
    }
  }
  if (!locked && (exclusion || redactions.length > 0))
    actions.push(executeAction(t('review.undo'), REVIEW_VERBS.undo, data));
  return container(
    [
      textBlock(
        t('review.record', {
          number: input.page * REVIEW_PAGE_SIZE + position + 1,
          recordId: shownAsText(item.recordId),
        }),
      ),
      // The state is in words; it needs no colour of its own (see cards/README.md, Colours).
      textBlock(state, { size: 'Small', ...(exclusion || redactions.length > 0 ? { weight: 'Bolder' } : {}) }),
      ...(exclusion
        ? []
        : [factSet(fields.slice(0, FIELDS_SHOWN).map((f) => ({ title: clip(f, 60), value: shown(item.record[f]) })))]),
      ...(fields.length > FIELDS_SHOWN
        ? [
            textBlock(t('review.moreFields', { count: fields.length - FIELDS_SHOWN }), {
              isSubtle: true,
              size: 'Small',
            }),
          ]
        : []),
      ...(actions.length > 0 ? [actionSet(actions)] : []),
    ],
    { separator: true },
  );
}

function statusText(input: ReviewCardInput, t: TFunction): string {
  const review = input.dsrCase.review!;
  const { calendar, now } = input;
  const redacted = new Set(review.redactions.map((r) => r.recordId)).size;
  const counts = t('review.counts', { count: review.records, withheld: review.exclusions.length, redacted });
  const release = review.release;
  if (release) {
    const link = release.revokedAt
      ? t('review.linkRevoked', { at: formatInstant(release.revokedAt, calendar, t) })
      : subjectLinkOpen(release, now)
        ? t('review.linkOpen', { at: formatInstant(release.expiresAt, calendar, t) })
        : t('review.linkExpired', { at: formatInstant(release.expiresAt, calendar, t) });
    return `${counts} ${t('review.released', { at: formatInstant(release.at, calendar, t) })} ${link}`;
  }
  if (review.approval) return `${counts} ${t('review.approved')}`;
  if (review.submitted) return `${counts} ${t('review.submitted')}`;
  return `${counts} ${t('review.notReviewed')}`;
}

/**
 * The review of the package before release, one system and kind at a time, a page of records
 * each: every record can be withheld on a ground or have a passage redacted. Another officer
 * approves the result; only then is it released to the person. The case header is on top, and
 * the next thing to do (review done, approve, release) is the positive action.
 */
export function reviewCard(input: ReviewCardInput): CardJson {
  const { dsrCase, index } = input;
  const t = translator(input.locale);
  const review = dsrCase.review!;
  const locked = review.release !== undefined;
  const source = index.sources[input.source];
  const total = source?.records ?? 0;
  const pages = Math.max(1, Math.ceil(total / REVIEW_PAGE_SIZE));
  const base = { caseId: dsrCase.id, version: dsrCase.version };
  const at = (page: number, sourceIndex = input.source) => ({ ...base, source: sourceIndex, page });
  const paging: CardAction[] = [];
  if (input.page > 0) paging.push(executeAction(t('review.previous'), REVIEW_VERBS.show, at(input.page - 1)));
  if (input.page + 1 < pages) paging.push(executeAction(t('review.next'), REVIEW_VERBS.show, at(input.page + 1)));
  const decisions: CardAction[] = [];
  if (input.respond) decisions.push(executeAction(t('plan.actions.respond'), PLAN_VERBS.respond, base, 'positive'));
  if (!locked && !review.submitted)
    decisions.push(executeAction(t('review.submit'), REVIEW_VERBS.submit, at(input.page), 'positive'));
  if (!locked && review.submitted && !review.approval)
    decisions.push(
      executeAction(
        t('review.approve'),
        REVIEW_VERBS.approve,
        { ...at(input.page), hash: reviewHash(review) },
        'positive',
      ),
    );
  if (!locked && review.approval)
    decisions.push(executeAction(t('review.release'), REVIEW_VERBS.release, at(input.page), 'positive'));
  if (review.release && !review.release.revokedAt)
    decisions.push(executeAction(t('review.revoke'), REVIEW_VERBS.revoke, at(input.page), 'destructive'));
  decisions.push(executeAction(t('review.back'), PLAN_VERBS.show, base));
  return caseCardShell({
    header: caseHeaderFacts(dsrCase, input.now, input.calendar),
    locale: input.locale,
    timeZone: input.calendar.timeZone,
    notices: input.notice ? [{ tone: 'info', text: input.notice }] : [],
    body: [
      textBlock(t('review.title', { caseId: dsrCase.id }), { size: 'Medium', weight: 'Bolder', separator: true }),
      textBlock(statusText(input, t), { isSubtle: true }),
      choiceSetInput({
        id: 'source',
        label: t('review.sourceLabel'),
        value: String(input.source),
        choices: index.sources.slice(0, SOURCES_SHOWN).map((s, i) => ({
          title: clip(`${s.systemName} · ${s.kind} (${s.records})`, 120),
          value: String(i),
        })),
      }),
      actionSet([executeAction(t('review.show'), REVIEW_VERBS.show, { ...base, page: 0 })]),
      textBlock(
        source
          ? t('review.sourcePage', {
              system: clip(source.systemName, 100),
              kind: clip(source.kind, 60),
              page: input.page + 1,
              pages,
            })
          : t('review.empty'),
        { weight: 'Bolder' },
      ),
      ...input.records.map((item, i) => recordBlock(input, item, i, locked, t)),
      ...(paging.length > 0 ? [actionSet(paging)] : []),
    ],
    actions: decisions,
  });
}

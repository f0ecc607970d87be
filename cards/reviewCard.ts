import type { DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { counted } from '../dsr/counted.js';
import {
  EXCLUSION_GROUND_LABELS,
  EXCLUSION_GROUNDS,
  REDACTION_TEXT_MAX_LENGTH,
  REVIEW_NOTE_MAX_LENGTH,
  reviewHash,
  subjectLinkOpen,
} from '../dsr/packageReview.js';
import type { SnapshotIndex, SnapshotRecord } from '../dsr/reviewSnapshot.js';
import { clip, formatInstant, noticeBlock } from './format.js';
import { PLAN_VERBS } from './verbs.js';
import { REVIEW_VERBS } from './verbs.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, inputId, type CardJson } from './template.js';

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
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return '';
  return clip(typeof value === 'string' ? value : JSON.stringify(value), VALUE_CHARS);
}

/** Fields a reader cares about: the OData annotations say nothing about the person. */
function visibleFields(record: Record<string, unknown>): string[] {
  return Object.keys(record).filter((key) => !key.startsWith('@odata') && !key.includes('@OData'));
}

function recordBlock(input: ReviewCardInput, item: SnapshotRecord, position: number, locked: boolean): CardJson {
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
    ? `Withheld: ${EXCLUSION_GROUND_LABELS[exclusion.ground]}${exclusion.note ? ` (${clip(exclusion.note, 200)})` : ''}`
    : redactions.length > 0
      ? `Redacted: ${redactions.map((r) => (r.text === null ? `${r.field} (whole value)` : `"${clip(r.text, 60)}" in ${r.field}`)).join('; ')}`
      : 'Included as it is.';
  const actions: CardJson[] = [];
  if (!locked && !exclusion) {
    actions.push({
      type: 'Action.ShowCard',
      title: 'Withhold',
      card: {
        type: 'AdaptiveCard',
        body: [
          {
            type: 'Input.ChoiceSet',
            id: inputId('ground', scope),
            label: 'Ground',
            isRequired: true,
            errorMessage: 'Choose a ground.',
            choices: EXCLUSION_GROUNDS.map((g) => ({ title: EXCLUSION_GROUND_LABELS[g], value: g })),
          },
          {
            type: 'Input.Text',
            id: inputId('note', scope),
            label: 'Note for the team (optional; never sent to the person)',
            maxLength: REVIEW_NOTE_MAX_LENGTH,
            isMultiline: true,
          },
        ],
        actions: [executeAction('Withhold this record', REVIEW_VERBS.exclude, data, 'destructive')],
      },
    });
    const textFields = fields.filter((f) => typeof item.record[f] === 'string' && item.record[f] !== '');
    if (textFields.length > 0) {
      actions.push({
        type: 'Action.ShowCard',
        title: 'Redact',
        card: {
          type: 'AdaptiveCard',
          body: [
            {
              type: 'Input.ChoiceSet',
              id: inputId('field', scope),
              label: 'Field',
              isRequired: true,
              errorMessage: 'Choose a field.',
              choices: textFields.slice(0, FIELDS_SHOWN).map((f) => ({ title: f, value: f })),
            },
            {
              type: 'Input.Text',
              id: inputId('passage', scope),
              label: 'Text to redact, such as a name (empty: the whole value)',
              maxLength: REDACTION_TEXT_MAX_LENGTH,
            },
          ],
          actions: [executeAction('Redact', REVIEW_VERBS.redact, data)],
        },
      });
    }
  }
  if (!locked && (exclusion || redactions.length > 0)) actions.push(executeAction('Undo', REVIEW_VERBS.undo, data));
  return {
    type: 'Container',
    separator: true,
    items: [
      {
        type: 'TextBlock',
        text: `**Record ${input.page * REVIEW_PAGE_SIZE + position + 1}** · ${item.recordId}`,
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: state,
        wrap: true,
        size: 'Small',
        color: exclusion ? 'Attention' : redactions.length > 0 ? 'Warning' : 'Default',
      },
      ...(exclusion
        ? []
        : [
            {
              type: 'FactSet',
              facts: fields.slice(0, FIELDS_SHOWN).map((f) => ({ title: clip(f, 60), value: shown(item.record[f]) })),
            },
          ]),
      ...(fields.length > FIELDS_SHOWN
        ? [{ type: 'TextBlock', text: `${fields.length - FIELDS_SHOWN} more fields.`, isSubtle: true, size: 'Small' }]
        : []),
      ...(actions.length > 0 ? [{ type: 'ActionSet', actions }] : []),
    ],
  };
}

function statusText(input: ReviewCardInput): string {
  const review = input.dsrCase.review!;
  const { calendar, now } = input;
  const redacted = new Set(review.redactions.map((r) => r.recordId)).size;
  const counts = `${counted(review.records, 'record')}; ${review.exclusions.length} withheld, ${redacted} with redactions.`;
  const release = review.release;
  if (release) {
    const link = release.revokedAt
      ? `the link was revoked on ${formatInstant(release.revokedAt, calendar)}`
      : subjectLinkOpen(release, now)
        ? `the person's link opens until ${formatInstant(release.expiresAt, calendar)}`
        : `the person's link expired on ${formatInstant(release.expiresAt, calendar)}`;
    return `${counts} Released on ${formatInstant(release.at, calendar)}; ${link}.`;
  }
  if (review.approval) return `${counts} Approved; ready to release to the person.`;
  if (review.submitted) return `${counts} Reviewed; waiting for another privacy officer to approve.`;
  return `${counts} Not reviewed yet: withhold or redact what would harm others, then say the review is done.`;
}

/**
 * The review of the package before release, one system and kind at a time, a page of records
 * each: every record can be withheld on a ground or have a passage redacted. Another officer
 * approves the result; only then is it released to the person.
 */
export function reviewCard(input: ReviewCardInput): CardJson {
  const { dsrCase, index } = input;
  const review = dsrCase.review!;
  const locked = review.release !== undefined;
  const source = index.sources[input.source];
  const total = source?.records ?? 0;
  const pages = Math.max(1, Math.ceil(total / REVIEW_PAGE_SIZE));
  const base = { caseId: dsrCase.id, version: dsrCase.version };
  const at = (page: number, sourceIndex = input.source) => ({ ...base, source: sourceIndex, page });
  const paging: CardJson[] = [];
  if (input.page > 0) paging.push(executeAction('Previous page', REVIEW_VERBS.show, at(input.page - 1)));
  if (input.page + 1 < pages) paging.push(executeAction('Next page', REVIEW_VERBS.show, at(input.page + 1)));
  const decisions: CardJson[] = [];
  if (!locked && !review.submitted)
    decisions.push(executeAction('Review done', REVIEW_VERBS.submit, at(input.page), 'positive'));
  if (!locked && review.submitted && !review.approval)
    decisions.push(
      executeAction(
        'Approve for release',
        REVIEW_VERBS.approve,
        { ...at(input.page), hash: reviewHash(review) },
        'positive',
      ),
    );
  if (!locked && review.approval)
    decisions.push(executeAction('Release to the person', REVIEW_VERBS.release, at(input.page), 'positive'));
  if (review.release && !review.release.revokedAt)
    decisions.push(executeAction('Revoke the link', REVIEW_VERBS.revoke, at(input.page), 'destructive'));
  decisions.push(executeAction('Back to the plan', PLAN_VERBS.show, base));
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [
      ...noticeBlock(input.notice),
      {
        type: 'TextBlock',
        text: `Review of the package for ${dsrCase.id}`,
        size: 'Large',
        weight: 'Bolder',
        wrap: true,
      },
      { type: 'TextBlock', text: statusText(input), wrap: true, isSubtle: true },
      {
        type: 'Input.ChoiceSet',
        id: 'source',
        label: 'System and kind',
        value: String(input.source),
        choices: index.sources.slice(0, SOURCES_SHOWN).map((s, i) => ({
          title: clip(`${s.systemName} · ${s.kind} (${s.records})`, 120),
          value: String(i),
        })),
      },
      { type: 'ActionSet', actions: [executeAction('Show', REVIEW_VERBS.show, { ...base, page: 0 })] },
      {
        type: 'TextBlock',
        text: source
          ? `${clip(source.systemName, 100)} · ${clip(source.kind, 60)}: page ${input.page + 1} of ${pages}`
          : 'The package holds no records.',
        weight: 'Bolder',
        wrap: true,
      },
      ...input.records.map((item, i) => recordBlock(input, item, i, locked)),
      ...(paging.length > 0 ? [{ type: 'ActionSet', actions: paging }] : []),
    ],
    actions: decisions,
  };
}

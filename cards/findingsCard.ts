import { counted } from '../dsr/counted.js';
import type { DsrCase } from '../dsr/case.js';
import type { CaseFindings, FoundRecord, ManualStep, SystemFindings } from '../dsr/discovery.js';
import { isSettled } from '../dsr/plan.js';
import { matchedOnText, openCandidates, personCounts, standingOf } from '../dsr/matching.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { DISCOVERY_VERBS } from './verbs.js';
import { PLAN_VERBS } from './verbs.js';
import { clip, formatInstant, noticeBlock, shownAsText } from './format.js';
import { fullestThatFits } from './cardSize.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, type CardJson } from './template.js';
import { TRIAGE_VERBS } from './verbs.js';

export { DISCOVERY_VERBS };

/**
 * Records shown per system on the findings card, from the most to the fewest: with many systems the
 * card folds to fewer so it stays within Teams' message size; every record stays one "Review all"
 * away, paged per system, with its decisions there.
 */
const RECORDS_SHOWN = [6, 3, 1, 0] as const;
/** Manual steps shown per system that is not connected, by the same folding. */
const MANUAL_STEPS_SHOWN = [6, 3, 1, 1] as const;

const STATUS_TEXT: Record<SystemFindings['status'], string> = {
  found: 'Found',
  nothing: 'Nothing found',
  failed: 'Could not search',
  'not-connected': 'Not connected: search by hand',
};

const STATUS_COLOR: Record<SystemFindings['status'], string> = {
  found: 'Good',
  nothing: 'Default',
  failed: 'Attention',
  'not-connected': 'Warning',
};

function countsText(system: SystemFindings): string {
  const parts = Object.entries(personCounts(system)).map(([kind, n]) => `${n} ${kind}`);
  return parts.length > 0 ? parts.join(', ') : '';
}

function candidatesText(system: SystemFindings): string {
  const open = openCandidates(system).length;
  return open > 0 ? `${open} to confirm: matched on a name or phone only` : '';
}

function stepBlocks(steps: ManualStep[] | undefined, shown: number): CardJson[] {
  const all = steps ?? [];
  const blocks: CardJson[] = all.slice(0, shown).map((step) => ({
    type: 'TextBlock',
    text: `- ${clip(step.text, 300)}${step.link ? ` [${step.link.title}](${step.link.url})` : ''}`,
    wrap: true,
    spacing: 'Small',
  }));
  if (all.length > shown)
    blocks.push({
      type: 'TextBlock',
      text: `…and ${all.length - shown} more steps in the guide.`,
      wrap: true,
      isSubtle: true,
      spacing: 'Small',
    });
  return blocks;
}

/** "Maria" from "Maria Garcia": the buttons say whose record it is in the person's own name. */
function firstName(dsrCase: DsrCase): string {
  return clip(dsrCase.subject.name.trim().split(/\s+/)[0] || 'this person', 30);
}

/** One record: what it shows, what it matched on, where it stands, and the decisions left on it. */
function recordRow(dsrCase: DsrCase, system: SystemFindings, record: FoundRecord, data: CardData): CardJson {
  const standing = standingOf(system, record);
  const fields = Object.values(record.fields)
    .map((value) => shownAsText(value, 60))
    .join(' · ');
  const how = matchedOnText(system, record);
  const text =
    standing === 'rejected'
      ? `~~${record.kind}: ${fields}~~ (not this person)`
      : standing === 'candidate'
        ? `${record.kind}: ${fields} (to confirm, ${how})`
        : `${record.kind}: ${fields} (${record.confirmed ? `confirmed by the privacy team, ${how}` : how})`;
  const name = firstName(dsrCase);
  const target = { ...data, systemId: system.systemId, recordId: record.id };
  const actions: CardJson[] = [];
  if (standing === 'candidate' && record.via === undefined)
    actions.push(executeAction(`This is ${name}`, DISCOVERY_VERBS.confirm, target));
  if (standing !== 'rejected' && !record.confirmed)
    actions.push(
      executeAction(
        standing === 'candidate' ? `Not ${name}` : 'Not this person',
        DISCOVERY_VERBS.notThisPerson,
        target,
      ),
    );
  return {
    type: 'ColumnSet',
    spacing: 'Small',
    columns: [
      {
        type: 'Column',
        width: 'stretch',
        items: [
          {
            type: 'TextBlock',
            text,
            wrap: true,
            isSubtle: standing === 'rejected',
            color: standing === 'candidate' ? 'Warning' : 'Default',
            size: 'Small',
          },
        ],
      },
      { type: 'Column', width: 'auto', items: actions.length > 0 ? [{ type: 'ActionSet', actions }] : [] },
    ],
  };
}

type CardData = Record<string, unknown>;

function systemBlock(dsrCase: DsrCase, system: SystemFindings, fold: number): CardJson {
  const data = { caseId: dsrCase.id, version: dsrCase.version, systemId: system.systemId };
  const counts = countsText(system);
  const waiting = candidatesText(system);
  const status = system.status === 'found' && !counts ? 'No record confirmed yet' : STATUS_TEXT[system.status];
  const items: CardJson[] = [
    {
      type: 'TextBlock',
      text: `**${system.displayName}**: ${status}${counts ? ` (${counts})` : ''}${waiting ? `; ${waiting}` : ''}`,
      color: waiting ? 'Warning' : STATUS_COLOR[system.status],
      wrap: true,
    },
  ];
  if (system.status === 'failed') {
    items.push({
      type: 'TextBlock',
      text: clip(system.error ?? 'The search failed.', 300),
      wrap: true,
      isSubtle: true,
    });
    items.push({ type: 'ActionSet', actions: [executeAction('Retry this system', DISCOVERY_VERBS.retry, data)] });
  }
  if (system.status === 'not-connected') items.push(...stepBlocks(system.manualSteps, MANUAL_STEPS_SHOWN[fold]!));
  // Candidates first: they wait for a decision; the rest are there to recognise the person.
  const shown = [...openCandidates(system), ...system.records.filter((r) => standingOf(system, r) !== 'candidate')]
    .filter((record) => record.via === undefined)
    .slice(0, RECORDS_SHOWN[fold]);
  for (const record of shown)
    items.push(recordRow(dsrCase, system, record, { caseId: dsrCase.id, version: dsrCase.version }));
  const total = system.records.length + (system.recordsLeftOut ?? 0);
  if (total > 0)
    items.push({
      type: 'ActionSet',
      actions: [executeAction(`Review all ${counted(total, 'record')}`, DISCOVERY_VERBS.review, { ...data, page: 0 })],
    });
  return { type: 'Container', separator: true, items };
}

/** Records per page of the review card. */
export const REVIEW_PAGE_SIZE = 10;

/**
 * Every record found in one system, grouped by kind, a page at a time: each with what it matched
 * on and where it stands, and the decisions still open on it.
 */
export function reviewCard(dsrCase: DsrCase, systemId: string, page: number, notice?: string): CardJson {
  const system = dsrCase.findings?.systems.find((s) => s.systemId === systemId);
  const records = system
    ? [...system.records].sort(
        (a, b) => a.kind.localeCompare(b.kind) || Number(Boolean(a.via)) - Number(Boolean(b.via)),
      )
    : [];
  const pages = Math.max(1, Math.ceil(records.length / REVIEW_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const slice = records.slice(current * REVIEW_PAGE_SIZE, (current + 1) * REVIEW_PAGE_SIZE);
  const data = { caseId: dsrCase.id, version: dsrCase.version, page: current };
  const body: CardJson[] = [
    ...noticeBlock(notice, 'Good'),
    {
      type: 'TextBlock',
      text: `${system?.displayName ?? 'System'}: records found for ${dsrCase.id}`,
      size: 'Large',
      weight: 'Bolder',
      wrap: true,
    },
    {
      type: 'TextBlock',
      text: system
        ? `Page ${current + 1} of ${pages}. ${countsText(system) ? `The person's: ${countsText(system)}.` : 'No record confirmed as the person’s yet.'}${candidatesText(system) ? ` ${candidatesText(system)}.` : ''}${system.recordsLeftOut ? ` ${system.recordsLeftOut} more records were found than the case keeps; search with more identifiers to narrow it.` : ''}`
        : 'This system has no findings on the case.',
      wrap: true,
      isSubtle: true,
    },
  ];
  let kind: string | undefined;
  for (const record of slice) {
    if (record.kind !== kind) {
      kind = record.kind;
      body.push({ type: 'TextBlock', text: `**${record.kind}**`, wrap: true, separator: true });
    }
    body.push(recordRow(dsrCase, system!, record, data));
  }
  const pageData = (n: number) => ({ ...data, systemId, page: n });
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body,
    actions: [
      ...(current > 0 ? [executeAction('Previous page', DISCOVERY_VERBS.review, pageData(current - 1))] : []),
      ...(current < pages - 1 ? [executeAction('Next page', DISCOVERY_VERBS.review, pageData(current + 1))] : []),
      executeAction('Back to the findings', DISCOVERY_VERBS.show, { caseId: dsrCase.id, version: dsrCase.version }),
    ],
  };
}

const extraIdentifierInputs: CardJson[] = [
  { type: 'Input.Text', id: 'extraNames', label: 'Other names (comma-separated)', maxLength: 500 },
  { type: 'Input.Text', id: 'extraEmails', label: 'Other email addresses', maxLength: 500 },
  { type: 'Input.Text', id: 'extraPhones', label: 'Other phone numbers', maxLength: 500 },
  { type: 'Input.Text', id: 'extraCustomerNumbers', label: 'Customer or account numbers', maxLength: 500 },
  { type: 'Input.Text', id: 'extraEmployeeIds', label: 'Employee ids', maxLength: 500 },
];

/** What discovery found, per system, with what the team can do next on each. */
export function findingsCard(dsrCase: DsrCase, calendar: OrgCalendar, notice?: string): CardJson {
  const findings: CaseFindings | undefined = dsrCase.findings;
  const systems = findings?.systems ?? [];
  const tally = (status: SystemFindings['status']) => systems.filter((s) => s.status === status).length;
  const candidates = systems.reduce((sum, s) => sum + openCandidates(s).length, 0);
  const summary = `${systems.length} systems: ${tally('found')} with data, ${tally('nothing')} with nothing, ${tally('failed')} failed, ${tally('not-connected')} to search by hand.${candidates > 0 ? ` ${counted(candidates, 'record')} matched on a name or phone only: confirm whether each is the person's before the plan.` : ''}`;
  const caseData = { caseId: dsrCase.id, version: dsrCase.version };
  const folds = RECORDS_SHOWN.map((_, fold) => fold);
  return fullestThatFits(folds, (fold) => ({
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [
      ...noticeBlock(notice, 'Good'),
      { type: 'TextBlock', text: `Findings for ${dsrCase.id}`, size: 'Large', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: findings ? `Searched ${formatInstant(findings.updatedAt, calendar)}. ${summary}` : 'Not searched yet.',
        wrap: true,
        isSubtle: true,
      },
      ...systems.map((system) => systemBlock(dsrCase, system, fold)),
    ],
    actions: [
      executeAction('Back to the case', TRIAGE_VERBS.refresh, { caseId: dsrCase.id }),
      ...(findings
        ? [
            dsrCase.plan
              ? executeAction('Show the plan', PLAN_VERBS.show, caseData)
              : executeAction('Make the plan', PLAN_VERBS.create, caseData, 'positive'),
          ]
        : []),
      // A system searched again after its search failed is planned again, so its steps are the bot's.
      ...(dsrCase.plan?.steps.some((s) => s.uncovered && !isSettled(s))
        ? [executeAction('Make the plan again', PLAN_VERBS.create, caseData)]
        : []),
      {
        type: 'Action.ShowCard',
        title: 'Search again with more identifiers',
        card: {
          type: 'AdaptiveCard',
          body: extraIdentifierInputs,
          actions: [executeAction('Search again', DISCOVERY_VERBS.find, caseData)],
        },
      },
    ],
  }));
}

export interface ProgressView {
  done: number;
  total: number;
  running: string[];
  answered: SystemFindings[];
}

/** Shown while systems answer, and updated in place as each one does. */
export function progressCard(dsrCase: DsrCase, progress: ProgressView): CardJson {
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [
      { type: 'TextBlock', text: `Finding data for ${dsrCase.id}`, size: 'Large', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: `${progress.done} of ${progress.total} systems done.${
          progress.running.length > 0 ? ` Still searching: ${progress.running.join(', ')}.` : ''
        }`,
        wrap: true,
      },
      ...progress.answered.map((system) => ({
        type: 'TextBlock',
        text: `${system.displayName}: ${STATUS_TEXT[system.status]}${countsText(system) ? ` (${countsText(system)})` : ''}`,
        color: STATUS_COLOR[system.status],
        wrap: true,
        spacing: 'Small',
      })),
    ],
  };
}

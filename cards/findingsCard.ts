import type { DsrCase } from '../dsr/case.js';
import type { CaseFindings, ManualStep, SystemFindings } from '../dsr/discovery.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { DISCOVERY_VERBS } from './discoveryVerbs.js';
import { PLAN_VERBS } from './planVerbs.js';
import { clip, formatInstant, noticeBlock, shownAsText } from './format.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, type CardJson } from './template.js';
import { TRIAGE_VERBS } from './triageCard.js';

export { DISCOVERY_VERBS };

/** Kept per system on the card; the case keeps a few more, the systems keep everything. */
const RECORDS_SHOWN = 6;

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
  const parts = Object.entries(system.counts).map(([kind, n]) => `${n} ${kind}`);
  return parts.length > 0 ? parts.join(', ') : '';
}

function stepBlocks(steps: ManualStep[] | undefined): CardJson[] {
  return (steps ?? []).slice(0, 6).map((step) => ({
    type: 'TextBlock',
    text: `- ${clip(step.text, 300)}${step.link ? ` [${step.link.title}](${step.link.url})` : ''}`,
    wrap: true,
    spacing: 'Small',
  }));
}

function systemBlock(dsrCase: DsrCase, system: SystemFindings): CardJson {
  const data = { caseId: dsrCase.id, version: dsrCase.version, systemId: system.systemId };
  const counts = countsText(system);
  const items: CardJson[] = [
    {
      type: 'TextBlock',
      text: `**${system.displayName}**: ${STATUS_TEXT[system.status]}${counts ? ` (${counts})` : ''}`,
      color: STATUS_COLOR[system.status],
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
  if (system.status === 'not-connected') items.push(...stepBlocks(system.manualSteps));
  for (const record of system.records.slice(0, RECORDS_SHOWN)) {
    const fields = Object.values(record.fields)
      .map((value) => shownAsText(value, 60))
      .join(' · ');
    items.push({
      type: 'ColumnSet',
      spacing: 'Small',
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          items: [
            {
              type: 'TextBlock',
              text: record.notThisPerson
                ? `~~${record.kind}: ${fields}~~ (not this person)`
                : `${record.kind}: ${fields}`,
              wrap: true,
              isSubtle: record.notThisPerson !== undefined,
              size: 'Small',
            },
          ],
        },
        {
          type: 'Column',
          width: 'auto',
          items: record.notThisPerson
            ? []
            : [
                {
                  type: 'ActionSet',
                  actions: [
                    executeAction('Not this person', DISCOVERY_VERBS.notThisPerson, { ...data, recordId: record.id }),
                  ],
                },
              ],
        },
      ],
    });
  }
  return { type: 'Container', separator: true, items };
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
  const summary = `${systems.length} systems: ${tally('found')} with data, ${tally('nothing')} with nothing, ${tally('failed')} failed, ${tally('not-connected')} to search by hand.`;
  const caseData = { caseId: dsrCase.id, version: dsrCase.version };
  return {
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
      ...systems.map((system) => systemBlock(dsrCase, system)),
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
  };
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

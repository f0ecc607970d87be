import { counted } from './counted.js';
import { createHash } from 'node:crypto';
import type { DsrCase } from './case.js';
import {
  confirmedCount,
  type ConnectorInfo,
  type GuideLink,
  type ManualStep,
  type SystemFindings,
} from './discovery.js';
import { personCounts, standingOf } from './matching.js';
import { evidenceRuleFor, type EvidenceRule } from './planEvidence.js';
import { PLAN_RIGHTS, PACKAGE_STEP_ID, LOGS_SYSTEM_ID, type PlanStep, type CasePlan } from './planRecord.js';
import type { RequestType } from './requestTypes.js';
import { said, type Said } from '../i18n/index.js';

// The plan's records, where the rest of the code has always imported them.
export {
  STEP_STATES,
  STEP_STATE_LABELS,
  PLAN_RIGHTS,
  PACKAGE_STEP_ID,
  LOGS_SYSTEM_ID,
  STEP_FAILURES,
} from './planRecord.js';
export type {
  StepState,
  StepCompletion,
  StepApplied,
  PlanStep,
  KeptOverride,
  StepFailure,
  StepResult,
  CasePlan,
  CaseResponse,
} from './planRecord.js';

const LOG_EXPORT_LINK: GuideLink = {
  title: 'Service Trust Portal',
  said: said('guide.links.serviceTrustPortal'),
  url: 'https://servicetrust.microsoft.com/',
};

const LOGS_NOT_SUPPORTED =
  'Rectifying or restricting system-generated logs is not supported: they record factual actions in the Microsoft cloud, and changing them would compromise the historical record and increase fraud and security risks.';

/**
 * The plan's count, stable while the work goes on: a step a preview adds (work left by hand in the
 * same system) counts with the step whose preview added it, so "3 of 14 left" never becomes "of 15".
 * A step is left while it, or any follow-up of it, is not settled.
 */
export function planProgress(plan: CasePlan): { total: number; left: number } {
  const parentOf = (step: PlanStep) => step.followUpOf ?? (step.id.endsWith(':by-hand') ? step.id.slice(0, -8) : '');
  const ids = new Set(plan.steps.map((s) => s.id));
  const counted = plan.steps.filter((s) => !ids.has(parentOf(s)));
  const left = counted.filter(
    (step) => !isSettled(step) || plan.steps.some((s) => parentOf(s) === step.id && !isSettled(s)),
  );
  return { total: counted.length, left: left.length };
}

/** A step is settled when nothing is left to do on it: done, or explained. */
export function isSettled(step: PlanStep): boolean {
  return step.state === 'done' || step.state === 'not-applicable' || step.state === 'retained';
}

export function remainingSteps(plan: CasePlan): PlanStep[] {
  return plan.steps.filter((step) => !isSettled(step));
}

function findingsOf(dsrCase: DsrCase, systemId: string): SystemFindings | undefined {
  return dsrCase.findings?.systems.find((s) => s.systemId === systemId);
}

function hasData(findings: SystemFindings | undefined): boolean {
  return findings !== undefined && findings.status === 'found' && confirmedCount(findings) > 0;
}

const RIGHT_VERB: Record<RequestType, string> = {
  access: 'Provide a copy of',
  export: 'Export',
  rectify: 'Correct',
  restrict: 'Restrict the processing of',
  delete: 'Delete',
};

/**
 * The steps the guide describes for the case's rights, per system: automated where the
 * connector can do it, guided by the guide's instructions where it cannot. Access and export
 * share one package step; systems with nothing found are marked not applicable, so the plan
 * says why nothing happens there instead of leaving it out.
 */
export function buildPlan(
  dsrCase: DsrCase,
  systems: ConnectorInfo[],
  connected: ReadonlySet<string>,
  now: Date,
): CasePlan {
  const at = now.toISOString();
  const steps: PlanStep[] = [];
  const rights = PLAN_RIGHTS.filter((right) => dsrCase.requestTypes.includes(right));
  const wantsCopy = rights.includes('access') || rights.includes('export');
  const packaged = systems.filter(
    (info) =>
      info.id !== LOGS_SYSTEM_ID &&
      connected.has(info.id) &&
      info.capabilities.includes('export') &&
      hasData(findingsOf(dsrCase, info.id)),
  );
  if (wantsCopy) {
    steps.push({
      id: PACKAGE_STEP_ID,
      right: rights.includes('access') ? 'access' : 'export',
      systemId: 'all',
      systemName: packaged.map((s) => s.displayName).join(', ') || 'No connected system',
      mode: 'automated',
      title: 'Prepare the package for the data subject',
      instructions: [],
      destructive: false,
      state: packaged.length > 0 ? 'todo' : 'not-applicable',
      ...(packaged.length > 0
        ? {}
        : { reason: 'No connected system holds data about the person.', reasonSaid: said('plan.reasons.noSystem') }),
      updatedAt: at,
    });
  }
  for (const right of rights) {
    if (right === 'export' && rights.includes('access')) continue;
    for (const info of systems) {
      const base = { right, systemId: info.id, systemName: info.displayName, updatedAt: at };
      const id = `${right}:${info.id}`;
      if (info.id === LOGS_SYSTEM_ID) {
        const logs = logsStep(right);
        steps.push({
          ...base,
          id,
          ...logs,
          ...withEvidence(logs.state === 'todo' ? evidenceRuleFor(right, info.id) : undefined),
        });
        continue;
      }
      const findings = findingsOf(dsrCase, info.id);
      const isConnected = connected.has(info.id);
      const capability = right === 'access' ? 'export' : right;
      const automated = isConnected && info.capabilities.includes(capability);
      if (isConnected && (!findings || findings.status === 'failed')) {
        steps.push({
          ...base,
          id,
          ...uncoveredStep(info, right, capability, findings),
          ...withEvidence(evidenceRuleFor(right, info.id)),
        });
        continue;
      }
      if (isConnected && findings && findings.status !== 'failed' && !hasData(findings)) {
        steps.push({
          ...base,
          id,
          mode: automated ? 'automated' : 'guided',
          title: `${RIGHT_VERB[right]} the person's data in ${info.displayName}`,
          instructions: [],
          destructive: false,
          state: 'not-applicable',
          reason: 'Nothing about the person was found in this system.',
          reasonSaid: said('plan.reasons.nothingFound'),
        });
        continue;
      }
      // The package step covers every connected system that can export.
      if ((right === 'access' || right === 'export') && automated) continue;
      const destructive = right === 'rectify' || right === 'restrict' || right === 'delete';
      steps.push({
        ...base,
        id,
        mode: automated ? 'automated' : 'guided',
        title: `${RIGHT_VERB[right]} the person's data in ${info.displayName}`,
        instructions: automated ? [] : guidedInstructions(info, capability),
        destructive,
        state: automated && destructive ? 'waiting-approval' : 'todo',
        ...withEvidence(automated ? undefined : evidenceRuleFor(right, info.id)),
        updatedAt: at,
      });
    }
  }
  return { createdAt: at, steps };
}

const withEvidence = (rule: EvidenceRule | undefined) => (rule ? { evidence: rule } : {});

/**
 * A system the bot could not search never drops out of the plan: for each right it holds a step
 * that blocks the response until the system is searched again (and the plan made again) or the
 * right is carried out there by hand, with a note.
 */
function uncoveredStep(
  info: ConnectorInfo,
  right: RequestType,
  capability: keyof ConnectorInfo['manualSteps'],
  findings: SystemFindings | undefined,
): Omit<PlanStep, 'id' | 'right' | 'systemId' | 'systemName' | 'updatedAt'> {
  const why = findings
    ? `The search of ${info.displayName} failed: ${findings.error ?? 'it did not answer'}`
    : `${info.displayName} was not searched`;
  const system = info.displayName;
  const whySaid = findings
    ? findings.error
      ? said('guide.plan.searchFailed', { system, error: sentenceOf(findings.error.slice(0, 300)) })
      : said('guide.plan.noAnswer', { system })
    : said('guide.plan.notSearched', { system });
  return {
    mode: 'guided',
    title: `Search ${info.displayName} again, or ${RIGHT_VERB[right].toLowerCase()} the person's data there by hand`,
    instructions: [
      {
        text: `${sentenceOf(why)} Retry this system on the findings card and make the plan again; or do it by hand, and mark this done with a note saying what was done.`,
        said: said('guide.plan.uncovered', { why: whySaid }),
      },
      ...guidedInstructions(info, capability),
    ],
    destructive: false,
    state: 'todo',
    uncovered: why.slice(0, 300),
  };
}

const sentenceOf = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function guidedInstructions(info: ConnectorInfo, capability: keyof ConnectorInfo['manualSteps']): ManualStep[] {
  const own = info.manualSteps[capability] ?? [];
  if (own.length > 0) return own;
  const finding = info.manualSteps.find ?? [];
  const link = finding.find((step) => step.link)?.link;
  return [
    {
      text: `Do this in ${info.displayName} by hand, as the guide describes, then mark the step done with a note.`,
      said: said('guide.plan.byHand', { system: info.displayName }),
      ...(link ? { link } : {}),
    },
  ];
}

function logsStep(right: RequestType): Omit<PlanStep, 'id' | 'right' | 'systemId' | 'systemName' | 'updatedAt'> {
  if (right === 'rectify' || right === 'restrict') {
    return {
      mode: 'guided',
      title: `${RIGHT_VERB[right]} system-generated logs`,
      instructions: [],
      destructive: false,
      state: 'not-applicable',
      reason: LOGS_NOT_SUPPORTED,
      reasonSaid: said('plan.reasons.logsNotSupported'),
    };
  }
  if (right === 'delete') {
    return {
      mode: 'guided',
      title: 'Delete system-generated logs',
      instructions: [
        {
          text: "System-generated logs are deleted when the user's account is permanently deleted from Entra ID; confirm that deletion, then mark this done.",
          said: said('guide.plan.logsDelete'),
        },
      ],
      destructive: false,
      state: 'todo',
    };
  }
  return {
    mode: 'guided',
    title: 'Export system-generated logs (Data Log Export)',
    instructions: [
      {
        text: 'Sign in to the Service Trust Portal as a global administrator, open Data Subject Request, and under System Generated Logs choose Data Log Export.',
        said: said('guide.plan.logsExport'),
        link: LOG_EXPORT_LINK,
      },
      {
        text: "Create a request for the user; the logs arrive in the organisation's Azure storage within 30 days. Mark this done with a link to the export.",
        said: said('guide.plan.logsRequest'),
      },
    ],
    destructive: false,
    state: 'todo',
  };
}

/**
 * A hash of the findings of a step's system. A preview records the one it was made from, so a
 * preview (and its approval) made before the findings changed no longer counts.
 */
export function findingsHash(dsrCase: DsrCase, step: Pick<PlanStep, 'id' | 'systemId'>): string {
  const findings = findingsOf(dsrCase, step.systemId);
  // The team's decisions count: confirming a namesake or setting a record aside voids the preview.
  const shown = {
    step: step.id,
    counts: findings ? personCounts(findings) : {},
    records: findings
      ? findings.records.filter((r) => standingOf(findings, r) === 'finding').map((r) => `${r.kind}:${r.id}`)
      : [],
  };
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex');
}

/**
 * Every system the bot did not search itself (not connected, no API, or a search that failed),
 * why, and what the team noted on doing it by hand: the response names each one.
 */
export function notCovered(dsrCase: DsrCase, plan: CasePlan): string[] {
  const lines: string[] = [];
  for (const findings of dsrCase.findings?.systems ?? []) {
    if (findings.status !== 'failed' && findings.status !== 'not-connected') continue;
    const steps = plan.steps.filter((s) => s.systemId === findings.systemId && s.completed?.note);
    const notes = [...new Set(steps.map((s) => s.completed!.note!))].slice(0, 3);
    const why =
      findings.status === 'failed'
        ? `the search failed (${findings.error ?? 'no answer'})`
        : 'it is not connected to the bot';
    lines.push(`${findings.displayName}: ${why}; done by hand${notes.length > 0 ? `: ${notes.join('; ')}` : ''}`);
  }
  return lines;
}

/** What the data subject is told: per right and system, what was done, what was kept and why. */
export function responseSummary(dsrCase: DsrCase, plan: CasePlan): string {
  const lines = [`Response to the request of ${dsrCase.subject.name} (${dsrCase.id}).`];
  // Reasons are whole sentences already; a line never ends in two full stops.
  const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
  for (const step of plan.steps) {
    const what = step.title;
    if (step.state === 'done') {
      const records = step.result ? step.result.applied + step.result.gone : 0;
      const recordsText = step.result ? ` (${counted(records, 'record')})` : '';
      const kept = step.result && step.result.retained > 0 && step.reason ? `; ${step.reason}` : '';
      lines.push(
        sentence(`- ${what}: done${recordsText}${step.completed?.note ? ` (${step.completed.note})` : ''}${kept}`),
      );
    } else if (step.state === 'retained') {
      lines.push(sentence(`- ${what}: kept, because ${step.reason ?? 'the law requires it'}`));
    } else {
      lines.push(sentence(`- ${what}: not applicable${step.reason ? `: ${step.reason}` : ''}`));
    }
  }
  const uncovered = notCovered(dsrCase, plan);
  if (uncovered.length > 0) {
    lines.push('Systems the bot could not search, and how they were covered:');
    for (const line of uncovered) lines.push(sentence(`- ${line}`));
  }
  return lines.join('\n');
}

/**
 * A step's title as the catalogue words it, from what the step is (its right, its system, whether
 * it was added by a preview or covers a system the bot could not search), never from the English
 * title the plan stores for the response letter and the audit trail.
 */
export function stepTitleSaid(step: PlanStep): Said {
  const system = step.systemName;
  if (step.id === PACKAGE_STEP_ID) return said('plan.stepTitle.package');
  const parentId = step.followUpOf ?? (step.id.endsWith(':by-hand') ? step.id.slice(0, -':by-hand'.length) : '');
  if (parentId)
    return said('plan.stepTitle.followUp', { system, step: said(`plan.stepTitle.right.${step.right}`, { system }) });
  if (step.systemId === LOGS_SYSTEM_ID) return said(`plan.stepTitle.logs.${step.right}`);
  if (step.uncovered) return said(`plan.stepTitle.uncovered.${step.right}`, { system });
  return said(`plan.stepTitle.right.${step.right}`, { system });
}

import { isSettled } from '../plan.js';
import { createHash } from 'node:crypto';
import { DECLINE_REASON_BASIS, type DsrCase } from '../case.js';
import { pausedDays } from '../caseActions.js';
import { computeDueDate, policyFor, type OrgCalendar } from '../deadlines.js';
import { confirmedCount } from '../discovery.js';
import type { LetterKind } from './letterKinds.js';
import type { ProcessingRegister } from './register.js';
import type { LetterTemplates, RenderedLetter } from './templates.js';
import { reviewSummary } from '../packageReview.js';

export interface RecordCount {
  kind: string;
  count: number;
}

/** What a letter may say, in data: the template words it. Every field is always present. */
export interface LetterView {
  timeZone: string;
  caseId: string;
  subjectName: string;
  received: string;
  due: string;
  today: string;
  controller: ProcessingRegister['controller'];
  dpoEmail: string;
  authority: ProcessingRegister['supervisoryAuthority'];
  /** The officer's own words; may be empty. */
  note: string;
  rights: Record<'access' | 'export' | 'rectify' | 'restrict' | 'delete', boolean>;
  extension: { reason: string; newDue: string } | null;
  identity: { what: string } | null;
  refusal: { reason: string; basis: string; explanation: string } | null;
  access: Array<{
    system: string;
    records: RecordCount[];
    total: number;
    purposes: string;
    categories: string;
    recipients: string;
    retention: string;
    source: string;
    automatedDecisions: string;
  }>;
  erasure: Array<{
    system: string;
    deleted: number;
    kept: number;
    retention: string;
    /** When the reasons for the kept records end: a date, or a condition checked again on a date. */
    keptEnds: Array<{ count: number; until: string; condition: boolean }>;
  }>;
  changes: Array<{ system: string; right: 'rectify' | 'restrict'; count: number }>;
  notCovered: Array<{ system: string }>;
  /** Systems the bot could not search, which the team covered by hand (GDPR asks for a complete answer). */
  byHand: Array<{ system: string }>;
  nothingFound: Array<{ system: string }>;
  /**
   * What the review before release withheld and redacted, in general terms only (GDPR Art. 15(4)):
   * how many records, on which grounds (codes the template words); null until the package is released.
   */
  review: { withheld: number; grounds: string[]; redacted: number } | null;
  /** The person's own link to the released package and when it stops opening; null when there is none. */
  packageLink: { url: string; expires: string } | null;
}

export class LetterGapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LetterGapError';
  }
}

function text(texts: Record<string, string>, language: string, where: string): string {
  const value = texts[language];
  // The register is checked for every language at start; this guards a register changed since.
  if (value === undefined) throw new LetterGapError(`The processing register has no ${language} text for ${where}.`);
  return value;
}

/** The facts of a case a letter needs, drawn from the case, its plan and the processing register. */
export function letterView(
  kind: LetterKind,
  dsrCase: DsrCase,
  register: ProcessingRegister,
  calendar: OrgCalendar,
  now: Date,
  note: string,
  /** The address of the person's package link, where one was released and still opens. */
  packageUrl?: string,
): LetterView {
  const language = dsrCase.language ?? 'en';
  const steps = dsrCase.plan?.steps ?? [];
  const findings = dsrCase.findings?.systems ?? [];
  // A system the bot could not search (failed or not connected) is covered only once every step
  // the plan holds for it was done by hand; until then the person hears that the work goes on.
  const uncovered = findings.filter((s) => s.status === 'failed' || s.status === 'not-connected');
  const coveredByHand = (systemId: string) => {
    const own = steps.filter((step) => step.systemId === systemId);
    return own.length > 0 && own.every(isSettled) && own.some((step) => step.state === 'done');
  };
  const entry = (systemId: string, system: string) => {
    const found = register.systems[systemId];
    if (!found) throw new LetterGapError(`The processing register has no entry for ${system} (systems.${systemId}).`);
    return found;
  };
  const decision = dsrCase.decision;
  const policy = policyFor(dsrCase.regulation);
  const firstDue = computeDueDate(policy, new Date(dsrCase.receivedAt), calendar, { pausedDays: pausedDays(dsrCase) });
  const covers = (right: string) => dsrCase.requestTypes.some((type) => type === right);
  const wantsCopy = covers('access') || covers('export');
  return {
    timeZone: calendar.timeZone,
    caseId: dsrCase.id,
    subjectName: dsrCase.subject.name,
    received: dsrCase.receivedAt,
    due: dsrCase.dueAt,
    today: now.toISOString(),
    controller: register.controller,
    dpoEmail: register.dataProtectionOfficer?.email ?? '',
    authority: register.supervisoryAuthority,
    note: note.trim(),
    rights: {
      access: covers('access'),
      export: covers('export'),
      rectify: covers('rectify'),
      restrict: covers('restrict'),
      delete: covers('delete'),
    },
    extension: dsrCase.extension ? { reason: dsrCase.extension.reason, newDue: dsrCase.dueAt } : null,
    identity: dsrCase.pause ? { what: dsrCase.pause.reason } : kind === 'identity' ? { what: '' } : null,
    refusal:
      decision?.outcome === 'declined' && decision.reason
        ? { reason: decision.reason, basis: DECLINE_REASON_BASIS[decision.reason], explanation: decision.explanation }
        : null,
    access: wantsCopy
      ? findings
          .filter((system) => system.status === 'found' && confirmedCount(system) > 0)
          .map((system) => {
            const facts = entry(system.systemId, system.displayName);
            const where = `systems.${system.systemId}`;
            const excluded = new Map<string, number>();
            for (const record of system.records) {
              if (record.notThisPerson) excluded.set(record.kind, (excluded.get(record.kind) ?? 0) + 1);
            }
            const records = Object.entries(system.counts)
              .map(([recordKind, count]) => ({ kind: recordKind, count: count - (excluded.get(recordKind) ?? 0) }))
              .filter((row) => row.count > 0);
            return {
              system: system.displayName,
              records,
              total: confirmedCount(system),
              purposes: text(facts.purposes, language, `${where}.purposes`),
              categories: text(facts.categories, language, `${where}.categories`),
              recipients: text(facts.recipients, language, `${where}.recipients`),
              retention: text(facts.retention, language, `${where}.retention`),
              source: text(facts.source, language, `${where}.source`),
              automatedDecisions: text(facts.automatedDecisions, language, `${where}.automatedDecisions`),
            };
          })
      : [],
    erasure: steps
      .filter((step) => step.right === 'delete' && (step.state === 'done' || step.state === 'retained') && step.result)
      .map((step) => ({
        system: step.systemName,
        deleted: step.result!.applied,
        kept: step.result!.retained,
        retention:
          step.result!.retained > 0
            ? text(entry(step.systemId, step.systemName).retention, language, `systems.${step.systemId}.retention`)
            : '',
        keptEnds: keptEnds(dsrCase, step.id),
      })),
    changes: steps
      .filter(
        (step): step is typeof step & { right: 'rectify' | 'restrict' } =>
          (step.right === 'rectify' || step.right === 'restrict') && step.state === 'done' && !!step.result,
      )
      .map((step) => ({ system: step.systemName, right: step.right, count: step.result!.applied })),
    // A system that could not be searched or changed is named, never left out (it is not "nothing found").
    notCovered: uniqueSystems([
      ...uncovered.filter((s) => !coveredByHand(s.systemId)).map((s) => s.displayName),
      ...steps.filter((step) => step.state === 'failed').map((step) => step.systemName),
    ]),
    byHand: uniqueSystems(uncovered.filter((s) => coveredByHand(s.systemId)).map((s) => s.displayName)),
    nothingFound: wantsCopy
      ? uniqueSystems(findings.filter((s) => s.status === 'nothing').map((s) => s.displayName))
      : [],
    review: kind === 'response' ? reviewSummary(dsrCase.review) : null,
    packageLink:
      kind === 'response' && packageUrl && dsrCase.review?.release
        ? { url: packageUrl, expires: dsrCase.review.release.expiresAt }
        : null,
    ...(kind === 'extension' && !dsrCase.extension
      ? { extension: { reason: '', newDue: firstDue.toISOString() } }
      : {}),
  };
}

/** The kept records of a step by end: how many until each date. Noon UTC: the same day in every zone. */
function keptEnds(dsrCase: DsrCase, stepId: string): Array<{ count: number; until: string; condition: boolean }> {
  const ends = new Map<string, { count: number; until: string; condition: boolean }>();
  for (const record of (dsrCase.kept ?? []).filter((k) => k.stepId === stepId)) {
    const key = `${record.until}|${record.ends}`;
    const entry = ends.get(key) ?? {
      count: 0,
      until: `${record.until}T12:00:00.000Z`,
      condition: record.ends === 'condition',
    };
    entry.count += 1;
    ends.set(key, entry);
  }
  return [...ends.values()].sort((a, b) => (a.until < b.until ? -1 : 1));
}

function uniqueSystems(names: string[]): Array<{ system: string }> {
  return [...new Set(names)].map((system) => ({ system }));
}

/** The content hash the case and the audit trail keep of a letter sent. */
export function letterHash(letter: RenderedLetter): string {
  return createHash('sha256').update(letter.subject).update('\n').update(letter.html).digest('hex');
}

/** Renders one letter of a case in the subject's language, whole, or says what is missing. */
export function composeLetter(
  templates: LetterTemplates,
  kind: LetterKind,
  dsrCase: DsrCase,
  register: ProcessingRegister,
  calendar: OrgCalendar,
  now: Date,
  note: string,
  packageUrl?: string,
): RenderedLetter {
  const language = dsrCase.language ?? 'en';
  if (!templates.has(language)) {
    throw new LetterGapError(`There are no letter templates in "${language}", the language this case asked for.`);
  }
  return templates.render(kind, language, letterView(kind, dsrCase, register, calendar, now, note, packageUrl));
}

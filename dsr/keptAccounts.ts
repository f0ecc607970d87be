import type { DsrCase } from './case.js';
import type { ChangePreview, ChangeTarget, RetainedRecord } from './changes.js';
import { standingOf } from './matching.js';
import { said } from '../i18n/index.js';

/** The systems that hold workers: one worker entity in both (CDM HcmWorkerEntity). */
const WORKER_SYSTEMS: Record<string, string> = {
  hr: 'Human Resources',
  fno: 'Finance and Operations',
};

/** The worker status that lets the account go; any other, or none read, keeps it. */
const TERMINATED = 'Terminated';

/**
 * An Entra account that belongs to a worker who is not terminated is kept, with the reason, like an
 * enabled account: deleting it would lock out someone still employed. The account and the worker
 * are tied only by a strong identifier: the user's `employeeId` equal to the worker's
 * `PersonnelNumber` (the guide's employee id), both findings of this case (matched on a strong
 * identifier or confirmed by a person). A name never ties them.
 */
export function keepAccountsOfActiveWorkers(
  dsrCase: DsrCase,
  preview: ChangePreview,
  overrides: ReadonlySet<string> = new Set(),
): ChangePreview {
  const keeps = activeWorkerAccounts(dsrCase, preview, overrides);
  if (!keeps) return preview;
  const targets: ChangeTarget[] = [];
  const retained: RetainedRecord[] = [...preview.retained];
  for (const target of preview.targets) {
    const kept = keeps(target);
    if (kept) retained.push(kept);
    else targets.push(target);
  }
  return { ...preview, targets, retained };
}

/**
 * The same rule one target at a time, for a preview whose targets stream past: what keeps a target
 * (the retained record to show instead), or undefined when nothing can be kept in this preview.
 */
export function activeWorkerAccounts(
  dsrCase: DsrCase,
  preview: Pick<ChangePreview, 'systemId' | 'request'>,
  overrides: ReadonlySet<string> = new Set(),
): ((target: ChangeTarget) => RetainedRecord | undefined) | undefined {
  if (preview.systemId !== 'graph' || preview.request.right !== 'delete') return undefined;
  const systems = dsrCase.findings?.systems ?? [];
  const active = new Map<string, string>();
  for (const findings of systems) {
    const systemName = WORKER_SYSTEMS[findings.systemId];
    if (!systemName) continue;
    for (const record of findings.records) {
      if (record.kind !== 'worker' || standingOf(findings, record) !== 'finding') continue;
      const number = record.fields.PersonnelNumber?.trim();
      if (!number || record.fields.WorkerStatus === TERMINATED) continue;
      active.set(number, systemName);
    }
  }
  if (active.size === 0) return undefined;
  const graph = systems.find((s) => s.systemId === 'graph');
  const employeeIdOf = new Map(
    (graph?.records ?? [])
      .filter((record) => record.kind === 'user')
      .map((record) => [record.id, record.fields.employeeId?.trim() ?? '']),
  );
  return (target) => {
    const employeeId = target.kind === 'user' ? employeeIdOf.get(target.id) : undefined;
    const systemName = employeeId ? active.get(employeeId) : undefined;
    // A privacy officer's written override (recorded on the step) lets the account go.
    if (!employeeId || !systemName || overrides.has(target.id)) return undefined;
    return {
      kind: target.kind,
      id: target.id,
      label: target.label,
      reason: `The account belongs to worker ${employeeId} in ${systemName}, who is not terminated: it is kept until the employment ends.`,
      reasonSaid: said('change.keptReasons.workerAccount', { employeeId, system: systemName }),
    };
  };
}

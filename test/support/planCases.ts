import { inEnglish } from '../../i18n/index.js';
import type { Actor, DsrCase } from '../../dsr/case.js';
import { CaseService, type ActResult, type CaseAction } from '../../dsr/caseService.js';
import type { ConnectorInfo, SystemFindings } from '../../dsr/discovery.js';
import { buildPlan } from '../../dsr/plan.js';
import { applyPlanCaseAction, type PlanCaseAction } from '../../dsr/planCaseActions.js';
import { sampleCase } from './cases.js';

export const megan: Actor = { id: 'megan', name: 'Megan' };
export const adele: Actor = { id: 'adele', name: 'Adele' };

/**
 * The case service as the change runner sees it, for tests and benchmarks of the ledger path below
 * the bot: one case in memory, versioned, changed by the domain's own plan actions (so a preview,
 * an approval and a run obey the same rules as in the bot), refusals kept for the test to read.
 */
export class PlanCases {
  readonly cases = new Map<string, DsrCase>();
  readonly refusals: string[] = [];

  /** A case whose plan deletes the person's `count` records in one connected system, `crm`. */
  static erasure(count: number, now: Date): PlanCases {
    const info: ConnectorInfo = {
      id: 'crm',
      displayName: 'Customer Engagement',
      capabilities: ['find', 'delete'],
      manualSteps: {},
    };
    const findings: SystemFindings = {
      systemId: 'crm',
      displayName: 'Customer Engagement',
      status: 'found',
      counts: { activity: count - 1, contact: 1 },
      records: [{ kind: 'contact', id: 'contact-1', fields: {}, matchedOn: ['email'] }],
      queries: [],
      at: now.toISOString(),
      durationMs: 1,
    };
    const base = sampleCase({
      status: 'actions',
      requestTypes: ['delete'],
      findings: {
        query: { names: [], emails: ['maria@example.org'], phones: [], customerNumbers: [], employeeIds: [] },
        systems: [findings],
        updatedAt: now.toISOString(),
      },
    });
    const cases = new PlanCases();
    cases.cases.set(base.id, { ...base, plan: buildPlan(base, [info], new Set(['crm']), now) });
    return cases;
  }

  get service(): CaseService {
    return this as unknown as CaseService;
  }

  viewCase(_actor: Actor, caseId: string): Promise<DsrCase | undefined> {
    return Promise.resolve(this.cases.get(caseId));
  }

  act(actor: Actor, caseId: string, version: number, action: CaseAction): Promise<ActResult> {
    const current = this.cases.get(caseId);
    if (!current) return Promise.resolve({ ok: false, refusal: 'not-found', message: 'No such case.' });
    if (current.version !== version)
      return Promise.resolve({ ok: false, refusal: 'stale', message: 'Changed meanwhile.', case: current });
    const change = applyPlanCaseAction(current, action as PlanCaseAction, actor, new Date());
    if ('invalid' in change) {
      this.refusals.push(inEnglish(change.invalid));
      return Promise.resolve({
        ok: false,
        refusal: 'invalid-transition',
        message: inEnglish(change.invalid),
        said: change.invalid,
        case: current,
      });
    }
    const next = { ...change.next, version: current.version + 1 };
    this.cases.set(caseId, next);
    return Promise.resolve({ ok: true, case: next });
  }

  /** The case service's own retry over `viewCase` and `act`, so the workflows record their outcome as in production. */
  actOnLatest(actor: Actor, caseId: string, action: CaseAction): Promise<ActResult> {
    return CaseService.prototype.actOnLatest.call(this.service, actor, caseId, action);
  }

  recordRefusal(_actor: Actor, action: string): Promise<void> {
    this.refusals.push(action);
    return Promise.resolve();
  }
}

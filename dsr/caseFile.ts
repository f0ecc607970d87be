import type { AuditEvent } from './audit.js';
import type { DsrCase } from './case.js';
import type { ChangeLedger, LedgerKey } from './ports/changeLedger.js';

/** Every preview of the case's steps, the ones that ran included: the ledger keeps one list per preview. */
function ledgerKeys(dsrCase: DsrCase): LedgerKey[] {
  const keys = new Map<string, LedgerKey>();
  for (const step of dsrCase.plan?.steps ?? []) {
    for (const previewHash of [...(step.ranPreviews ?? []), ...(step.preview ? [step.preview.hash] : [])]) {
      keys.set(`${step.id}/${previewHash}`, { caseId: dsrCase.id, stepId: step.id, previewHash });
    }
  }
  return [...keys.values()];
}

/**
 * The whole record of a case as one JSON document, written piece by piece: the case, its audit
 * trail, and for each preview of a step that changed data, its targets and their outcomes (a ledger
 * may hold a million records, so nothing is gathered in memory first).
 */
export async function* caseFileJson(
  dsrCase: DsrCase,
  trail: AsyncIterable<AuditEvent>,
  ledger: Pick<ChangeLedger, 'targets' | 'outcomes'>,
): AsyncGenerator<string> {
  yield `{"case":${JSON.stringify(dsrCase)},"auditTrail":[`;
  let first = true;
  for await (const event of trail) {
    yield `${first ? '' : ','}${JSON.stringify(event)}`;
    first = false;
  }
  yield '],"ledger":[';
  let firstKey = true;
  for (const key of ledgerKeys(dsrCase)) {
    yield `${firstKey ? '' : ','}{"stepId":${JSON.stringify(key.stepId)},"previewHash":${JSON.stringify(key.previewHash)},"targets":[`;
    firstKey = false;
    let firstTarget = true;
    for await (const target of ledger.targets(key)) {
      yield `${firstTarget ? '' : ','}${JSON.stringify(target)}`;
      firstTarget = false;
    }
    yield '],"outcomes":[';
    let firstOutcome = true;
    for await (const outcome of ledger.outcomes(key)) {
      yield `${firstOutcome ? '' : ','}${JSON.stringify(outcome)}`;
      firstOutcome = false;
    }
    yield ']}';
  }
  yield ']}\n';
}

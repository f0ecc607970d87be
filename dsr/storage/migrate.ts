import { verifyChain, type AuditEvent } from '../audit.js';
import type { PortableStore } from './portable.js';

export interface StoreCounts {
  cases: number;
  auditEvents: number;
  stateEntries: number;
  idCounters: number;
}

export interface CopyReport {
  source: StoreCounts;
  target: StoreCounts;
  /** The head hash of the trail on both sides: equal when the trail was copied event for event. */
  headHash: string;
}

const BATCH = 500;

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export async function countStore(store: PortableStore): Promise<StoreCounts> {
  let auditEvents = 0;
  for await (const _ of store.auditEvents()) auditEvents += 1;
  let stateEntries = 0;
  for await (const _ of store.stateEntries()) stateEntries += 1;
  return {
    cases: (await store.listCases({})).length,
    auditEvents,
    stateEntries,
    idCounters: Object.keys(await store.counters()).length,
  };
}

/**
 * Copies a whole deployment into an empty store: cases, id counters, conversation state and the
 * audit trail event for event (original hashes kept), then proves it by counts and by verifying
 * the chain on the target. Both stores should be closed to the bot while this runs.
 */
export async function copyStore(source: PortableStore, target: PortableStore): Promise<CopyReport> {
  const before = await countStore(target);
  if (before.cases > 0 || before.auditEvents > 0) {
    throw new MigrationError(
      `The target already holds ${before.cases} cases and ${before.auditEvents} audit events; copy only into an empty store`,
    );
  }
  const sourceVerdict = await verifyChain(source.auditEvents());
  if (!sourceVerdict.intact) {
    throw new MigrationError(
      `The source audit trail is broken at event #${sourceVerdict.brokenAt}: ${sourceVerdict.reason}`,
    );
  }

  let batch: AuditEvent[] = [];
  for await (const event of source.auditEvents()) {
    batch.push(event);
    if (batch.length >= BATCH) {
      await target.importAuditEvents(batch);
      batch = [];
    }
  }
  await target.importAuditEvents(batch);
  for (const dsrCase of await source.listCases({})) await target.importCase(dsrCase);
  for (const [year, last] of Object.entries(await source.counters())) await target.raiseCounter(Number(year), last);
  for await (const { key, value } of source.stateEntries()) await target.state.write({ [key]: { value } });

  const sourceCounts = await countStore(source);
  const targetCounts = await countStore(target);
  for (const key of Object.keys(sourceCounts) as Array<keyof StoreCounts>) {
    if (sourceCounts[key] !== targetCounts[key]) {
      throw new MigrationError(`The copy holds ${targetCounts[key]} ${key}, the source ${sourceCounts[key]}`);
    }
  }
  const targetVerdict = await verifyChain(target.auditEvents());
  if (!targetVerdict.intact) {
    throw new MigrationError(`The copied audit trail does not verify at event #${targetVerdict.brokenAt}`);
  }
  if (targetVerdict.headHash !== sourceVerdict.headHash) {
    throw new MigrationError('The copied audit trail ends at a different hash from the source');
  }
  return { source: sourceCounts, target: targetCounts, headHash: targetVerdict.headHash };
}

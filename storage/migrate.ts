import { verifyChain, type AuditEvent } from '../dsr/audit.js';
import { inEnglish } from '../i18n/index.js';
import type { ChangeLedger } from '../dsr/ports/changeLedger.js';
import type { PortableStore } from './portable.js';
import type { PortableOutbox } from './postgresShared.js';

export interface StoreCounts {
  cases: number;
  auditEvents: number;
  stateEntries: number;
  idCounters: number;
  /** Of the state entries: where the bot reaches people, case threads and the privacy channel. */
  conversationReferences: number;
  outboxMessages: number;
  /** Of the outbox messages: reminders and digests, whose ids are the keys that keep them from going twice. */
  reminderKeys: number;
  /** Targets of the steps that change data, and the outcomes recorded for them (with restrictions' before-state). */
  changeTargets: number;
  changeOutcomes: number;
}

/** A deployment's case store and the outbox beside it. */
export interface Deployment {
  store: PortableStore;
  outbox: PortableOutbox;
  ledger: ChangeLedger;
}

// The key shapes the bot layer writes (teams/proactiveNotifier.ts, dsr/reminders/schedule.ts).
const REFERENCE_KEY = /^dsr\/(user\/|thread\/|privacy-channel$)/;
const REMINDER_ID = /^(DSR-\d{4}-\d{4}\|(due|overdue|approval|identity)\||digest\|)/;

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

export async function countStore({ store, outbox, ledger }: Deployment): Promise<StoreCounts> {
  let auditEvents = 0;
  for await (const _ of store.auditEvents()) auditEvents += 1;
  let stateEntries = 0;
  let conversationReferences = 0;
  for await (const { key } of store.stateEntries()) {
    stateEntries += 1;
    if (REFERENCE_KEY.test(key)) conversationReferences += 1;
  }
  let outboxMessages = 0;
  let reminderKeys = 0;
  for await (const record of outbox.records()) {
    outboxMessages += 1;
    if (REMINDER_ID.test(record.id)) reminderKeys += 1;
  }
  let changeTargets = 0;
  let changeOutcomes = 0;
  for await (const key of ledger.keys()) {
    changeTargets += (await ledger.tally(key)).total;
    for await (const _ of ledger.outcomes(key)) changeOutcomes += 1;
  }
  return {
    cases: (await store.listCases({})).length,
    auditEvents,
    stateEntries,
    idCounters: Object.keys(await store.counters()).length,
    conversationReferences,
    outboxMessages,
    reminderKeys,
    changeTargets,
    changeOutcomes,
  };
}

/**
 * Copies a whole deployment into an empty store: cases, id counters, conversation state (with the
 * conversation references), the outbox with its reminder keys (sent or waiting, so nothing goes
 * twice or is lost), the ledger of the steps that change data (targets and outcomes), and the
 * audit trail event for event (original hashes kept), then proves it by counts and by verifying the
 * chain on the target. Every bot instance should be stopped meanwhile. Leases, rate-limit history
 * and export packages are short-lived and not copied.
 */
export async function copyStore(from: Deployment, to: Deployment): Promise<CopyReport> {
  const source = from.store;
  const target = to.store;
  const before = await countStore(to);
  if (before.cases > 0 || before.auditEvents > 0 || before.outboxMessages > 0 || before.changeTargets > 0) {
    throw new MigrationError(
      `The target already holds ${before.cases} cases, ${before.auditEvents} audit events and ${before.outboxMessages} outbox messages; copy only into an empty store`,
    );
  }
  const sourceVerdict = await verifyChain(source.auditEvents());
  if (!sourceVerdict.intact) {
    throw new MigrationError(
      `The source audit trail is broken at event #${sourceVerdict.brokenAt}: ${inEnglish(sourceVerdict.reason)}`,
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
  for await (const record of from.outbox.records()) await to.outbox.importRecord(record);
  // Per-record progress and the before-state of restrictions, so a step resumes and a restriction lifts after the move.
  for await (const key of from.ledger.keys()) {
    await to.ledger.writeTargets(key, from.ledger.targets(key));
    for await (const { targetId, outcome } of from.ledger.outcomes(key)) {
      await to.ledger.recordOutcome(key, targetId, outcome);
    }
  }

  const sourceCounts = await countStore(from);
  const targetCounts = await countStore(to);
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

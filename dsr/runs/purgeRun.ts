import { randomUUID } from 'node:crypto';
import type { CaseService } from '../caseService.js';
import type { ChangeLedger } from '../ports/changeLedger.js';
import type { Clock } from '../clock.js';
import type { LeaseStore } from '../ports/leases.js';
import type { OutboxRecord, OutboxStore } from '../ports/outbox.js';
import type { IsolatedCopyStore } from '../isolatedCopies.js';
import type { PackageStore } from '../ports/packages.js';
import { identifyingTexts } from '../retention.js';
import type { CaseStore, KeyValueStore } from '../ports/store.js';
import { namedLease, RunLease } from './runLease.js';

/** Every place outside the case record where a case leaves personal data. */
export interface PurgePlaces {
  /** The per-record ledger of the steps that changed data: targets name the person's records. */
  ledger: Pick<ChangeLedger, 'forgetCase'>;
  /** Export and isolation packages: the person's data itself. */
  packages: Pick<PackageStore, 'forgetCase'>;
  /** Isolated copies of restricted records, kept until the case's retention ends at the latest. */
  isolatedCopies: Pick<IsolatedCopyStore, 'forgetCase'>;
  /** Messages the bot queued or sent: cards and reminders show the person's name. */
  outbox: Pick<OutboxStore, 'redact'>;
  /** Conversation state kept per case (a snooze's reason, a thread reference). */
  state: Pick<KeyValueStore, 'delete'>;
  stateKeys(caseId: string): string[];
  /** The reviewed snapshot and the package released to the person (see reviewSnapshot.ts). */
  released?: { forgetCase(caseId: string): Promise<void> };
}

export interface PurgeOptions {
  /** Cases taken per batch: their outbox messages are found in one look through the outbox. */
  batch: number;
  /** A pass stops after this long and leaves the rest to the next, so the reminder pass is not held up. */
  passBudgetMs: number;
  /** How long the purge stays with an instance that stops renewing it (one that died). */
  leaseMs: number;
  /**
   * Cases purged side by side: with a database each one waits mostly on round trips, which
   * overlap; few enough that a person's turn still finds a free connection.
   */
  parallel: number;
}

export const DEFAULT_PURGE_OPTIONS: PurgeOptions = { batch: 200, passBudgetMs: 20_000, leaseMs: 60_000, parallel: 4 };

const LEASE = 'purge';

/** Lets other work (a person's turn) run between two cases. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `work` on every item, at most `parallel` at a time, keeping the order of the results. */
async function inTurns<T, R>(items: T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += parallel) {
    results.push(...(await Promise.all(items.slice(start, start + parallel).map(work))));
    await yieldToOthers();
  }
  return results;
}

/**
 * Deletes the personal data of closed cases whose retention ran out. A case is first marked as
 * being purged, then every file it left is deleted, then the case record is replaced by what is
 * kept, in one save with its audit event. A crash anywhere leaves a case marked and whole, and the
 * next pass finishes it: never half a case. Sharing a store, one instance purges at a time (a lease).
 */
export class CasePurger {
  /** Without a lease store (one instance alone) the purge needs no lease. */
  private readonly lease: RunLease | undefined;

  constructor(
    private readonly store: Pick<CaseStore, 'casesToPurge'>,
    private readonly cases: Pick<CaseService, 'actAsSystem'>,
    private readonly places: PurgePlaces,
    private readonly clock: Clock,
    leases: LeaseStore | undefined,
    private readonly options: PurgeOptions = DEFAULT_PURGE_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {
    this.lease = leases
      ? new RunLease(namedLease(leases, LEASE, randomUUID()), () => new Date(this.now()), options.leaseMs)
      : undefined;
  }

  /** Purges what is due, batch by batch, until nothing is or the pass's time is up; says how many. */
  async pass(): Promise<{ purged: number; caseIds: string[] }> {
    const started = this.now();
    const caseIds: string[] = [];
    try {
      while (this.now() - started < this.options.passBudgetMs) {
        // Taken, then renewed, before each batch.
        if (this.lease && !(await this.lease.claim())) break;
        const due = await this.store.casesToPurge(this.clock.now(), this.options.batch);
        if (due.length === 0) break;
        const done = await this.purgeBatch(due.map((c) => c.id));
        caseIds.push(...done);
        // A batch where nothing could be purged would come back unchanged; the next pass tries again.
        if (done.length === 0) break;
      }
    } finally {
      await this.lease?.release().catch(() => undefined);
    }
    return { purged: caseIds.length, caseIds };
  }

  private async purgeBatch(ids: string[]): Promise<string[]> {
    const started = await inTurns(ids, this.options.parallel, async (id) => {
      const result = await this.cases.actAsSystem(id, { kind: 'startPurge' });
      // Refused: already started by a pass that stopped (resume it), or changed meanwhile (a hold).
      const dsrCase = result.case;
      if (!dsrCase?.purge || dsrCase.purge.doneAt) return undefined;
      await this.places.ledger.forgetCase(id);
      await this.places.packages.forgetCase(id);
      await this.places.released?.forgetCase(id);
      await this.places.isolatedCopies.forgetCase(id);
      await this.places.state.delete(this.places.stateKeys(id));
      return dsrCase;
    });
    const marked = started.flatMap((dsrCase) => (dsrCase ? [dsrCase.id] : []));
    const texts = started.flatMap((dsrCase) => (dsrCase ? [dsrCase.id, ...identifyingTexts(dsrCase)] : []));
    if (marked.length === 0) return [];
    const inBatch = new Set(marked);
    const lowered = [...new Set(texts.map((t) => t.toLowerCase()))];
    await this.places.outbox.redact((record: OutboxRecord) => {
      if (record.caseId !== undefined && inBatch.has(record.caseId)) return true;
      // A daily digest lists several cases and belongs to none: it is found by what it says.
      if (Object.keys(record.activity).length === 0) return false;
      const payload = JSON.stringify(record.activity).toLowerCase();
      return lowered.some((text) => payload.includes(text));
    });
    const completed = await inTurns(marked, this.options.parallel, async (id) => {
      const result = await this.cases.actAsSystem(id, { kind: 'completePurge' });
      return result.ok ? id : undefined;
    });
    return completed.filter((id): id is string => id !== undefined);
  }
}

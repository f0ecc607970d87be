import { randomUUID } from 'node:crypto';
import type { ChangeTarget } from '../dsr/changes.js';
import {
  emptyTally,
  inRunOrder,
  type ChangeLedger,
  type LedgerKey,
  type LedgerOutcome,
  type LedgerTally,
  type RestoredTarget,
} from '../dsr/ports/changeLedger.js';
import type { PostgresCaseStore } from './postgresStore.js';

const PAGE = 1000;
/** Rows renamed from aside to their preview's hash per statement. */
const RENAME_SLICE = 50_000;
/** The prefix of rows written aside; never a hash (hex only), so never a preview's key. */
const STAGING = 'aside:';
const DONE = ['applied', 'gone', 'lifted'];

type Store = Pick<PostgresCaseStore, 'read' | 'write' | 'transaction' | 'table'>;

/**
 * The ledger in the shared PostgreSQL database (tables of migration 2), so every instance sees the
 * same progress and leases. Lists are read a page at a time by position, never all at once.
 */
export class PostgresChangeLedger implements ChangeLedger {
  constructor(private readonly store: Store) {}

  open(): Promise<void> {
    // The tables come with the case store's migrations.
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private get t() {
    return {
      targets: this.store.table('change_targets'),
      outcomes: this.store.table('change_outcomes'),
      leases: this.store.table('change_leases'),
    };
  }

  async writeTargets(key: LedgerKey, targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>): Promise<number> {
    return (await this.writePreview(key, targets, () => key.previewHash)).count;
  }

  async writePreview(
    step: { caseId: string; stepId: string },
    targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>,
    sealed: () => string,
  ): Promise<{ key: LedgerKey; count: number }> {
    // Written aside under a name of their own, a page per statement (a page written twice by a
    // retried statement is kept once), and named by the hash once the last one is in. Rows a crash
    // leaves aside are never read, and go with the case.
    const aside = `${STAGING}${randomUUID()}`;
    let count = 0;
    let page: ChangeTarget[] = [];
    const flush = async () => {
      if (page.length === 0) return;
      const first = count - page.length;
      await this.store.write(
        `INSERT INTO ${this.t.targets} (case_id, step_id, preview_hash, seq, target_id, target)
         SELECT $1, $2, $3, s, id, t FROM unnest($4::int[], $5::text[], $6::jsonb[]) AS u(s, id, t)
         ON CONFLICT DO NOTHING`,
        [
          step.caseId,
          step.stepId,
          aside,
          page.map((_, n) => first + n),
          page.map((t) => t.id),
          page.map((t) => JSON.stringify(t)),
        ],
      );
      page = [];
    };
    try {
      for await (const target of inRunOrder(targets)) {
        page.push(target);
        count += 1;
        if (page.length === PAGE) await flush();
      }
      await flush();
    } catch (error) {
      await this.dropAside(step, aside);
      throw error;
    }
    const key = { caseId: step.caseId, stepId: step.stepId, previewHash: sealed() };
    await this.store.transaction(async (client) => {
      // Two instances writing the same preview at once: one names its rows, the other finds it written.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `${key.caseId}|${key.stepId}|${key.previewHash}`,
      ]);
      const written = await client.query(
        `SELECT 1 FROM ${this.t.targets} WHERE case_id = $1 AND step_id = $2 AND preview_hash = $3 LIMIT 1`,
        [key.caseId, key.stepId, key.previewHash],
      );
      if (written.rowCount) {
        await client.query(`DELETE FROM ${this.t.targets} WHERE case_id = $1 AND step_id = $2 AND preview_hash = $3`, [
          key.caseId,
          key.stepId,
          aside,
        ]);
        return;
      }
      // A slice of positions per statement, so a million rows never meet the statement timeout.
      for (let from = 0; from < count; from += RENAME_SLICE) {
        await client.query(
          `UPDATE ${this.t.targets} SET preview_hash = $4
            WHERE case_id = $1 AND step_id = $2 AND preview_hash = $3 AND seq >= $5 AND seq < $6`,
          [key.caseId, key.stepId, aside, key.previewHash, from, from + RENAME_SLICE],
        );
      }
    });
    return { key, count };
  }

  private async dropAside(step: { caseId: string; stepId: string }, aside: string): Promise<void> {
    await this.store
      .write(`DELETE FROM ${this.t.targets} WHERE case_id = $1 AND step_id = $2 AND preview_hash = $3`, [
        step.caseId,
        step.stepId,
        aside,
      ])
      .catch(() => undefined);
  }

  /** Pages through the targets joined with their latest outcome, by position. */
  private async *joined(
    key: LedgerKey,
    filter: string,
  ): AsyncGenerator<{ target: ChangeTarget; outcome: LedgerOutcome | null }> {
    let last = -1;
    for (;;) {
      const { rows } = await this.store.read<{ seq: number; target: ChangeTarget; outcome: LedgerOutcome | null }>(
        `SELECT t.seq, t.target, o.outcome FROM ${this.t.targets} t
           LEFT JOIN ${this.t.outcomes} o
             ON o.case_id = t.case_id AND o.step_id = t.step_id AND o.preview_hash = t.preview_hash
            AND o.target_id = t.target_id
          WHERE t.case_id = $1 AND t.step_id = $2 AND t.preview_hash = $3 AND t.seq > $4 ${filter}
          ORDER BY t.seq LIMIT ${PAGE}`,
        [key.caseId, key.stepId, key.previewHash, last],
      );
      for (const row of rows) yield { target: row.target, outcome: row.outcome };
      if (rows.length < PAGE) return;
      last = rows[rows.length - 1]!.seq;
    }
  }

  async *targets(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    for await (const row of this.joined(key, '')) yield row.target;
  }

  async *pending(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    const done = DONE.map((s) => `'${s}'`).join(', ');
    for await (const row of this.joined(key, `AND (o.status IS NULL OR o.status NOT IN (${done}))`)) yield row.target;
  }

  async recordOutcome(key: LedgerKey, targetId: string, outcome: LedgerOutcome): Promise<void> {
    await this.store.write(
      `INSERT INTO ${this.t.outcomes} (case_id, step_id, preview_hash, target_id, status, outcome)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (case_id, step_id, preview_hash, target_id)
       DO UPDATE SET status = EXCLUDED.status, outcome = EXCLUDED.outcome, at = now()`,
      [key.caseId, key.stepId, key.previewHash, targetId, outcome.status, JSON.stringify(outcome)],
    );
  }

  async *restorable(key: LedgerKey): AsyncGenerator<RestoredTarget> {
    for await (const row of this.joined(key, `AND o.status = 'applied'`)) {
      if (row.outcome?.status === 'applied' && row.outcome.before)
        yield { target: row.target, before: row.outcome.before };
    }
  }

  async *applied(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    for await (const row of this.joined(key, `AND o.status = 'applied'`)) yield row.target;
  }

  async tally(key: LedgerKey): Promise<LedgerTally> {
    const keys = [key.caseId, key.stepId, key.previewHash];
    const where = 'case_id = $1 AND step_id = $2 AND preview_hash = $3';
    const total = await this.store.read<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.t.targets} WHERE ${where}`,
      keys,
    );
    const byStatus = await this.store.read<{ status: keyof LedgerTally; n: string }>(
      `SELECT status, count(*) AS n FROM ${this.t.outcomes} WHERE ${where} GROUP BY status`,
      keys,
    );
    const tally = emptyTally();
    tally.total = Number(total.rows[0]?.n ?? 0);
    for (const row of byStatus.rows) tally[row.status] = Number(row.n);
    return tally;
  }

  async *keys(): AsyncGenerator<LedgerKey> {
    const { rows } = await this.store.read<{ case_id: string; step_id: string; preview_hash: string }>(
      `SELECT DISTINCT case_id, step_id, preview_hash FROM ${this.t.targets}
        WHERE preview_hash NOT LIKE '${STAGING}%' ORDER BY case_id, step_id, preview_hash`,
      [],
    );
    for (const row of rows) yield { caseId: row.case_id, stepId: row.step_id, previewHash: row.preview_hash };
  }

  async *outcomes(key: LedgerKey): AsyncGenerator<{ targetId: string; outcome: LedgerOutcome }> {
    let last = '';
    for (;;) {
      const { rows } = await this.store.read<{ target_id: string; outcome: LedgerOutcome }>(
        `SELECT target_id, outcome FROM ${this.t.outcomes}
          WHERE case_id = $1 AND step_id = $2 AND preview_hash = $3 AND target_id > $4
          ORDER BY target_id LIMIT ${PAGE}`,
        [key.caseId, key.stepId, key.previewHash, last],
      );
      for (const row of rows) yield { targetId: row.target_id, outcome: row.outcome };
      if (rows.length < PAGE) return;
      last = rows[rows.length - 1]!.target_id;
    }
  }

  async claimLease(caseId: string, stepId: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const result = await this.store.write(
      `INSERT INTO ${this.t.leases} AS l (case_id, step_id, holder, until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (case_id, step_id) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
        WHERE l.holder = EXCLUDED.holder OR l.until <= $5`,
      [caseId, stepId, holder, until.toISOString(), now.toISOString()],
    );
    return result.rowCount === 1;
  }

  async forgetCase(caseId: string): Promise<void> {
    await this.store.transaction(async (client) => {
      for (const table of [this.t.targets, this.t.outcomes, this.t.leases]) {
        await client.query(`DELETE FROM ${table} WHERE case_id = $1`, [caseId]);
      }
    });
  }

  async releaseLease(caseId: string, stepId: string, holder: string): Promise<void> {
    await this.store.write(`DELETE FROM ${this.t.leases} WHERE case_id = $1 AND step_id = $2 AND holder = $3`, [
      caseId,
      stepId,
      holder,
    ]);
  }

  async lease(caseId: string, stepId: string): Promise<{ holder: string; until: string } | undefined> {
    const { rows } = await this.store.read<{ holder: string; until: Date }>(
      `SELECT holder, until FROM ${this.t.leases} WHERE case_id = $1 AND step_id = $2`,
      [caseId, stepId],
    );
    const row = rows[0];
    return row ? { holder: row.holder, until: row.until.toISOString() } : undefined;
  }
}

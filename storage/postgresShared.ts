import { unlink } from 'node:fs/promises';
import type { DsrCase } from '../dsr/case.js';
import type { LeaseStore } from '../dsr/ports/leases.js';
import {
  pendingRecord,
  type OutboxMessage,
  type OutboxRecord,
  type OutboxSettlement,
  type OutboxStore,
} from '../dsr/ports/outbox.js';
import { removeCasePackages, type PackageRecord, type PackageStore } from '../dsr/ports/packages.js';
import { sweepPackages } from '../dsr/runs/packageRun.js';
import type { PostgresCaseStore } from './postgresStore.js';

interface OutboxRow {
  record: OutboxRecord;
}

/** Something that can be copied record for record between backends. */
export interface PortableOutbox extends OutboxStore {
  records(): AsyncIterable<OutboxRecord>;
  /** Writes a record as it is, status and attempts included; an id already there is left alone. */
  importRecord(record: OutboxRecord): Promise<void>;
}

/**
 * The outbox shared by every instance. A send is claimed by a lease on its row, taken with
 * `FOR UPDATE SKIP LOCKED` so instances looking at once never wait on or take the same message;
 * a sender that dies leaves a lease that runs out, and another instance sends the message then.
 */
export class PostgresOutboxStore implements PortableOutbox {
  private readonly leases: PostgresLeaseStore;

  constructor(private readonly db: PostgresCaseStore) {
    this.leases = new PostgresLeaseStore(db);
  }

  open(): Promise<void> {
    // The case store's migrations create the tables.
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private get table(): string {
    return this.db.table('outbox');
  }

  async enqueue(message: OutboxMessage, now: Date): Promise<boolean> {
    const record = pendingRecord(message, now);
    const result = await this.db.write(
      `INSERT INTO ${this.table} (id, conversation_key, status, not_before, enqueued_at, record)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [record.id, record.conversationKey, record.status, record.notBefore, record.enqueuedAt, JSON.stringify(record)],
    );
    return result.rowCount === 1;
  }

  async due(now: Date, limit: number): Promise<OutboxRecord[]> {
    const result = await this.db.read<OutboxRow>(
      `SELECT record FROM ${this.table}
        WHERE status = 'pending' AND not_before <= $1 AND (lease_until IS NULL OR lease_until <= $1)
        ORDER BY not_before, enqueued_at LIMIT $2`,
      [now.toISOString(), limit],
    );
    return result.rows.map((row) => row.record);
  }

  async get(id: string): Promise<OutboxRecord | undefined> {
    const result = await this.db.read<OutboxRow>(`SELECT record FROM ${this.table} WHERE id = $1`, [id]);
    return result.rows[0]?.record;
  }

  async claim(id: string, owner: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const result = await this.db.write(
      `UPDATE ${this.table} SET lease_owner = $2, lease_until = $4
        WHERE id = (SELECT id FROM ${this.table}
                     WHERE id = $1 AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $3)
                     FOR UPDATE SKIP LOCKED)`,
      [id, owner, now.toISOString(), leaseUntil.toISOString()],
    );
    return result.rowCount === 1;
  }

  leaseConversation(conversationKey: string, owner: string, now: Date, leaseUntil: Date): Promise<boolean> {
    return this.leases.tryHold(`conversation:${conversationKey}`, owner, now, leaseUntil);
  }

  releaseConversation(conversationKey: string, owner: string): Promise<void> {
    return this.leases.release(`conversation:${conversationKey}`, owner);
  }

  async noteAttempt(conversationKey: string, at: Date): Promise<void> {
    await this.db.write(`INSERT INTO ${this.db.table('outbox_attempts')} (conversation_key, at) VALUES ($1, $2)`, [
      conversationKey,
      at.toISOString(),
    ]);
  }

  async noteAnswer(conversationKey: string, sentAt: Date, answeredAt: Date): Promise<void> {
    const table = this.db.table('outbox_attempts');
    // One row of the two a conversation may hold at the same millisecond: each attempt moves its own.
    await this.db.write(
      `UPDATE ${table} SET at = $3 WHERE ctid = (SELECT ctid FROM ${table} WHERE conversation_key = $1 AND at = $2 LIMIT 1)`,
      [conversationKey, sentAt.toISOString(), answeredAt.toISOString()],
    );
  }

  async attemptsSince(since: Date): Promise<Array<{ conversationKey: string; at: number }>> {
    // Only the last hour matters to any limit; keep the table that short.
    await this.db.write(`DELETE FROM ${this.db.table('outbox_attempts')} WHERE at < $1`, [since.toISOString()]);
    const result = await this.db.read<{ conversation_key: string; at: Date }>(
      `SELECT conversation_key, at FROM ${this.db.table('outbox_attempts')} WHERE at >= $1 ORDER BY at`,
      [since.toISOString()],
    );
    return result.rows.map((row) => ({ conversationKey: row.conversation_key, at: row.at.getTime() }));
  }

  async beginAttempt(
    id: string,
    owner: string,
    change: Pick<OutboxRecord, 'sendingSince' | 'resentAfterCrash'>,
  ): Promise<void> {
    const result = await this.db.write(
      `UPDATE ${this.table} SET record = record || $3::jsonb WHERE id = $1 AND lease_owner = $2`,
      [id, owner, JSON.stringify(change)],
    );
    if (result.rowCount !== 1) throw new Error('The outbox lease on this message was lost');
  }

  async requeueGivenUp(conversationKey: string | undefined, now: Date): Promise<number> {
    const result = await this.db.write(
      `UPDATE ${this.table}
          SET status = 'pending', not_before = $2::timestamptz,
              record = (record - 'givenUp' - 'finishedAt')
                       || jsonb_build_object('status', 'pending', 'attempts', 0, 'notBefore', $3::text)
        WHERE status = 'failed' AND (record->>'givenUp')::boolean IS TRUE
          AND ($1::text IS NULL OR conversation_key = $1::text)`,
      [conversationKey ?? null, now.toISOString(), now.toISOString()],
    );
    return result.rowCount ?? 0;
  }

  async settle(id: string, owner: string, change: OutboxSettlement): Promise<void> {
    await this.db.transaction(async (client) => {
      const found = await client.query<OutboxRow & { lease_owner: string | null }>(
        `SELECT record, lease_owner FROM ${this.table} WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = found.rows[0];
      if (!row) return;
      const next: OutboxRecord = { ...row.record, ...change };
      delete next.sendingSince;
      const keepLease = row.lease_owner !== null && row.lease_owner !== owner;
      await client.query(
        `UPDATE ${this.table} SET status = $2, not_before = $3, record = $4,
                lease_owner = CASE WHEN $5 THEN lease_owner END,
                lease_until = CASE WHEN $5 THEN lease_until END
          WHERE id = $1`,
        [id, next.status, next.notBefore, JSON.stringify(next), keepLease],
      );
    });
  }

  async redact(match: (record: OutboxRecord) => boolean): Promise<number> {
    let redacted = 0;
    for await (const record of this.records()) {
      if (!match(record)) continue;
      const status = record.status === 'pending' ? 'cancelled' : record.status;
      await this.db.write(`UPDATE ${this.table} SET status = $2, record = $3 WHERE id = $1`, [
        record.id,
        status,
        JSON.stringify({ ...record, status, activity: {} }),
      ]);
      redacted += 1;
    }
    return redacted;
  }

  async *records(): AsyncGenerator<OutboxRecord> {
    let after = '';
    for (;;) {
      const page = await this.db.read<OutboxRow & { id: string }>(
        `SELECT id, record FROM ${this.table} WHERE id > $1 ORDER BY id LIMIT 500`,
        [after],
      );
      for (const row of page.rows) yield row.record;
      if (page.rows.length < 500) return;
      after = page.rows[page.rows.length - 1]!.id;
    }
  }

  async importRecord(record: OutboxRecord): Promise<void> {
    await this.db.write(
      `INSERT INTO ${this.table} (id, conversation_key, status, not_before, enqueued_at, record)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [record.id, record.conversationKey, record.status, record.notBefore, record.enqueuedAt, JSON.stringify(record)],
    );
  }
}

/** Leases in one table: taken when free or run out, renewed by the holder, given up on stop. */
export class PostgresLeaseStore implements LeaseStore {
  constructor(private readonly db: PostgresCaseStore) {}

  async tryHold(name: string, owner: string, now: Date, until: Date): Promise<boolean> {
    const table = this.db.table('leases');
    const result = await this.db.write(
      `INSERT INTO ${table} AS held (name, owner, until) VALUES ($1, $2, $4)
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, until = EXCLUDED.until
        WHERE held.owner = EXCLUDED.owner OR held.until <= $3`,
      [name, owner, now.toISOString(), until.toISOString()],
    );
    return result.rowCount === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.db.write(`DELETE FROM ${this.db.table('leases')} WHERE name = $1 AND owner = $2`, [name, owner]);
  }
}

interface PackageRow {
  case_id: string;
  package_id: string;
  owner_id: string;
  expires_at: Date;
  bytes: string;
  path: string;
}

const packageOf = (row: PackageRow): PackageRecord => ({
  caseId: row.case_id,
  packageId: row.package_id,
  ownerId: row.owner_id,
  expiresAt: row.expires_at.toISOString(),
  bytes: Number(row.bytes),
  path: row.path,
});

/**
 * Package metadata every instance reads, so a link made on one opens on another (the files
 * themselves sit in a folder all instances share). Expired rows are deleted and returned in one
 * statement, so of several sweepers exactly one deletes each file.
 */
export class PostgresPackageStore implements PackageStore {
  /**
   * `leftovers`: the shared folder, where a file whose row was never written (the instance died
   * between the two) is deleted once it is older than any link to it could be.
   */
  constructor(
    private readonly db: PostgresCaseStore,
    private readonly leftovers?: { dir: string; maxAgeMs: number },
  ) {}

  async record(entry: PackageRecord): Promise<void> {
    await this.db.write(
      `INSERT INTO ${this.db.table('packages')} (package_id, case_id, owner_id, expires_at, bytes, path)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (package_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, owner_id = EXCLUDED.owner_id`,
      [entry.packageId, entry.caseId, entry.ownerId, entry.expiresAt, entry.bytes, entry.path],
    );
  }

  async get(caseId: string, packageId: string): Promise<PackageRecord | undefined> {
    const result = await this.db.read<PackageRow>(
      `SELECT * FROM ${this.db.table('packages')} WHERE package_id = $1 AND case_id = $2`,
      [packageId, caseId],
    );
    const row = result.rows[0];
    return row ? packageOf(row) : undefined;
  }

  async sweep(now: Date): Promise<number> {
    const result = await this.db.write(`DELETE FROM ${this.db.table('packages')} WHERE expires_at <= $1 RETURNING *`, [
      now.toISOString(),
    ]);
    const rows = result.rows as PackageRow[];
    for (const row of rows) await unlink(row.path).catch(() => undefined);
    if (this.leftovers) await sweepPackages(this.leftovers.dir, this.leftovers.maxAgeMs, now);
    return rows.length;
  }

  async forgetCase(caseId: string): Promise<void> {
    const result = await this.db.write(`DELETE FROM ${this.db.table('packages')} WHERE case_id = $1 RETURNING path`, [
      caseId,
    ]);
    for (const row of result.rows as Array<{ path: string }>) await unlink(row.path).catch(() => undefined);
    if (this.leftovers) await removeCasePackages(this.leftovers.dir, caseId);
  }
}

/**
 * Cases changed since a moment, by the database's clock. A transaction that commits late carries
 * an earlier time, so the next cursor is kept a minute behind: seeing a change twice is harmless.
 */
export class PostgresCaseChanges {
  private cursor: Date | undefined;

  constructor(private readonly db: PostgresCaseStore) {}

  /** Starts watching from now; what changed before is in the index being built. */
  async mark(): Promise<void> {
    const result = await this.db.read<{ at: Date }>('SELECT clock_timestamp() AS at', []);
    this.cursor = new Date(result.rows[0]!.at.getTime() - 60_000);
  }

  async next(): Promise<DsrCase[]> {
    if (!this.cursor) await this.mark();
    const result = await this.db.read<{ body: DsrCase; at: Date }>(
      `SELECT body, clock_timestamp() AS at FROM ${this.db.table('cases')} WHERE changed_at > $1 ORDER BY changed_at`,
      [this.cursor!.toISOString()],
    );
    const at = result.rows[0]?.at;
    if (at) this.cursor = new Date(at.getTime() - 60_000);
    return result.rows.map((row) => row.body);
  }
}

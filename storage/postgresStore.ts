import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { AuditKeys } from '../dsr/auditKeys.js';
import {
  keyIntroduction,
  needsKeyIntroduction,
  sealEvent,
  type AuditDraft,
  type AuditEvent,
  type AuditHead,
} from '../dsr/audit.js';
import { formatCaseId, isOpen, type DsrCase } from '../dsr/case.js';
import {
  DuplicateIntakeError,
  StateConflictError,
  VersionConflictError,
  type CaseQuery,
  type KeyValueStore,
  type NewCase,
} from '../dsr/ports/store.js';
import type { SubjectKeys } from '../dsr/repeats.js';
import { MIGRATIONS } from './postgresMigrations.js';
import type { PortableStore } from './portable.js';

/**
 * The database could not be reached or dropped the connection mid-request. When `maybeApplied`
 * is false the change certainly did not happen; when true the commit was sent and its outcome
 * is unknown, so the person should check before trying again.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly maybeApplied: boolean,
    options?: { cause?: unknown },
  ) {
    super('The case database is not reachable just now', options);
    this.name = 'StoreUnavailableError';
  }
}

export interface PostgresStoreOptions {
  connectionString: string;
  /** Every table lives in this schema, so one database can hold several deployments (or test runs). */
  schema?: string;
  poolSize?: number;
  /** The server ends a statement running longer than this (PostgreSQL `statement_timeout`). */
  statementTimeoutMs?: number;
  /** Waiting for a connection, new or from the pool, ends after this. */
  connectTimeoutMs?: number;
  /** Seal new audit events with HMAC-SHA256 under these keys; without them, plain SHA-256. */
  auditKeys?: AuditKeys;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Migrations wait for each other's lock and may rewrite tables: far longer than any request. */
const MIGRATION_TIMEOUT_MS = 10 * 60_000;
/** The health probe's own limit, well inside the 2 s a load balancer's probe allows. */
const HEALTH_QUERY_TIMEOUT_MS = 1_000;

/** What the health probe found wrong, in words for an operator; never a person's data. */
export class StoreHealthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreHealthError';
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const AUDIT_PAGE = 500;
/** Tries of one statement or transaction that lost its connection before anything could have changed. */
const ATTEMPTS = 3;
/** One advisory lock key for migrations of any schema: they are rare and short. */
const MIGRATION_LOCK = 724_113_901;

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Error codes and messages that mean the connection, not the statement, failed. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 57P: the server is shutting down or terminated this backend; 08: connection exceptions.
    if (code.startsWith('57P') || code.startsWith('08')) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code)) return true;
  }
  return /Connection terminated|Client has encountered a connection error|connection timeout|not queryable/i.test(
    error.message,
  );
}

interface CaseRow {
  body: DsrCase;
}

interface EventRow {
  event: AuditEvent;
}

/**
 * The shared store for several bot instances on one PostgreSQL database. Every write is one
 * transaction: the case row is changed only at the version the caller read, and the audit event
 * is chained under a row lock on the chain head, so instances never fork the trail.
 */
export class PostgresCaseStore implements PortableStore {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly state: KeyValueStore;
  readonly auditKeys: AuditKeys | undefined;

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema ?? 'dsr';
    if (!SCHEMA_NAME.test(schema)) throw new Error(`"${schema}" is not a usable schema name`);
    this.schema = schema;
    this.auditKeys = options.auditKeys;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      // pg-pool applies this both to opening a connection and to waiting for a free one.
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      // The client-side bound for a server or network that stalls and never answers, where the
      // server's own statement_timeout cannot fire.
      query_timeout: (options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS) + 5_000,
      // Names the deployment in pg_stat_activity, so an operator can tell its connections apart.
      application_name: `dsr-assistant:${schema}`,
    });
    // A pooled connection the server closes while idle must not take the process down; the pool
    // drops it and the next query opens a fresh one.
    this.pool.on('error', () => undefined);
    // The server can also drop a connection that is checked out, between two statements of a
    // transaction; the next query reports it, so the event itself must not end the process.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.state = new PostgresStateStore(this);
  }

  table(name: string): string {
    return `${pg.escapeIdentifier(this.schema)}.${pg.escapeIdentifier(name)}`;
  }

  async open(): Promise<void> {
    const client = await this.connect();
    try {
      await client.query('SET statement_timeout = 0');
      // Several instances starting together queue here; the first migrates, the rest find nothing to do.
      await client.query({
        text: 'SELECT pg_advisory_lock($1)',
        values: [MIGRATION_LOCK],
        query_timeout: MIGRATION_TIMEOUT_MS,
      } as pg.QueryConfig);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(this.schema)}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${this.table('schema_migrations')} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
        );
        const done = await client.query<{ version: number }>(`SELECT version FROM ${this.table('schema_migrations')}`);
        const applied = new Set(done.rows.map((row) => row.version));
        for (const migration of MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          await client.query('BEGIN');
          try {
            for (const statement of migration.statements((name) => this.table(name))) {
              await client.query({ text: statement, query_timeout: MIGRATION_TIMEOUT_MS } as pg.QueryConfig);
            }
            await client.query(`INSERT INTO ${this.table('schema_migrations')} (version, name) VALUES ($1, $2)`, [
              migration.version,
              migration.name,
            ]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        await client.query('RESET statement_timeout');
      }
    } finally {
      client.release();
    }
    await this.introduceKey();
  }

  /** Under the head's lock, so instances starting together with a new key record it once. */
  private async introduceKey(): Promise<void> {
    const keys = this.auditKeys;
    if (!keys) return;
    await this.transaction(async (client) => {
      const head = await this.lockHead(client);
      const last = await client.query<EventRow>(`SELECT event FROM ${this.table('audit_events')} WHERE seq = $1`, [
        head.seq,
      ]);
      const event = last.rows[0]?.event;
      if (needsKeyIntroduction(event, keys)) await this.append(client, keyIntroduction(event, keys, new Date()));
    });
  }

  /**
   * Reads the product's own tables as every request does, on a fresh answer from the server:
   * the schema's migration level and the audit trail's head.
   * @throws StoreHealthError naming what is wrong
   */
  async checkHealth(): Promise<{ schemaVersion: number }> {
    let client: pg.PoolClient;
    const connecting = this.pool.connect();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new StoreHealthError('The database did not answer in time')),
        HEALTH_QUERY_TIMEOUT_MS,
      );
    });
    try {
      client = await Promise.race([connecting, late]);
    } catch (error) {
      // A connection that arrives after the probe gave up goes back to the pool unused.
      connecting.then(
        (unused) => unused.release(),
        () => undefined,
      );
      if (error instanceof StoreHealthError) throw error;
      throw new StoreHealthError('The database is not reachable', { cause: error });
    } finally {
      clearTimeout(timer);
    }
    let broken: Error | undefined;
    try {
      const result = await client.query<{ version: number | null; seq: string | null }>({
        text: `SELECT (SELECT max(version) FROM ${this.table('schema_migrations')}) AS version,
                      (SELECT seq FROM ${this.table('audit_head')} WHERE id = 1) AS seq`,
        query_timeout: HEALTH_QUERY_TIMEOUT_MS,
      } as pg.QueryConfig);
      const version = result.rows[0]?.version ?? 0;
      if (version < MIGRATIONS.at(-1)!.version) throw new StoreHealthError('The database schema is not migrated');
      return { schemaVersion: version };
    } catch (error) {
      if (error instanceof StoreHealthError) throw error;
      broken = error as Error;
      const code = (error as { code?: unknown }).code;
      if (code === '42501') throw new StoreHealthError('The database user may not read the schema', { cause: error });
      if (code === '42P01' || code === '3F000')
        throw new StoreHealthError('The database schema is missing', { cause: error });
      if (code === '57014' || /timeout/i.test((error as Error).message)) {
        throw new StoreHealthError('The database did not answer in time', { cause: error });
      }
      throw new StoreHealthError('The database is not reachable', { cause: error });
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async getCase(id: string): Promise<DsrCase | undefined> {
    const result = await this.read<CaseRow>(`SELECT body FROM ${this.table('cases')} WHERE id = $1`, [id]);
    return result.rows[0]?.body;
  }

  async listCases(query: CaseQuery): Promise<DsrCase[]> {
    const result = await this.read<CaseRow>(
      `SELECT body FROM ${this.table('cases')}
        WHERE ($1::text IS NULL OR requester_id = $1) AND (NOT $2::boolean OR is_open)
        ORDER BY created_at, id`,
      [query.requesterId ?? null, query.openOnly ?? false],
    );
    return result.rows.map((row) => row.body);
  }

  /**
   * Keyset pages over the open cases (after the last page's created_at and id), so each page is one
   * short query and its rows are parsed while the bot may answer between pages; an OFFSET would
   * read every earlier row again for each page.
   */
  async *openCasePages(pageSize: number): AsyncIterable<DsrCase[]> {
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const result = await this.read<CaseRow & { created_at: Date; id: string }>(
        `SELECT body, created_at, id FROM ${this.table('cases')}
          WHERE is_open AND ($1::timestamptz IS NULL OR (created_at, id) > ($1, $2))
          ORDER BY created_at, id LIMIT $3`,
        [after?.createdAt ?? null, after?.id ?? null, pageSize],
      );
      if (result.rows.length > 0) yield result.rows.map((row) => row.body);
      if (result.rows.length < pageSize) return;
      const last = result.rows.at(-1)!;
      after = { createdAt: last.created_at, id: last.id };
    }
  }

  async findByIntakeKey(intakeKey: string): Promise<DsrCase | undefined> {
    const result = await this.read<CaseRow>(`SELECT body FROM ${this.table('cases')} WHERE intake_key = $1`, [
      intakeKey,
    ]);
    return result.rows[0]?.body;
  }

  async allocateCaseId(year: number): Promise<string> {
    const next = await this.transaction(async (client) => {
      const result = await client.query<{ last: number }>(
        `INSERT INTO ${this.table('case_counters')} (year, last) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last = ${this.table('case_counters')}.last + 1
         RETURNING last`,
        [year],
      );
      return result.rows[0]!.last;
    });
    return formatCaseId(year, next);
  }

  /**
   * The counter is raised in the transaction that inserts the case: a duplicate intake or any
   * failure rolls both back, and the counter's row lock makes concurrent creators take turns.
   */
  createCase(year: number, build: (id: string) => NewCase): Promise<NewCase & { event: AuditEvent }> {
    return this.transaction(async (client) => {
      const counted = await client.query<{ last: number }>(
        `INSERT INTO ${this.table('case_counters')} (year, last) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last = ${this.table('case_counters')}.last + 1
         RETURNING last`,
        [year],
      );
      const created = build(formatCaseId(year, counted.rows[0]!.last));
      const next = created.case;
      const inserted = await client.query(
        `INSERT INTO ${this.table('cases')} (id, version, requester_id, status, due_at, intake_key, is_open, created_at, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [
          next.id,
          next.version,
          next.requester.id,
          next.status,
          next.dueAt,
          next.intakeKey,
          isOpen(next),
          next.createdAt,
          JSON.stringify(next),
        ],
      );
      if (inserted.rowCount === 0) await this.explainInsertConflict(client, next);
      return { ...created, event: await this.append(client, created.audit) };
    });
  }

  saveCase(next: DsrCase, expectedVersion: number | null, draft: AuditDraft): Promise<AuditEvent> {
    return this.transaction(async (client) => {
      const values = [next.id, next.version, next.requester.id, next.status, next.dueAt, next.intakeKey, isOpen(next)];
      if (expectedVersion === null) {
        const inserted = await client.query(
          `INSERT INTO ${this.table('cases')} (id, version, requester_id, status, due_at, intake_key, is_open, created_at, body)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
          [...values, next.createdAt, JSON.stringify(next)],
        );
        if (inserted.rowCount === 0) await this.explainInsertConflict(client, next);
      } else {
        const updated = await this.updateCase(client, next, expectedVersion, values);
        if (updated === 0) {
          const current = await client.query<{ version: number }>(
            `SELECT version FROM ${this.table('cases')} WHERE id = $1`,
            [next.id],
          );
          throw new VersionConflictError(next.id, expectedVersion, current.rows[0]?.version ?? null);
        }
      }
      return this.append(client, draft);
    });
  }

  appendAudit(draft: AuditDraft): Promise<AuditEvent> {
    return this.transaction((client) => this.append(client, draft));
  }

  async auditHead(): Promise<AuditHead | undefined> {
    const result = await this.read<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM ${this.table('audit_head')} WHERE id = 1`,
      [],
    );
    const row = result.rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
  }

  /** Pages through the trail by sequence number, so a long trail never sits in memory or holds a connection. */
  async *auditEvents(caseId?: string): AsyncGenerator<AuditEvent> {
    let after = 0;
    for (;;) {
      const page = await this.read<EventRow & { seq: string }>(
        `SELECT seq, event FROM ${this.table('audit_events')}
          WHERE seq > $1 AND ($2::text IS NULL OR case_id = $2) ORDER BY seq LIMIT ${AUDIT_PAGE}`,
        [after, caseId ?? null],
      );
      for (const row of page.rows) yield row.event;
      if (page.rows.length < AUDIT_PAGE) return;
      after = Number(page.rows.at(-1)!.seq);
    }
  }

  async casesToPurge(now: Date, limit: number): Promise<DsrCase[]> {
    // The predicate repeats the partial index of migration 20, so the planner uses it.
    const result = await this.read<CaseRow>(
      `SELECT body FROM ${this.table('cases')}
        WHERE status = 'closed' AND (body->'purge'->>'doneAt') IS NULL
          AND (jsonb_typeof(body->'purge') = 'object'
               OR (body->>'purgeAfter' <= $1 AND jsonb_typeof(body->'hold') IS DISTINCT FROM 'object'))
        ORDER BY body->>'purgeAfter' LIMIT $2`,
      [now.toISOString(), limit],
    );
    return result.rows.map((row) => row.body);
  }

  async casesWithKeptDue(now: Date, limit: number): Promise<DsrCase[]> {
    // The predicate repeats the partial index of migration 202, so the planner uses it.
    const result = await this.read<CaseRow>(
      `SELECT body FROM ${this.table('cases')}
        WHERE (body->>'keptDueAt') IS NOT NULL AND body->>'keptDueAt' <= $1
        ORDER BY body->>'keptDueAt' LIMIT $2`,
      [now.toISOString(), limit],
    );
    return result.rows.map((row) => row.body);
  }

  async casesOfSubject(keys: SubjectKeys): Promise<DsrCase[]> {
    const result = await this.read<CaseRow>(
      `SELECT body FROM ${this.table('cases')}
        WHERE (body->'subject'->'emails') ?| $1::text[]
           OR (body->'subject'->'identifiers'->>'customerNumber') = ANY($2::text[])
           OR (body->'subject'->'identifiers'->>'employeeId') = ANY($3::text[])`,
      [keys.emails, keys.customerNumbers, keys.employeeIds],
    );
    return result.rows.map((row) => row.body);
  }

  /** Copies events exactly as they are (hashes included), for moving a deployment between stores. */
  async importAuditEvents(events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.transaction(async (client) => {
      const head = await this.lockHead(client);
      for (const event of events) {
        if (event.seq !== head.seq + 1 || event.prevHash !== head.hash) {
          throw new Error(`Audit event #${event.seq} does not follow the trail's head #${head.seq}`);
        }
        await this.insertEvent(client, event);
        head.seq = event.seq;
        head.hash = event.hash;
      }
      await client.query(`UPDATE ${this.table('audit_head')} SET seq = $1, hash = $2 WHERE id = 1`, [
        head.seq,
        head.hash,
      ]);
    });
  }

  async importCase(dsrCase: DsrCase): Promise<void> {
    await this.write(
      `INSERT INTO ${this.table('cases')} (id, version, requester_id, status, due_at, intake_key, is_open, created_at, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        dsrCase.id,
        dsrCase.version,
        dsrCase.requester.id,
        dsrCase.status,
        dsrCase.dueAt,
        dsrCase.intakeKey,
        isOpen(dsrCase),
        dsrCase.createdAt,
        JSON.stringify(dsrCase),
      ],
    );
  }

  async *stateEntries(): AsyncGenerator<{ key: string; value: unknown }> {
    const result = await this.read<{ key: string; value: unknown }>(
      `SELECT key, value FROM ${this.table('state')} ORDER BY key`,
      [],
    );
    yield* result.rows;
  }

  /** Sets the id counter for a year to at least `last`, for moving a deployment between stores. */
  async raiseCounter(year: number, last: number): Promise<void> {
    await this.write(
      `INSERT INTO ${this.table('case_counters')} (year, last) VALUES ($1, $2)
       ON CONFLICT (year) DO UPDATE SET last = GREATEST(${this.table('case_counters')}.last, $2)`,
      [year, last],
    );
  }

  async counters(): Promise<Record<string, number>> {
    const result = await this.read<{ year: number; last: number }>(
      `SELECT year, last FROM ${this.table('case_counters')}`,
      [],
    );
    return Object.fromEntries(result.rows.map((row) => [String(row.year), row.last]));
  }

  async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      // Whatever stopped the connection (server down or starting, login refused, too many
      // connections), no statement ran, so nothing changed.
      throw new StoreUnavailableError(false, { cause: error });
    }
  }

  /** A read is retried on a dropped connection: the pool may have handed out one the server had just closed. */
  async read<Row extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.connect();
      let broken: Error | undefined;
      try {
        return await client.query<Row>(text, values);
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        broken = error as Error;
        if (attempt >= ATTEMPTS) throw new StoreUnavailableError(false, { cause: error });
      } finally {
        client.release(broken);
      }
    }
  }

  async write(text: string, values: unknown[]): Promise<pg.QueryResult> {
    return this.transaction((client) => client.query(text, values));
  }

  /**
   * Runs `work` in one transaction. A connection lost before COMMIT was sent rolled everything
   * back, so the work is tried again on a fresh connection; a loss during COMMIT is reported
   * as possibly applied, never retried blindly.
   */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.connect();
      let committing = false;
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        committing = true;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (isConnectionError(error)) {
          broken = error;
          if (committing || attempt >= ATTEMPTS) throw new StoreUnavailableError(committing, { cause: error });
          continue;
        }
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        // A broken connection goes back with its error so the pool discards it.
        client.release(broken instanceof Error ? broken : undefined);
      }
    }
  }

  private async updateCase(client: Queryable, next: DsrCase, expectedVersion: number, values: unknown[]) {
    try {
      const result = await client.query(
        `UPDATE ${this.table('cases')}
            SET version = $2, requester_id = $3, status = $4, due_at = $5, intake_key = $6, is_open = $7, body = $9
          WHERE id = $1 AND version = $8`,
        [...values, expectedVersion, JSON.stringify(next)],
      );
      return result.rowCount ?? 0;
    } catch (error) {
      if ((error as { code?: unknown }).code === '23505') {
        const holder = await this.read<{ id: string }>(`SELECT id FROM ${this.table('cases')} WHERE intake_key = $1`, [
          next.intakeKey,
        ]);
        throw new DuplicateIntakeError(holder.rows[0]?.id ?? 'another case');
      }
      throw error;
    }
  }

  private async explainInsertConflict(client: Queryable, next: DsrCase): Promise<never> {
    const existing = await client.query<{ id: string; version: number }>(
      `SELECT id, version FROM ${this.table('cases')} WHERE id = $1 OR intake_key = $2 ORDER BY id = $1 DESC`,
      [next.id, next.intakeKey],
    );
    const row = existing.rows[0];
    if (row && row.id === next.id) throw new VersionConflictError(next.id, null, row.version);
    throw new DuplicateIntakeError(row?.id ?? 'another case');
  }

  /** The chain head, locked until the transaction ends: every writer on every instance queues here. */
  private async lockHead(client: Queryable): Promise<{ seq: number; hash: string }> {
    const head = await client.query<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM ${this.table('audit_head')} WHERE id = 1 FOR UPDATE`,
    );
    const row = head.rows[0];
    // Starting again from genesis would hide the deletion; the write fails instead and "verify audit" says why.
    if (!row) throw new Error("The audit trail's head record is missing");
    return { seq: Number(row.seq), hash: row.hash };
  }

  private async insertEvent(client: Queryable, event: AuditEvent): Promise<void> {
    await client.query(`INSERT INTO ${this.table('audit_events')} (seq, case_id, event) VALUES ($1, $2, $3)`, [
      event.seq,
      event.caseId,
      JSON.stringify(event),
    ]);
  }

  private async append(client: Queryable, draft: AuditDraft): Promise<AuditEvent> {
    const head = await this.lockHead(client);
    const event = sealEvent(draft, head.seq + 1, head.hash, this.auditKeys);
    await this.insertEvent(client, event);
    await client.query(`UPDATE ${this.table('audit_head')} SET seq = $1, hash = $2 WHERE id = 1`, [
      event.seq,
      event.hash,
    ]);
    return event;
  }
}

/**
 * Conversation state with optimistic concurrency: a write names the eTag it read, and loses to
 * any write by another turn or instance since then.
 */
class PostgresStateStore implements KeyValueStore {
  constructor(private readonly store: PostgresCaseStore) {}

  async read(keys: string[]): Promise<Record<string, { value: unknown; eTag: string }>> {
    if (keys.length === 0) return {};
    const result = await this.store.read<{ key: string; etag: string; value: unknown }>(
      `SELECT key, etag, value FROM ${this.store.table('state')} WHERE key = ANY($1::text[])`,
      [keys],
    );
    return Object.fromEntries(result.rows.map((row) => [row.key, { value: row.value, eTag: row.etag }]));
  }

  async write(entries: Record<string, { value: unknown; eTag?: string }>): Promise<void> {
    const table = this.store.table('state');
    await this.store.transaction(async (client) => {
      for (const [key, entry] of Object.entries(entries)) {
        const value = JSON.stringify(entry.value);
        const eTag = randomUUID();
        if (entry.eTag === undefined || entry.eTag === '*') {
          await client.query(
            `INSERT INTO ${table} (key, etag, value) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, value = EXCLUDED.value, updated_at = now()`,
            [key, eTag, value],
          );
          continue;
        }
        const updated = await client.query(
          `UPDATE ${table} SET etag = $2, value = $3, updated_at = now() WHERE key = $1 AND etag = $4`,
          [key, eTag, value, entry.eTag],
        );
        if (updated.rowCount === 1) continue;
        // No row at that eTag: either the key is new (written as lowdb does) or someone else changed it.
        const inserted = await client.query(
          `INSERT INTO ${table} (key, etag, value) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
          [key, eTag, value],
        );
        if (inserted.rowCount === 0) throw new StateConflictError(key);
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.store.write(`DELETE FROM ${this.store.table('state')} WHERE key = ANY($1::text[])`, [keys]);
  }
}

import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Actor, DsrCase } from '../dsr/case.js';
import type { PostgresCaseStore } from '../storage/postgresStore.js';

/**
 * What the benchmarks that drive a bot over HTTP and seed a PostgreSQL schema share: a schema of
 * their own, the turns a person sends, and cases written straight into the tables.
 */

export const BENCH_USER = { id: '29:alex', name: 'Alex Wilber', aadObjectId: 'a1e7c0de-0000-4000-8000-000000000001' };

/**
 * An open case as intake leaves it, in discovery, numbered `n`; the benchmarks choose its dates, its
 * requester and the person it is about.
 */
export function benchOpenCase(
  n: number,
  at: { receivedAt: string; dueAt: string },
  requester: Actor,
  subject: Pick<DsrCase['subject'], 'name' | 'emails'>,
): DsrCase {
  return {
    id: `DSR-2026-${String(n).padStart(6, '0')}`,
    version: 1,
    status: 'discovery',
    subject: { ...subject, phones: [], identifiers: {}, role: 'customer' },
    requestTypes: ['access'],
    regulation: 'GDPR',
    receivedAt: at.receivedAt,
    dueAt: at.dueAt,
    identityCheck: 'signed-in-account',
    details: '',
    requester,
    createdAt: at.receivedAt,
    updatedAt: at.receivedAt,
    intakeKey: `bench-${n}`,
    assignee: null,
    pause: null,
    identityRequests: [],
    extension: null,
    identityVerified: null,
    decision: null,
    notes: [],
  };
}

/** A schema no other run uses, dropped when the figure is taken. */
export function freshSchema(): string {
  return `bench_${randomBytes(5).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Sends one activity to the bot as the channel would, and waits for its answer. */
export async function postTurn(port: number, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.text();
  if (response.status >= 300) throw new Error(`answered ${response.status}`);
}

/** An activity of the bench user in their personal chat (`conversation`). */
export function benchActivity(
  serviceUrl: string,
  conversation: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    from: BENCH_USER,
    recipient: { id: '28:bot', name: 'DSR Assistant' },
    conversation: { id: conversation, conversationType: 'personal', tenantId: 't' },
    ...extra,
  };
}

/**
 * Writes cases straight into the tables, a thousand per statement, far faster than saving each
 * through the case service; what is measured then goes through the service as usual.
 */
export async function insertCases(store: PostgresCaseStore, cases: readonly DsrCase[]): Promise<void> {
  for (let start = 0; start < cases.length; start += 1000) {
    await store.write(
      `INSERT INTO ${store.table('cases')} (id, version, requester_id, status, due_at, intake_key, is_open, created_at, body)
       SELECT c->>'id', 1, c->'requester'->>'id', c->>'status', (c->>'dueAt')::timestamptz, c->>'intakeKey',
              c->>'status' NOT IN ('declined', 'closed', 'responded'), (c->>'createdAt')::timestamptz, c
         FROM jsonb_array_elements($1::jsonb) AS c`,
      [JSON.stringify(cases.slice(start, start + 1000))],
    );
  }
  await store.write(`ANALYZE ${store.table('cases')}`, []);
}

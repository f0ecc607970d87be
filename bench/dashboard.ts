import { BENCH_AUDIT_KEY } from './measure.js';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { startApp, type RunningApp } from '../app/app.js';
import { LOCAL_DEMO, loadLocalConfig } from '../local/demo.js';
import { REQUEST_TYPES, type CaseStatus, type DsrCase, type RequestType } from '../dsr/case.js';
import type { SystemFindings } from '../dsr/discovery.js';
import { PostgresCaseStore } from '../storage/postgresStore.js';
import { sampleCase } from '../test/support/cases.js';
import { percentile, report, round, timed } from './measure.js';

const DAY = 86_400_000;
const SYSTEMS: Array<[string, string]> = [
  ['dataverse', 'Customer Engagement'],
  ['businessCentral', 'Business Central'],
  ['financeOperations', 'Finance and Operations'],
  ['graph', 'Microsoft 365'],
];
const OPEN_STAGES: CaseStatus[] = ['received', 'triage', 'approved', 'discovery', 'actions'];
const officers = LOCAL_DEMO.signInPeople.slice(0, 2);

/** A deterministic stream of numbers in [0, 1), so both sizes and both stores get the same kind of cases. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * `count` cases received over the last two years, as an organisation accumulates them: those older
 * than six weeks answered (mostly on time), the rest open in every stage, with rights and systems.
 */
export function benchCases(count: number, now: number): DsrCase[] {
  const next = random(count);
  return Array.from({ length: count }, (_, i) => {
    const id = `DSR-${2025 + (i % 2)}-${String(i + 1).padStart(6, '0')}`;
    const received = now - Math.floor(next() * 730 * DAY);
    const due = received + 30 * DAY;
    const rights: RequestType[] = REQUEST_TYPES.filter(() => next() < 0.35);
    const systems: SystemFindings[] = SYSTEMS.filter(() => next() < 0.4).map(([systemId, displayName]) => ({
      systemId,
      displayName,
      status: 'found',
      counts: {},
      records: [],
      queries: [],
      at: new Date(received + DAY).toISOString(),
      durationMs: 1,
    }));
    const answeredAfter = Math.floor((5 + next() * 35) * DAY);
    const answered = received + answeredAfter < now - 14 * DAY;
    const base: Partial<DsrCase> = {
      id,
      intakeKey: `bench-${id}`,
      receivedAt: new Date(received).toISOString(),
      dueAt: new Date(due).toISOString(),
      createdAt: new Date(received).toISOString(),
      updatedAt: new Date(received).toISOString(),
      requestTypes: rights.length > 0 ? rights : ['access'],
      assignee: next() < 0.7 ? officers[Math.floor(next() * officers.length)]! : null,
      ...(systems.length > 0
        ? { findings: { query: {} as never, systems, updatedAt: new Date(received + DAY).toISOString() } }
        : {}),
    };
    if (!answered) return sampleCase({ ...base, status: OPEN_STAGES[Math.floor(next() * OPEN_STAGES.length)]! });
    return sampleCase({
      ...base,
      status: 'closed',
      response: { at: new Date(received + answeredAfter).toISOString(), byId: officers[0]!.id, summary: '' },
    });
  });
}

async function seedFolder(dir: string, cases: DsrCase[]): Promise<void> {
  const casesDir = join(dir, 'cases');
  await mkdir(casesDir, { recursive: true });
  // The embedded store's own layout, one file per case, written directly: the case service would take minutes.
  for (let i = 0; i < cases.length; i += 500) {
    await Promise.all(cases.slice(i, i + 500).map((c) => writeFile(join(casesDir, `${c.id}.json`), JSON.stringify(c))));
  }
}

async function seedDatabase(url: string, schema: string, cases: DsrCase[]): Promise<void> {
  const store = new PostgresCaseStore({ connectionString: url, schema });
  await store.open();
  const client = await store.connect();
  try {
    for (let i = 0; i < cases.length; i += 2000) {
      const batch = cases.slice(i, i + 2000);
      await client.query(
        `INSERT INTO ${store.table('cases')} (id, version, requester_id, status, due_at, intake_key, is_open, created_at, body)
         SELECT b->>'id', 1, b->'requester'->>'id', b->>'status', (b->>'dueAt')::timestamptz, b->>'intakeKey',
                b->>'status' NOT IN ('declined', 'closed', 'responded'), (b->>'createdAt')::timestamptz, b
           FROM jsonb_array_elements($1::jsonb) AS b`,
        [JSON.stringify(batch)],
      );
    }
    await client.query(`ANALYZE ${store.table('cases')}`);
  } finally {
    client.release();
    await store.close();
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await client.end();
}

interface Figures {
  pageP50: number;
  pageP95: number;
  chartsP50: number;
  chartsP95: number;
  firstLoadMs: number;
}

/** The register's first page and the chart data over HTTP, as the tab asks for them. */
async function measure(app: RunningApp, samples: number, expected: number): Promise<Figures> {
  const base = `http://127.0.0.1:${app.port}`;
  const signIn = await fetch(`${base}/api/dashboard/local-sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ personId: officers[0]!.id }),
  });
  const { token } = (await signIn.json()) as { token: string };
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { total?: number };
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return body;
  };
  // The first request loads the index from the store; it is reported apart from the steady state.
  let first: { total?: number } = {};
  const firstLoadMs = await timed(async () => (first = await get('/api/dashboard/charts')));
  if (first.total !== expected) throw new Error(`the dashboard counts ${first.total} cases, not ${expected}`);
  const page: number[] = [];
  const charts: number[] = [];
  for (let i = 0; i < samples + 20; i += 1) {
    const p = await timed(() => get('/api/dashboard/register'));
    const c = await timed(() => get('/api/dashboard/charts'));
    if (i >= 20) {
      page.push(p);
      charts.push(c);
    }
  }
  return {
    pageP50: percentile(page, 50),
    pageP95: percentile(page, 95),
    chartsP50: percentile(charts, 50),
    chartsP95: percentile(charts, 95),
    firstLoadMs,
  };
}

async function run(store: 'embedded' | 'postgres', count: number, samples: number, url?: string): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'dsr-bench-dashboard-'));
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const cases = benchCases(count, Date.now());
  try {
    if (store === 'embedded') await seedFolder(join(dir, 'data'), cases);
    else await seedDatabase(url!, schema, cases);
    const config = loadLocalConfig({
      PORT: '0',
      DSR_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
      ...(store === 'postgres'
        ? { DSR_DATABASE_URL: url, DSR_DATABASE_SCHEMA: schema, DSR_AUDIT_KEY: BENCH_AUDIT_KEY }
        : {}),
    });
    const app = await startApp(config, pino({ level: 'silent' }));
    try {
      return await measure(app, samples, count);
    } finally {
      await app.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    if (store === 'postgres') await dropSchema(url!, schema);
  }
}

/**
 * The dashboard's register first page and chart data with `small` and `large` cases, on the
 * embedded store and (given a database) on PostgreSQL. Target: p95 at `large` within 2x the p95 at `small`.
 */
export async function dashboard(small: number, large: number, samples: number, url?: string): Promise<void> {
  const stores: Array<'embedded' | 'postgres'> = url ? ['embedded', 'postgres'] : ['embedded'];
  for (const store of stores) {
    const few = await run(store, small, samples, url);
    const many = await run(store, large, samples, url);
    report({
      figure: 'dashboard-latency',
      store,
      samples,
      [`registerP95at${small}Ms`]: round(few.pageP95),
      [`registerP95at${large}Ms`]: round(many.pageP95),
      registerRatio: round(many.pageP95 / few.pageP95, 2),
      [`chartsP95at${small}Ms`]: round(few.chartsP95),
      [`chartsP95at${large}Ms`]: round(many.chartsP95),
      chartsRatio: round(many.chartsP95 / few.chartsP95, 2),
      [`registerP50at${large}Ms`]: round(many.pageP50),
      [`chartsP50at${large}Ms`]: round(many.chartsP50),
      [`indexLoadAt${large}Ms`]: round(many.firstLoadMs, 0),
      target: 'p95 ratio <= 2',
    });
  }
  if (!url)
    console.log('Set DSR_BENCH_DATABASE_URL (or DSR_TEST_DATABASE_URL) for the PostgreSQL figure of the dashboard.');
}

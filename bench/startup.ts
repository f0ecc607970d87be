import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { startApp } from '../app/app.js';
import { loadConfig } from '../app/config.js';
import type { DsrCase } from '../dsr/case.js';
import { auditKeys } from '../dsr/auditKeys.js';
import { LowdbCaseStore } from '../storage/lowdbStore.js';
import { PostgresCaseStore } from '../storage/postgresStore.js';
import { FakeConnector } from '../test/support/fakeConnector.js';
import {
  BENCH_USER,
  benchActivity,
  benchOpenCase,
  dropSchema,
  freshSchema,
  insertCases,
  postTurn,
} from './benchSetup.js';
import { BENCH_AUDIT_KEY, median, report, round, timed } from './measure.js';

const DAY = 86_400_000;

/** An open case as intake leaves it; the bench user filed every hundredth, so a status turn lists a few. */
function openCase(n: number, now: number): DsrCase {
  const mine = n % 100 === 0;
  const receivedAt = new Date(now - 5 * DAY).toISOString();
  return benchOpenCase(
    n,
    { receivedAt, dueAt: new Date(now + (10 + (n % 20)) * DAY).toISOString() },
    mine ? { id: BENCH_USER.aadObjectId, name: BENCH_USER.name } : { id: `requester-${n}`, name: 'Someone' },
    { name: `Person ${n}`, emails: [`person${n}@example.org`] },
  );
}

/** Writes `count` open cases straight into the store, not through the bot. */
async function seed(count: number, dataDir: string, databaseUrl: string | undefined, schema: string): Promise<void> {
  const now = Date.now();
  if (databaseUrl) {
    const store = new PostgresCaseStore({ connectionString: databaseUrl, schema });
    await store.open();
    try {
      for (let start = 1; start <= count; start += 10_000) {
        const cases: DsrCase[] = [];
        for (let n = start; n < Math.min(count + 1, start + 10_000); n += 1) cases.push(openCase(n, now));
        await insertCases(store, cases);
      }
    } finally {
      await store.close();
    }
    return;
  }
  // One file per case, as the embedded store writes them.
  await mkdir(join(dataDir, 'cases'), { recursive: true });
  for (let n = 1; n <= count; n += 1) {
    const dsrCase = openCase(n, now);
    await writeFile(join(dataDir, 'cases', `${dsrCase.id}.json`), JSON.stringify(dsrCase));
  }
  await writeFile(join(dataDir, 'meta.json'), JSON.stringify({ counters: { '2026': count } }));
}

/**
 * Opens the embedded store once, so that it builds its saved index from the case files written
 * straight into the folder, as a store that ran with these cases has it; returns the milliseconds.
 */
async function buildIndex(dataDir: string): Promise<number> {
  return timed(async () => {
    const store = new LowdbCaseStore(dataDir, auditKeys(BENCH_AUDIT_KEY));
    await store.open();
    await store.close();
  });
}

interface Figure {
  healthzMs: number;
  statusMs: number;
}

/** Starts the bot on a seeded store and times the first /healthz and the first status turn. */
async function child(dataDir: string, databaseUrl: string | undefined, schema: string): Promise<void> {
  const connector = new FakeConnector();
  await connector.start();
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e6;
  const app = await startApp(
    loadConfig({
      PORT: '0',
      DSR_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DSR_AUDIT_KEY: BENCH_AUDIT_KEY,
      ...(databaseUrl ? { DSR_DATABASE_URL: databaseUrl, DSR_DATABASE_SCHEMA: schema } : {}),
    }),
    pino({ level: 'silent' }),
  );
  // Asked again until it says ok, as a load balancer's probe would.
  for (let tries = 0; ; tries += 1) {
    const health = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    const answer = await health.text();
    if (health.status === 200) break;
    if (tries >= 600) throw new Error(`/healthz answered ${health.status}: ${answer}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const healthzMs = since();
  await postTurn(app.port, benchActivity(connector.url, 'personal-bench', { type: 'message', text: 'status' }));
  const statusMs = since();
  const replies = connector.sent('personal-bench').length;
  if (replies === 0) throw new Error('the status turn got no answer');
  const figure: Figure = { healthzMs, statusMs };
  process.stdout.write(`${JSON.stringify(figure)}\n`);
  await app.stop();
  await connector.stop();
}

/** A store seeded with `count` open cases, ready to be started again and again. */
interface Seeded {
  dataDir: string;
  schema: string;
  databaseUrl: string | undefined;
  seedMs: number;
  rebuildMs: number | undefined;
}

async function seeded(count: number, databaseUrl: string | undefined): Promise<Seeded> {
  const store = { dataDir: await mkdtemp(join(tmpdir(), 'dsr-bench-startup-')), schema: freshSchema(), databaseUrl };
  try {
    const seedMs = await timed(() => seed(count, store.dataDir, databaseUrl, store.schema));
    const rebuildMs = databaseUrl ? undefined : await buildIndex(store.dataDir);
    return { ...store, seedMs, rebuildMs };
  } catch (error) {
    await discard(store);
    throw error;
  }
}

async function discard(store: Pick<Seeded, 'dataDir' | 'schema' | 'databaseUrl'>): Promise<void> {
  if (store.databaseUrl) await dropSchema(store.databaseUrl, store.schema);
  await rm(store.dataDir, { recursive: true, force: true });
}

/** One start of the bot on the seeded store, in a process of its own. */
async function start(store: Seeded): Promise<Figure> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--disable-warning=DEP0111',
      fileURLToPath(import.meta.url),
      store.dataDir,
      store.schema,
      ...(store.databaseUrl ? [store.databaseUrl] : []),
    ],
    { maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Figure;
}

/**
 * Time from starting the bot to serving (its /healthz answered, then a status turn answered) on a
 * store holding `small` and on one holding `large` open cases: the embedded store always,
 * PostgreSQL when a database is given. Each start runs in a process of its own, on cases written
 * straight into the store; the two stores are started in turn `starts` times and the median of
 * each is the figure, since one start against another on a shared machine says more about the
 * machine than about the store. `stores` narrows the run to some of them (`BENCH_STORES=postgres`).
 * The embedded store's folder is opened once before the figure, so that it has the saved index a
 * store that ran keeps.
 */
export async function startup(
  small: number,
  large: number,
  databaseUrl: string | undefined,
  stores: ReadonlySet<string> = new Set(['embedded', 'postgres']),
  starts = 5,
): Promise<void> {
  const backends = [['embedded', undefined], ...(databaseUrl ? [['postgres', databaseUrl]] : [])] as const;
  for (const [store, url] of backends.filter(([name]) => stores.has(name))) {
    const figures: { few: Figure[]; many: Figure[] } = { few: [], many: [] };
    const few = await seeded(small, url);
    let many: Seeded | undefined;
    try {
      many = await seeded(large, url);
      for (let i = 0; i < starts; i += 1) {
        figures.few.push(await start(few));
        figures.many.push(await start(many));
      }
    } finally {
      await discard(few);
      if (many) await discard(many);
    }
    const at = (which: Figure[], field: keyof Figure) => median(which.map((figure) => figure[field]));
    const ratio = at(figures.many, 'statusMs') / at(figures.few, 'statusMs');
    report({
      figure: 'startup',
      store,
      starts,
      [`healthzMs${small}`]: round(at(figures.few, 'healthzMs'), 0),
      [`healthzMs${large}`]: round(at(figures.many, 'healthzMs'), 0),
      [`statusMs${small}`]: round(at(figures.few, 'statusMs'), 0),
      [`statusMs${large}`]: round(at(figures.many, 'statusMs'), 0),
      ratio: round(ratio, 2),
      target: `ratio <= 1.5, and serving within 3000 ms at ${large}`,
      met: ratio <= 1.5 && at(figures.many, 'statusMs') <= 3000,
      // Writing the cases before the start, not part of the figure.
      seedSeconds: round(many.seedMs / 1000, 1),
      // The embedded store's one-off open without its saved index (an upgrade, a lost index), not part of the figure.
      ...(many.rebuildMs === undefined ? {} : { indexRebuildSeconds: round(many.rebuildMs / 1000, 1) }),
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await child(process.argv[2]!, process.argv[4], process.argv[3]!);
}

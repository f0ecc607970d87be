import { BENCH_AUDIT_KEY } from './measure.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startApp, type RunningApp } from '../app/app.js';
import { loadLocalConfig } from '../local/demo.js';
import type { DsrCase } from '../dsr/case.js';
import { PostgresCaseStore } from '../storage/postgresStore.js';
import { FakeConnector } from '../test/support/fakeConnector.js';
import { sampleCase } from '../test/support/cases.js';
import { BENCH_USER as user, benchActivity, dropSchema, freshSchema, insertCases, postTurn } from './benchSetup.js';
import { median, report, round, timed } from './measure.js';
const DAY = 86_400_000;

/** A case of someone else's, open or closed (and due for the purge), as the store holds it. */
function seededCase(n: number, closed: boolean, now: Date): DsrCase {
  const id = `DSR-2025-${String(n).padStart(6, '0')}`;
  return sampleCase({
    id,
    intakeKey: `seed-${n}`,
    requester: { id: 'someone-else', name: 'Lynne Robbins' },
    subject: {
      name: `Person ${n}`,
      emails: [`person${n}@example.org`],
      phones: [],
      identifiers: { customerNumber: `C${n}` },
      role: 'customer',
    },
    details: `Request ${n} by letter`,
    notes: [{ at: now.toISOString(), by: { id: 'megan', name: 'Megan Bowen' }, text: `Called person ${n}` }],
    ...(closed
      ? {
          status: 'closed',
          closedAt: new Date(now.getTime() - 40 * DAY).toISOString(),
          purgeAfter: new Date(now.getTime() - 10 * DAY).toISOString(),
        }
      : {}),
  });
}

/** Writes the case files the embedded store reads at start, which is much faster than saving each. */
async function seedFolder(dataDir: string, stored: number, closed: number, now: Date): Promise<void> {
  const dir = join(dataDir, 'cases');
  await mkdir(dir, { recursive: true });
  for (let start = 1; start <= stored; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, stored - start + 1) }, (_, i) => {
        const dsrCase = seededCase(start + i, start + i <= closed, now);
        return writeFile(join(dir, `${dsrCase.id}.json`), JSON.stringify(dsrCase));
      }),
    );
  }
}

async function seedDatabase(url: string, schema: string, stored: number, closed: number, now: Date): Promise<void> {
  const store = new PostgresCaseStore({ connectionString: url, schema });
  await store.open();
  try {
    await insertCases(
      store,
      Array.from({ length: stored }, (_, i) => seededCase(i + 1, i + 1 <= closed, now)),
    );
  } finally {
    await store.close();
  }
}

/** A person asks again after a short pause, as people do; back-to-back turns would starve everything else. */
const PAUSE_MS = 25;
const pause = () => new Promise((resolve) => setTimeout(resolve, PAUSE_MS));

async function measure(app: RunningApp, connector: FakeConnector, closed: number, idleTurns: number) {
  const turn = () =>
    postTurn(app.port, benchActivity(connector.url, 'personal-bench', { type: 'message', text: 'status' }));
  // Warm up, and let the work of the start (indexes, first sweeps) settle.
  for (let i = 0; i < 50; i += 1) await turn();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const idle: number[] = [];
  for (let i = 0; i < idleTurns; i += 1) {
    idle.push(await timed(turn));
    await pause();
  }

  let purged = 0;
  let purging = true;
  const start = process.hrtime.bigint();
  const purge = (async () => {
    while (purged < closed) {
      const result = await app.purger.pass();
      if (result.purged === 0) break;
      purged += result.purged;
    }
    purging = false;
  })();
  const during: number[] = [];
  while (purging) {
    during.push(await timed(turn));
    await pause();
  }
  await purge;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { purged, seconds, idleMedian: median(idle), duringMedian: median(during), duringTurns: during.length };
}

/**
 * Purges `closed` closed cases out of `stored`, on the embedded store and on PostgreSQL when a
 * database is given, while one person asks for the status of their requests again and again.
 * Reports cases purged per second, and the status turn's median during the purge against its
 * median before it, in the same run.
 */
export async function purgeBench(stored: number, closed: number, databaseUrl: string | undefined): Promise<void> {
  const connector = new FakeConnector();
  await connector.start();
  const log = pino({ level: 'silent' });
  const now = new Date();
  const backends: Array<'embedded' | 'postgres'> = databaseUrl ? ['embedded', 'postgres'] : ['embedded'];
  for (const backend of backends) {
    const dataDir = await mkdtemp(join(tmpdir(), 'dsr-bench-'));
    const schema = freshSchema();
    const env: Record<string, string> = {
      PORT: '0',
      DSR_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DSR_REMINDERS: 'off',
      DSR_CASE_RETENTION_DAYS: '30',
    };
    const seedStart = Date.now();
    if (backend === 'postgres') {
      Object.assign(env, {
        DSR_DATABASE_URL: databaseUrl!,
        DSR_DATABASE_SCHEMA: schema,
        DSR_AUDIT_KEY: BENCH_AUDIT_KEY,
      });
      await seedDatabase(databaseUrl!, schema, stored, closed, now);
    } else {
      await seedFolder(dataDir, stored, closed, now);
    }
    const app = await startApp(loadLocalConfig(env), log, { clock: { now: () => new Date() } });
    const seedSeconds = (Date.now() - seedStart) / 1000;
    try {
      // A few cases of the person asking, so the status turn renders a real list.
      for (let i = 0; i < 5; i += 1) {
        await app.services.cases.createCase(
          { id: user.aadObjectId, name: user.name },
          {
            subject: { name: `Customer ${i}`, emails: [], phones: [], identifiers: {}, role: 'customer' },
            requestTypes: ['access'],
            regulation: 'GDPR',
            receivedAt: now,
            identityCheck: 'not-yet',
            details: '',
            language: 'en',
          },
        );
      }
      const figures = await measure(app, connector, closed, 200);
      report({
        figure: `purge-${backend}`,
        stored,
        closed,
        purged: figures.purged,
        casesPerSecond: round(figures.purged / figures.seconds, 1),
        statusIdleMedianMs: round(figures.idleMedian),
        statusDuringPurgeMedianMs: round(figures.duringMedian),
        statusTurnsDuringPurge: figures.duringTurns,
        statusRatio: round(figures.duringMedian / figures.idleMedian, 2),
        target: 'statusRatio <= 2',
        seedSeconds: round(seedSeconds, 1),
      });
    } finally {
      await app.stop();
      await rm(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(databaseUrl!, schema);
    }
  }
  await connector.stop();
}

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { ChangeLedger } from '../dsr/ports/changeLedger.js';
import { ChangeRunner, DEFAULT_RUN_OPTIONS } from '../dsr/runs/changeRun.js';
import { FileChangeLedger } from '../storage/fileChangeLedger.js';
import { PostgresChangeLedger } from '../storage/postgresChangeLedger.js';
import { PostgresCaseStore } from '../storage/postgresStore.js';
import { LazyChangeSystem } from '../test/support/lazyChangeSystem.js';
import { adele, megan, PlanCases } from '../test/support/planCases.js';
import { dropSchema, freshSchema } from './benchSetup.js';
import { report, round } from './measure.js';

const MB = 1024 * 1024;
const STEP = 'delete:crm';

interface Figure {
  records: number;
  previewSeconds: number;
  applySeconds: number;
  peakRssMb: number;
}

/** One erasure of `count` records, previewed and applied, in a process of its own so its peak RSS is its own. */
async function child(count: number, databaseUrl: string | undefined): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dsr-bench-erasure-'));
  const schema = freshSchema();
  let store: PostgresCaseStore | undefined;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    let ledger: ChangeLedger;
    if (databaseUrl) {
      store = new PostgresCaseStore({ connectionString: databaseUrl, schema, statementTimeoutMs: 120_000 });
      await store.open();
      ledger = new PostgresChangeLedger(store);
    } else ledger = new FileChangeLedger(join(dir, 'ledger'));
    await ledger.open();
    const cases = PlanCases.erasure(count, new Date());
    const system = new LazyChangeSystem(count);
    const runner = new ChangeRunner(cases.service, ledger, { now: () => new Date() }, pino({ level: 'silent' }), {
      ...DEFAULT_RUN_OPTIONS,
      progressEvery: { records: 5_000, ms: 2_000 },
    });
    const dsrCase = [...cases.cases.values()][0]!;
    const step = dsrCase.plan!.steps.find((s) => s.id === STEP)!;

    let started = process.hrtime.bigint();
    const previewed = await runner.preview(megan, dsrCase, step, { right: 'delete' }, system);
    if (!previewed.ok) throw new Error(previewed.message);
    const previewSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    started = process.hrtime.bigint();
    const hash = previewed.case.plan!.steps.find((s) => s.id === STEP)!.preview!.hash;
    const approved = await runner.approve(adele, previewed.case, STEP, hash);
    if (!approved.ok) throw new Error(approved.message);
    const run = await runner.start(adele, approved.case, STEP, system, () => undefined);
    if (!run.ok) throw new Error(run.message);
    await runner.settled(dsrCase.id, STEP);
    const applySeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ended = cases.cases.get(dsrCase.id)!.plan!.steps.find((s) => s.id === STEP)!;
    if (ended.state !== 'done' || system.deletedCount() !== count)
      throw new Error(`the erasure ended ${ended.state} with ${system.deletedCount()} of ${count} deleted`);
    clearInterval(sampler);
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    const figure: Figure = { records: count, previewSeconds, applySeconds, peakRssMb: peak / MB };
    process.stdout.write(`${JSON.stringify(figure)}\n`);
  } finally {
    clearInterval(sampler);
    await store?.close();
    if (databaseUrl) await dropSchema(databaseUrl, schema);
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(count: number, databaseUrl: string | undefined): Promise<Figure> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [fileURLToPath(import.meta.url), String(count), ...(databaseUrl ? [databaseUrl] : [])],
    { maxBuffer: MB },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Figure;
}

/**
 * A deletion of `large` records of one person in one system, against one of `small`: the preview
 * streams into the ledger and the run reads it back a page at a time, so memory stays flat.
 * The ledger in the data folder always; in PostgreSQL too when a database is given (its figure
 * at `pgLarge`, since each outcome is one statement).
 */
export async function erasure(
  small: number,
  large: number,
  databaseUrl: string | undefined,
  pgLarge = large,
): Promise<void> {
  for (const [ledger, url, many] of [
    ['file', undefined, large],
    ...(databaseUrl ? [['postgres', databaseUrl, pgLarge] as const] : []),
  ] as const) {
    const few = await measure(small, url);
    const lots = await measure(many, url);
    report({
      figure: 'erasure',
      ledger,
      [`previewRecordsPerSecond${small}`]: Math.round(small / few.previewSeconds),
      [`previewRecordsPerSecond${many}`]: Math.round(many / lots.previewSeconds),
      [`applyRecordsPerSecond${small}`]: Math.round(small / few.applySeconds),
      [`applyRecordsPerSecond${many}`]: Math.round(many / lots.applySeconds),
      [`peakRssMb${small}`]: round(few.peakRssMb, 1),
      [`peakRssMb${many}`]: round(lots.peakRssMb, 1),
      peakRssRatio: round(lots.peakRssMb / few.peakRssMb, 2),
      target: `peak RSS ratio <= 2.5, and under 300 MB for ${many} records`,
      met: lots.peakRssMb / few.peakRssMb <= 2.5 && lots.peakRssMb < 300,
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await child(Number(process.argv[2]), process.argv[3]);
}

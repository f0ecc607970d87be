import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ChangeLedger } from '../../dsr/ports/changeLedger.js';
import { ChangeRunner, DEFAULT_RUN_OPTIONS } from '../../dsr/runs/changeRun.js';
import { FileChangeLedger } from '../../storage/fileChangeLedger.js';
import { PostgresChangeLedger } from '../../storage/postgresChangeLedger.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { LazyChangeSystem, lazyRecordId } from '../support/lazyChangeSystem.js';
import { adele, megan, PlanCases } from '../support/planCases.js';

/** More records than one page of either ledger (1,000), so a crash falls in the middle of the second. */
const RECORDS = 2_500;
const CRASH_AT = 1_500;
const STEP = 'delete:crm';
const log = pino({ level: 'silent' });

interface LedgerUnderTest {
  /** A new instance over the same storage, as a restarted process opens it. */
  reopen(): ChangeLedger;
  /** Changes the stored list of a preview behind the bot's back: one target less. */
  dropLastTarget(caseId: string, previewHash: string): Promise<void>;
  dispose(): Promise<void>;
}

function streamedErasure(make: () => Promise<LedgerUnderTest>): void {
  let storage: LedgerUnderTest;
  let now: number;
  const clock = { now: () => new Date(now) };
  const runnerOn = (ledger: ChangeLedger, cases: PlanCases) =>
    new ChangeRunner(cases.service, ledger, clock, log, { ...DEFAULT_RUN_OPTIONS, leaseMs: 60_000 });

  beforeEach(async () => {
    storage = await make();
    now = Date.parse('2026-03-05T10:00:00Z');
  });
  afterEach(() => storage.dispose());

  async function previewed(cases: PlanCases, runner: ChangeRunner, system: LazyChangeSystem) {
    const dsrCase = [...cases.cases.values()][0]!;
    const step = dsrCase.plan!.steps.find((s) => s.id === STEP)!;
    const result = await runner.preview(megan, dsrCase, step, { right: 'delete' }, system);
    assert.ok(result.ok, result.ok ? '' : result.message);
    return result.case;
  }

  it('shows counts and a sample of a streamed preview, and refuses an approval once the ledger changed', async () => {
    const cases = PlanCases.erasure(RECORDS, new Date(now));
    const system = new LazyChangeSystem(RECORDS);
    const runner = runnerOn(storage.reopen(), cases);
    const dsrCase = await previewed(cases, runner, system);
    const preview = dsrCase.plan!.steps.find((s) => s.id === STEP)!.preview!;
    assert.equal(preview.targetCount, RECORDS);
    assert.deepEqual(preview.counts, { activity: RECORDS - 1, contact: 1 });
    assert.deepEqual(
      preview.samples.map((s) => s.label),
      ['Follow-up 0', 'Follow-up 1', 'Follow-up 2', 'Follow-up 3', 'Follow-up 4'],
    );

    await storage.dropLastTarget(dsrCase.id, preview.hash);
    const refused = await runner.approve(adele, dsrCase, STEP, preview.hash);
    assert.ok(!refused.ok);
    assert.match(refused.message, /changed since it was made; preview again/);
    const after = cases.cases.get(dsrCase.id)!.plan!.steps.find((s) => s.id === STEP)!;
    assert.equal(after.state, 'waiting-approval');
    assert.equal(after.approval, undefined);
    assert.equal(system.deletedCount(), 0, 'nothing deleted');
  });

  it('approves the same preview while the ledger holds it, and a second preview of the same records keeps its key', async () => {
    const cases = PlanCases.erasure(RECORDS, new Date(now));
    const system = new LazyChangeSystem(RECORDS);
    const runner = runnerOn(storage.reopen(), cases);
    const first = await previewed(cases, runner, system);
    const hash = first.plan!.steps.find((s) => s.id === STEP)!.preview!.hash;
    const again = await previewed(cases, runner, system);
    assert.equal(again.plan!.steps.find((s) => s.id === STEP)!.preview!.hash, hash, 'the same records, the same hash');
    const approved = await runner.approve(adele, again, STEP, hash);
    assert.ok(approved.ok, approved.ok ? '' : approved.message);
  });

  it('resumes a deletion after a crash in the middle of a page, applying each record once', async () => {
    const cases = PlanCases.erasure(RECORDS, new Date(now));
    const system = new LazyChangeSystem(RECORDS);
    const ledger = storage.reopen();
    // The process dies after the system deleted record 1,500 and before the ledger heard of it.
    const dying = Object.create(ledger) as ChangeLedger;
    dying.recordOutcome = (key, targetId, outcome) =>
      targetId === lazyRecordId(CRASH_AT)
        ? Promise.reject(new Error('the process died'))
        : ledger.recordOutcome(key, targetId, outcome);
    const first = runnerOn(dying, cases);
    const dsrCase = await previewed(cases, first, system);
    const hash = dsrCase.plan!.steps.find((s) => s.id === STEP)!.preview!.hash;
    const approved = await first.approve(adele, dsrCase, STEP, hash);
    assert.ok(approved.ok);
    const started = await first.start(adele, approved.case, STEP, system, () => undefined);
    assert.ok(started.ok);
    await first.settled(dsrCase.id, STEP);
    assert.equal(system.deletedCount(), CRASH_AT + 1, 'stopped right after record 1,500');
    const cut = cases.cases.get(dsrCase.id)!;
    assert.equal(cut.plan!.steps.find((s) => s.id === STEP)!.state, 'running', 'never read as done');

    // A restarted process: a new ledger over the same storage, once the dead one's lease ran out.
    now += 2 * 60_000;
    const second = runnerOn(storage.reopen(), cases);
    assert.deepEqual([...(await second.interrupted(cut))], [STEP]);
    const resumed = await second.start(adele, cut, STEP, system, () => undefined, { resume: true });
    assert.ok(resumed.ok, resumed.ok ? '' : resumed.message);
    await second.settled(dsrCase.id, STEP);

    const done = cases.cases.get(dsrCase.id)!.plan!.steps.find((s) => s.id === STEP)!;
    assert.equal(done.state, 'done', done.error);
    assert.equal(system.deletedCount(), RECORDS);
    const twice = [...system.calls.keys()].filter((n) => system.calls[n]! > 1);
    assert.deepEqual(twice, [CRASH_AT], 'only the record whose outcome was lost is asked again');
    assert.equal((done.result?.applied ?? 0) + (done.result?.gone ?? 0), RECORDS);
  });
}

describe('a streamed erasure on the ledger in the data folder', () => {
  streamedErasure(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsr-streamed-'));
    return {
      reopen: () => new FileChangeLedger(dir),
      dropLastTarget: async (caseId, previewHash) => {
        const file = join(dir, caseId, STEP.replace(':', '~3a'), previewHash, 'targets.jsonl');
        const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
        await writeFile(file, `${lines.slice(0, -1).join('\n')}\n`);
      },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  });
});

describe('a streamed erasure on the ledger in PostgreSQL', function () {
  skipWithoutDatabase(this);
  streamedErasure(async () => {
    const schema = freshSchema();
    const store = new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema });
    await store.open();
    return {
      reopen: () => new PostgresChangeLedger(store),
      dropLastTarget: async (caseId, previewHash) => {
        await store.write(
          `DELETE FROM ${store.table('change_targets')} WHERE case_id = $1 AND preview_hash = $2
             AND seq = (SELECT max(seq) FROM ${store.table('change_targets')} WHERE case_id = $1 AND preview_hash = $2)`,
          [caseId, previewHash],
        );
      },
      dispose: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  });
});

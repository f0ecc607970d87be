import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyChain } from '../../dsr/audit.js';
import { CaseService } from '../../dsr/caseService.js';
import { validateIntake } from '../../dsr/intake.js';
import { StaticRoleDirectory } from '../../dsr/roles.js';
import { copyStore, MigrationError } from '../../dsr/storage/migrate.js';
import { LowdbCaseStore } from '../../dsr/storage/lowdbStore.js';
import { PostgresCaseStore } from '../../dsr/storage/postgresStore.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { collect } from './storeContract.js';

const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const requester = { id: 'alex', name: 'Alex Wilber' };
const officer = { id: 'megan', name: 'Megan Bowen' };

/** A small but real deployment: cases created and worked on through the case service, and some state. */
async function populate(store: LowdbCaseStore | PostgresCaseStore): Promise<string[]> {
  const service = new CaseService(store, new StaticRoleDirectory(['megan']), { now: () => new Date() }, calendar);
  const parsed = validateIntake(
    { subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org', requestTypes: 'access' },
    new Date(),
    calendar.timeZone,
  );
  if (!parsed.ok) throw new Error('invalid intake');
  const ids: string[] = [];
  for (let i = 0; i < 5; i += 1) ids.push((await service.createCase(requester, parsed.request, `k${i}`)).case.id);
  for (const id of ids.slice(0, 3)) {
    const result = await service.act(officer, id, 1, { kind: 'addNote', text: 'Checked the CRM.' });
    assert.ok(result.ok);
  }
  await service.act(requester, ids[4]!, 1, { kind: 'verifyIdentity' });
  await store.state.write({ 'conversation/1': { value: { reference: { id: 'c1' } } }, 'user/2': { value: { n: 2 } } });
  return ids;
}

describe('moving a deployment between lowdb and PostgreSQL', function () {
  skipWithoutDatabase(this);
  let schema: string;
  let dirs: string[];
  const pgStore = () => new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema });

  beforeEach(() => {
    schema = freshSchema();
    dirs = [];
  });
  afterEach(async () => {
    await dropSchema(schema);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function lowdbAt(): Promise<LowdbCaseStore> {
    const dir = await mkdtemp(join(tmpdir(), 'dsr-migrate-'));
    dirs.push(dir);
    const store = new LowdbCaseStore(dir);
    await store.open();
    return store;
  }

  it('copies everything to PostgreSQL and back, with the audit chain verifying on each side', async () => {
    const original = await lowdbAt();
    const ids = await populate(original);
    const postgres = pgStore();
    await postgres.open();

    const there = await copyStore(original, postgres);
    assert.deepEqual(there.target, there.source);
    assert.equal(there.source.cases, 5);
    assert.deepEqual(await postgres.getCase(ids[0]!), await original.getCase(ids[0]!));
    assert.deepEqual(
      (await collect(postgres.auditEvents())).map((e) => e.hash),
      (await collect(original.auditEvents())).map((e) => e.hash),
    );
    // The copy carries on where the original stopped: the next id and the next audit event.
    assert.equal(await postgres.allocateCaseId(new Date().getFullYear()), `DSR-${new Date().getFullYear()}-0006`);
    assert.deepEqual((await postgres.state.read(['conversation/1']))['conversation/1']!.value, {
      reference: { id: 'c1' },
    });

    const back = await lowdbAt();
    const report = await copyStore(postgres, back);
    assert.equal(report.headHash, there.headHash);
    assert.equal(report.target.auditEvents, there.source.auditEvents);
    assert.equal((await verifyChain(back.auditEvents())).intact, true);
    await original.close();
    await postgres.close();
    await back.close();
  });

  it('refuses to copy into a store that already holds cases', async () => {
    const original = await lowdbAt();
    await populate(original);
    const postgres = pgStore();
    await postgres.open();
    await populate(postgres);
    await assert.rejects(copyStore(original, postgres), MigrationError);
    await original.close();
    await postgres.close();
  });

  it('runs as a command an operator types', async () => {
    const original = await lowdbAt();
    await populate(original);
    const dataDir = dirs[0]!;
    await original.close();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['dist/scripts/migrateStore.js', '--to', 'postgres', '--data-dir', dataDir, '--schema', schema],
      { env: { ...process.env, DSR_DATABASE_URL: testDatabaseUrl() } },
    );
    const report = JSON.parse(stdout) as { copiedTo: string; target: { cases: number } };
    assert.equal(report.copiedTo, 'postgres');
    assert.equal(report.target.cases, 5);
    const again = promisify(execFile)(
      process.execPath,
      ['dist/scripts/migrateStore.js', '--to', 'postgres', '--data-dir', dataDir, '--schema', schema],
      { env: { ...process.env, DSR_DATABASE_URL: testDatabaseUrl() } },
    );
    await assert.rejects(again, /Not copied: The target already holds 5 cases/);
  });
});

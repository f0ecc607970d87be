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
import { FileOutboxStore } from '../../storage/fileOutboxStore.js';
import type { ChangeLedger } from '../../dsr/ports/changeLedger.js';
import { FileChangeLedger } from '../../storage/fileChangeLedger.js';
import { PostgresChangeLedger } from '../../storage/postgresChangeLedger.js';
import { copyStore, MigrationError, type Deployment, type StoreCounts } from '../../storage/migrate.js';
import { PostgresOutboxStore, type PortableOutbox } from '../../storage/postgresShared.js';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
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
  const reference = { conversation: { id: 'a:personal-alex' }, serviceUrl: 'https://smba.example/' };
  await store.state.write({
    'dsr/user/alex': { value: reference },
    [`dsr/thread/${ids[0]!}`]: { value: { conversation: { id: '19:x@thread.tacv2;messageid=1' } } },
    'dsr/privacy-channel': { value: { channelId: '19:x@thread.tacv2', reference } },
  });
  return ids;
}

/** A restriction half applied: one record done with its before-state, one failed, one not reached. */
async function restrictionUnderWay(ledger: ChangeLedger, caseId: string): Promise<void> {
  const key = { caseId, stepId: 'restrict:bc', previewHash: 'p1' };
  const target = (id: string, order: number) => ({
    kind: 'contact',
    id,
    label: id,
    changes: [{ field: 'privacyBlocked', from: 'false', to: 'true' }],
    order,
  });
  await ledger.writeTargets(key, [target('t1', 0), target('t2', 1), target('t3', 2)]);
  await ledger.recordOutcome(key, 't1', { status: 'applied', before: { privacyBlocked: false } });
  await ledger.recordOutcome(key, 't2', { status: 'failed', message: 'The system did not answer.' });
}

/** Reminder keys and a message still waiting, as the outbox holds them. */
async function queue(outbox: PortableOutbox, caseId: string): Promise<void> {
  const destination = { kind: 'conversation' as const, reference: { conversation: { id: 'a:personal-alex' } } };
  const activity = { type: 'message', text: 'reminder' };
  const now = new Date();
  for (const id of [`${caseId}|due|2026-03-10|assignee`, 'digest|2026-03-02|19:x@thread.tacv2', `news|${caseId}`]) {
    await outbox.enqueue({ id, conversationKey: 'a:personal-alex', destination, activity }, now);
  }
  assert.ok(await outbox.claim(`${caseId}|due|2026-03-10|assignee`, 'sender', now, new Date(now.getTime() + 30_000)));
  await outbox.settle(`${caseId}|due|2026-03-10|assignee`, 'sender', { status: 'sent', attempts: 1 });
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

  async function embedded(store: LowdbCaseStore): Promise<Deployment> {
    const outbox = new FileOutboxStore(join(dirs[dirs.length - 1]!, 'outbox'));
    await outbox.open();
    const ledger = new FileChangeLedger(join(dirs[dirs.length - 1]!, 'ledger'));
    await ledger.open();
    return { store, outbox, ledger };
  }

  const shared = (store: PostgresCaseStore): Deployment => ({
    store,
    outbox: new PostgresOutboxStore(store),
    ledger: new PostgresChangeLedger(store),
  });

  it('copies everything to PostgreSQL and back, with the audit chain verifying on each side', async () => {
    const original = await lowdbAt();
    const ids = await populate(original);
    const from = await embedded(original);
    await queue(from.outbox, ids[0]!);
    await restrictionUnderWay(from.ledger, ids[0]!);
    const postgres = pgStore();
    await postgres.open();

    const there = await copyStore(from, shared(postgres));
    assert.deepEqual(there.target, there.source);
    assert.equal(there.source.cases, 5);
    assert.equal(there.source.conversationReferences, 3);
    assert.equal(there.source.outboxMessages, 3);
    assert.equal(there.source.reminderKeys, 2);
    assert.equal(there.source.changeTargets, 3);
    assert.equal(there.source.changeOutcomes, 2);
    // A restriction applied before the move can still be lifted after it, and the step resumes where it stopped.
    const copiedLedger = new PostgresChangeLedger(postgres);
    const key = { caseId: ids[0]!, stepId: 'restrict:bc', previewHash: 'p1' };
    assert.deepEqual(
      (await collect(copiedLedger.restorable(key))).map((r) => [r.target.id, r.before]),
      [['t1', { privacyBlocked: false }]],
    );
    assert.deepEqual(
      (await collect(copiedLedger.pending(key))).map((t) => t.id),
      ['t2', 't3'],
    );
    // A reminder sent before the move is not sent again after it; the one waiting still goes.
    const copiedOutbox = new PostgresOutboxStore(postgres);
    assert.equal((await copiedOutbox.get(`${ids[0]!}|due|2026-03-10|assignee`))?.status, 'sent');
    assert.equal((await copiedOutbox.get(`news|${ids[0]!}`))?.status, 'pending');
    assert.deepEqual(
      (await postgres.state.read(['dsr/user/alex']))['dsr/user/alex']!.value,
      (await original.state.read(['dsr/user/alex']))['dsr/user/alex']!.value,
    );
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
    const report = await copyStore(shared(postgres), await embedded(back));
    assert.deepEqual(report.target, there.source);
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
    await assert.rejects(copyStore(await embedded(original), shared(postgres)), MigrationError);
    await original.close();
    await postgres.close();
  });

  it('runs as a command an operator types', async () => {
    const original = await lowdbAt();
    const ids = await populate(original);
    await queue((await embedded(original)).outbox, ids[0]!);
    const dataDir = dirs[0]!;
    await original.close();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['dist/scripts/migrateStore.js', '--to', 'postgres', '--data-dir', dataDir, '--schema', schema],
      { env: { ...process.env, DSR_DATABASE_URL: testDatabaseUrl() } },
    );
    const report = JSON.parse(stdout) as { copiedTo: string; target: StoreCounts };
    assert.equal(report.copiedTo, 'postgres');
    assert.equal(report.target.cases, 5);
    assert.equal(report.target.outboxMessages, 3);
    assert.equal(report.target.reminderKeys, 2);
    assert.equal(report.target.conversationReferences, 3);
    const again = promisify(execFile)(
      process.execPath,
      ['dist/scripts/migrateStore.js', '--to', 'postgres', '--data-dir', dataDir, '--schema', schema],
      { env: { ...process.env, DSR_DATABASE_URL: testDatabaseUrl() } },
    );
    await assert.rejects(again, /Not copied: The target already holds 5 cases/);
  });
});

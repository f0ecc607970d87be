import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangeLedger, LedgerKey } from '../../dsr/ports/changeLedger.js';
import type { ChangeTarget } from '../../dsr/changes.js';
import { FileChangeLedger } from '../../storage/fileChangeLedger.js';
import { PostgresChangeLedger } from '../../storage/postgresChangeLedger.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';

const key: LedgerKey = { caseId: 'DSR-2026-0001', stepId: 'delete:crm', previewHash: 'a'.repeat(64) };

function target(id: string, order: number): ChangeTarget {
  return { kind: order === 0 ? 'activity' : 'contact', id, label: id, changes: [], order };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function ledgerContract(make: () => Promise<{ ledger: ChangeLedger; dispose: () => Promise<void> }>): void {
  let ledger: ChangeLedger;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ ledger, dispose } = await make());
    await ledger.open();
  });
  afterEach(async () => {
    await ledger.close();
    await dispose();
  });

  it('keeps targets in their order and hands out only those not yet applied', async () => {
    const count = await ledger.writeTargets(key, [target('c1', 1), target('a1', 0), target('a2', 0), target('c2', 1)]);
    assert.equal(count, 4);
    assert.deepEqual(
      (await collect(ledger.targets(key))).map((t) => t.id),
      ['a1', 'a2', 'c1', 'c2'],
    );
    await ledger.recordOutcome(key, 'a1', { status: 'applied' });
    await ledger.recordOutcome(key, 'a2', { status: 'gone' });
    await ledger.recordOutcome(key, 'c1', { status: 'failed', message: 'timeout' });
    assert.deepEqual(
      (await collect(ledger.pending(key))).map((t) => t.id),
      ['c1', 'c2'],
    );
    // The latest outcome of a target counts: a retry that succeeds takes it off the list.
    await ledger.recordOutcome(key, 'c1', { status: 'applied', before: { donotemail: false } });
    assert.deepEqual(
      (await collect(ledger.pending(key))).map((t) => t.id),
      ['c2'],
    );
    assert.deepEqual(await ledger.tally(key), { total: 4, applied: 2, gone: 1, conflict: 0, failed: 0, lifted: 0 });
    assert.deepEqual(
      (await collect(ledger.restorable(key))).map((r) => [r.target.id, r.before]),
      [['c1', { donotemail: false }]],
    );
    assert.deepEqual(
      (await collect(ledger.applied(key))).map((t) => t.id),
      ['a1', 'c1'],
    );
  });

  it('keeps each preview apart, and keeps the outcomes when the same preview is written again', async () => {
    const other = { ...key, previewHash: 'b'.repeat(64) };
    await ledger.writeTargets(key, [target('a1', 0)]);
    await ledger.writeTargets(other, [target('x1', 0)]);
    await ledger.recordOutcome(key, 'a1', { status: 'applied' });
    assert.deepEqual(
      (await collect(ledger.pending(other))).map((t) => t.id),
      ['x1'],
    );
    await ledger.writeTargets(key, [target('a1', 0)]);
    assert.deepEqual(await collect(ledger.pending(key)), []);
    assert.equal((await ledger.tally(key)).applied, 1);
  });

  it('streams a long list page by page', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => target(`r${i}`, i % 3));
    await ledger.writeTargets(key, many);
    for (let i = 0; i < 2500; i += 2) await ledger.recordOutcome(key, `r${i}`, { status: 'applied' });
    const pending = await collect(ledger.pending(key));
    assert.equal(pending.length, 1250);
    assert.ok(pending.every((t, i) => i === 0 || pending[i - 1]!.order <= t.order));
  });

  it('lets one holder run a step until its lease runs out', async () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const later = (s: number) => new Date(now.getTime() + s * 1000);
    assert.equal(await ledger.claimLease(key.caseId, key.stepId, 'one', now, later(60)), true);
    assert.equal(await ledger.claimLease(key.caseId, key.stepId, 'two', later(30), later(90)), false);
    assert.equal(await ledger.claimLease(key.caseId, key.stepId, 'one', later(30), later(90)), true, 'renewed');
    assert.equal((await ledger.lease(key.caseId, key.stepId))?.holder, 'one');
    // "one" died: its lease expires and "two" takes over.
    assert.equal(await ledger.claimLease(key.caseId, key.stepId, 'two', later(91), later(150)), true);
    await ledger.releaseLease(key.caseId, key.stepId, 'one');
    assert.equal((await ledger.lease(key.caseId, key.stepId))?.holder, 'two', 'only the holder releases');
    await ledger.releaseLease(key.caseId, key.stepId, 'two');
    assert.equal(await ledger.lease(key.caseId, key.stepId), undefined);
  });
}

describe('the change ledger in the data folder', () => {
  ledgerContract(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsr-ledger-'));
    return { ledger: new FileChangeLedger(dir), dispose: () => rm(dir, { recursive: true, force: true }) };
  });
});

describe('the change ledger in PostgreSQL', function () {
  skipWithoutDatabase(this);
  ledgerContract(async () => {
    const schema = freshSchema();
    const store = new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema });
    await store.open();
    return {
      ledger: new PostgresChangeLedger(store),
      dispose: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  });
});

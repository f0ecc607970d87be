import assert from 'node:assert/strict';
import { verifyChain } from '../../dsr/audit.js';
import { MIGRATIONS } from '../../storage/postgresMigrations.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
import { VersionConflictError } from '../../dsr/ports/store.js';
import { sampleCase } from '../support/cases.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { collect, draft } from './storeContract.js';

describe('the PostgreSQL store shared by several instances', function () {
  skipWithoutDatabase(this);
  let schema: string;
  let stores: PostgresCaseStore[];

  const instance = () => new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema, poolSize: 4 });

  beforeEach(() => {
    schema = freshSchema();
    stores = [];
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await dropSchema(schema);
  });

  it('migrates once when several instances start together', async () => {
    stores = [instance(), instance(), instance(), instance()];
    await Promise.all(stores.map((store) => store.open()));
    const migrations = await stores[0]!.read<{ version: number }>(
      `SELECT version FROM ${stores[0]!.table('schema_migrations')} ORDER BY version`,
      [],
    );
    assert.deepEqual(
      migrations.rows.map((row) => row.version),
      MIGRATIONS.map((migration) => migration.version),
    );
    await stores[1]!.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    assert.equal((await stores[3]!.getCase('DSR-2026-0001'))?.version, 1);
  });

  it('applies one of two instances changing the same case version, and the chain stays whole', async () => {
    stores = [instance(), instance(), instance()];
    for (const store of stores) await store.open();
    await stores[0]!.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    const outcomes = await Promise.allSettled(
      stores.map((store, i) =>
        store.saveCase(sampleCase({ version: 2, details: `by ${i}` }), 1, draft('DSR-2026-0001', 2, 'addNote')),
      ),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof VersionConflictError);
    }
    // Unrelated writes from every instance at once still make one chain.
    await Promise.all(
      stores.flatMap((store, i) =>
        Array.from({ length: 10 }, (_, n) => store.appendAudit(draft('DSR-2026-0001', 2, `view-${i}-${n}`))),
      ),
    );
    const verdict = await verifyChain(stores[2]!.auditEvents());
    assert.deepEqual(verdict.intact && verdict.events, 32);
  });

  it('pages through a trail longer than one page in order', async () => {
    stores = [instance()];
    await stores[0]!.open();
    for (let i = 0; i < 1203; i += 1) await stores[0]!.appendAudit(draft('DSR-2026-0001', 1, 'view'));
    const events = await collect(stores[0]!.auditEvents());
    assert.equal(events.length, 1203);
    assert.equal((await verifyChain(events)).intact, true);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
import { dropSchema, testDatabaseUrl, skipWithoutDatabase } from '../support/database.js';
import { storeContract, type StoreBackend } from './storeContract.js';

describe('the case store contract', () => {
  describe('on lowdb (embedded)', () => {
    storeContract((): StoreBackend => {
      let dir = '';
      return {
        async setUp() {
          dir = await mkdtemp(join(tmpdir(), 'dsr-store-'));
        },
        async open() {
          const store = new LowdbCaseStore(dir);
          await store.open();
          return store;
        },
        tearDown: () => rm(dir, { recursive: true, force: true }),
      };
    });
  });

  describe('on PostgreSQL', function () {
    skipWithoutDatabase(this);
    storeContract((): StoreBackend => {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      return {
        setUp: () => Promise.resolve(),
        async open() {
          const store = new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema });
          await store.open();
          return store;
        },
        tearDown: () => dropSchema(schema),
      };
    });
  });
});

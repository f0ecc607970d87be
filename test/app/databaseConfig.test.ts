import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../app/config.js';

describe('choosing the shared database in configuration', () => {
  it('keeps the embedded store when no database URL is set', () => {
    assert.equal(loadConfig({}).database, undefined);
    assert.equal(loadConfig({ DSR_DATABASE_URL: ' ' }).database, undefined);
  });

  it('takes a PostgreSQL URL and a schema', () => {
    const config = loadConfig({
      DSR_DATABASE_URL: 'postgres://dsr@db:5432/dsr',
      DSR_DATABASE_SCHEMA: 'tenant_a',
      DSR_AUDIT_KEY: 'audit-key-for-tests-0123456789abcdef',
    });
    assert.deepEqual(config.database, {
      url: 'postgres://dsr@db:5432/dsr',
      schema: 'tenant_a',
      statementTimeoutMs: 15_000,
      connectTimeoutMs: 5_000,
    });
  });

  it('refuses another kind of URL without echoing it, since it may hold a password', () => {
    assert.throws(
      () => loadConfig({ DSR_DATABASE_URL: 'mysql://root:hunter2@db/dsr' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /DSR_DATABASE_URL: expected a PostgreSQL URL/.test(error.message) &&
        !error.message.includes('hunter2'),
    );
    assert.throws(() => loadConfig({ DSR_DATABASE_SCHEMA: 'Drop Table' }), /DSR_DATABASE_SCHEMA/);
  });
});

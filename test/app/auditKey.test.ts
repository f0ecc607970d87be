import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../app/config.js';
import { localAuditKey } from '../../dsr/auditKeys.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';

const APP_ID = 'a0a0a0a0-0000-4000-8000-000000000001';
const KEY = 'audit-key-for-tests-0123456789abcdef';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [String(error)];
  }
}

describe('the audit trail’s key', () => {
  const deployment = {
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'secret',
    DSR_CASE_RETENTION_DAYS: '365',
    DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
  };

  it('is required with an App ID, and the error names the variable', () => {
    assert.deepEqual(problems(deployment), [
      'DSR_AUDIT_KEY: expected the key that seals the audit trail (32+ random characters), required when MicrosoftAppId is set (not set)',
    ]);
    assert.match(problems({ ...deployment, DSR_AUDIT_KEY: 'short' })[0]!, /^DSR_AUDIT_KEY: expected .*32/);
  });

  it('is required with a shared database, where every instance must seal with the same key', () => {
    assert.match(
      problems({ DSR_DATABASE_URL: 'postgres://dsr@db:5432/dsr' })[0]!,
      /^DSR_AUDIT_KEY: .*DSR_DATABASE_URL/,
    );
  });

  it('takes the keys rotated out beside the current one', () => {
    const config = loadConfig({
      ...deployment,
      DSR_AUDIT_KEY: KEY,
      DSR_AUDIT_PREVIOUS_KEYS: `${KEY}-old-1, ${KEY}-old-2`,
    });
    assert.deepEqual(config.auditKey, { current: KEY, previous: [`${KEY}-old-1`, `${KEY}-old-2`] });
  });

  it('is generated once into the data folder of a local run, readable by its owner only', async () => {
    assert.equal(loadConfig({}).auditKey, undefined);
    const dir = await mkdtemp(join(tmpdir(), 'dsr-key-'));
    try {
      const first = await localAuditKey(dir);
      assert.ok(first.length >= 32);
      assert.equal(await localAuditKey(dir), first);
      assert.equal((await stat(join(dir, 'audit.key'))).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../app/config.js';
import { keptUntil, parseKeptPeriods } from '../../dsr/keptRecords.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';

const deployment = {
  MicrosoftAppId: 'a0a0a0a0-0000-4000-8000-000000000001',
  MicrosoftAppPassword: 'secret',
  DSR_AUDIT_KEY: 'audit-key-for-tests-0123456789abcdef',
  DSR_CASE_RETENTION_DAYS: '365',
};
const ALL = TEST_KEPT_PERIODS;

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the periods records are kept for', () => {
  it('stops a deployment that names no periods, or leaves out a reason, naming the variable', () => {
    assert.deepEqual(problems(deployment), [
      'DSR_KEPT_PERIODS: expected the period of each legal reason records are kept for, such as "posted-document=10y, active-employment=6m", required when MicrosoftAppId is set (not set)',
    ]);
    assert.deepEqual(problems({ ...deployment, DSR_KEPT_PERIODS: 'posted-document=10y, open-invoice=3m' }), [
      "DSR_KEPT_PERIODS: no period for 'active-employment', which a record is kept by",
      "DSR_KEPT_PERIODS: no period for 'enabled-account', which a record is kept by",
    ]);
    const periods = loadConfig({ ...deployment, DSR_KEPT_PERIODS: ALL }).cases.keptPeriods;
    assert.deepEqual(periods.get('posted-document'), { amount: 10, unit: 'y' });
  });

  it('refuses a negative, zero or malformed period', () => {
    for (const [value, problem] of [
      ['-10y', 'posted-document: a period cannot be negative'],
      ['0y', 'posted-document: a period of at least 1'],
      ['ten years', 'posted-document: give the period as years, months or days, such as 10y, 6m or 90d'],
    ] as const) {
      assert.deepEqual(
        problems({ ...deployment, DSR_KEPT_PERIODS: ALL.replace('posted-document=10y', `posted-document=${value}`) }),
        [
          `DSR_KEPT_PERIODS: ${problem}`,
          "DSR_KEPT_PERIODS: no period for 'posted-document', which a record is kept by",
        ],
        value,
      );
    }
  });

  it('refuses a period shorter than the legal minimum the organisation set', () => {
    assert.deepEqual(
      problems({
        ...deployment,
        DSR_KEPT_PERIODS: ALL.replace('posted-document=10y', 'posted-document=96m'),
        DSR_KEPT_MIN_PERIODS: 'posted-document=10y',
      }),
      ["DSR_KEPT_PERIODS: 'posted-document' is 96 months, shorter than the 10 years DSR_KEPT_MIN_PERIODS sets"],
    );
    assert.deepEqual(
      problems({
        ...deployment,
        DSR_KEPT_PERIODS: ALL.replace('10y', '120m'),
        DSR_KEPT_MIN_PERIODS: 'posted-document=10y',
      }),
      [],
    );
    assert.deepEqual(problems({ ...deployment, DSR_KEPT_PERIODS: ALL, DSR_KEPT_MIN_PERIODS: 'posted-document=-1y' }), [
      'DSR_KEPT_MIN_PERIODS: posted-document: a period cannot be negative',
    ]);
  });

  it('gives a local run the guide’s periods', () => {
    assert.equal(loadConfig({}).cases.keptPeriods.get('active-employment')?.amount, 6);
  });

  it('counts a posted invoice from the end of its calendar year, as German commercial and tax law do', () => {
    const tenYears = { amount: 10, unit: 'y' } as const;
    const invoice = (documentDate?: string) => ({
      basis: 'posted-document',
      ends: 'period' as const,
      counted: 'year-end' as const,
      ...(documentDate ? { documentDate } : {}),
    });
    const keptOn = new Date('2026-05-04T08:00:00Z');
    assert.equal(keptUntil(invoice('2024-03-15'), tenYears, keptOn), '2034-12-31');
    assert.equal(keptUntil(invoice('2024-12-31'), tenYears, keptOn), '2034-12-31');
    assert.equal(keptUntil(invoice('2025-01-01'), tenYears, keptOn), '2035-12-31');
    // No date on the record: counted from the day it was kept, which ends later, never earlier.
    assert.equal(keptUntil(invoice(), tenYears, keptOn), '2036-12-31');
    // Counted from the date itself where the rule says so.
    assert.equal(keptUntil({ ...invoice('2024-03-15'), counted: 'date' }, tenYears, keptOn), '2034-03-15');
    // A condition is checked again one period on.
    assert.equal(
      keptUntil({ basis: 'active-employment', ends: 'condition', counted: 'date' }, { amount: 6, unit: 'm' }, keptOn),
      '2026-11-04',
    );
  });

  it('reads each period once', () => {
    assert.deepEqual(parseKeptPeriods('a=1y, a=2y').problems, ['a is named twice']);
    assert.deepEqual(parseKeptPeriods('Posted=1y').problems, [
      "'Posted=1y' does not start with a basis name such as posted-document=",
    ]);
  });
});

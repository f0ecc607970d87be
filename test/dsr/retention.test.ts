import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../app/config.js';
import { purgeIsDue, withoutPersonalData } from '../../dsr/retention.js';
import { sampleCase } from '../support/cases.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';

const APP_ID = 'a0a0a0a0-0000-4000-8000-000000000001';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the retention of closed cases', () => {
  describe('its configuration', () => {
    const deployment = {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'secret',
      DSR_AUDIT_KEY: 'audit-key-for-tests-0123456789abcdef',
      DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
    };

    it('stops a deployment that does not say how long it keeps cases, naming the variable', () => {
      assert.deepEqual(problems(deployment), [
        'DSR_CASE_RETENTION_DAYS: expected the days a closed case keeps its personal data, required when MicrosoftAppId is set (not set)',
      ]);
      assert.equal(loadConfig({ ...deployment, DSR_CASE_RETENTION_DAYS: '365' }).cases.retentionDays, 365);
    });

    it('refuses a negative, zero or fractional period', () => {
      for (const value of ['-5', '0', '1.5', 'a year']) {
        const found = problems({ ...deployment, DSR_CASE_RETENTION_DAYS: value });
        assert.equal(found.length, 1, value);
        assert.match(found[0]!, new RegExp(`^DSR_CASE_RETENTION_DAYS: expected .*\\(got "${value}"\\)$`));
      }
    });

    it('refuses a period shorter than the minimum the organisation set', () => {
      assert.deepEqual(
        problems({ ...deployment, DSR_CASE_RETENTION_DAYS: '90', DSR_CASE_RETENTION_MIN_DAYS: '1095' }),
        [
          'DSR_CASE_RETENTION_DAYS: expected at least 1095 days, the minimum DSR_CASE_RETENTION_MIN_DAYS sets (got "90")',
        ],
      );
      assert.equal(
        loadConfig({ ...deployment, DSR_CASE_RETENTION_DAYS: '1095', DSR_CASE_RETENTION_MIN_DAYS: '1095' }).cases
          .retentionDays,
        1095,
      );
    });

    it('gives a local run a period of its own, and reads the repeat window', () => {
      const { retentionDays, repeatMonths } = loadConfig({}).cases;
      assert.deepEqual({ retentionDays, repeatMonths }, { retentionDays: 30, repeatMonths: 12 });
      assert.match(problems({ DSR_REPEAT_MONTHS: '0' })[0]!, /^DSR_REPEAT_MONTHS: expected between 1 and 60 months/);
    });
  });

  describe('what a purge keeps', () => {
    const full = sampleCase({
      status: 'closed',
      subject: {
        name: 'Maria Garcia',
        emails: ['maria.garcia@example.org'],
        phones: ['+49 30 1234567'],
        identifiers: { customerNumber: 'C00010', employeeId: 'E-1042', other: 'passport X1234567' },
        role: 'customer',
      },
      details: 'Maria Garcia wrote in',
      notes: [{ at: '2026-03-03T09:00:00.000Z', by: { id: 'id-0001', name: 'Megan Bowen' }, text: 'Called Maria' }],
      assignee: { id: 'id-0001', name: 'Megan Bowen' },
      pause: { since: '2026-03-03T09:00:00.000Z', reason: 'waiting for Maria' },
      extension: { at: '2026-03-04T09:00:00.000Z', by: { id: 'id-0001', name: 'Megan Bowen' }, reason: 'Maria asked' },
      decision: {
        outcome: 'declined',
        at: '2026-03-05T09:00:00.000Z',
        by: { id: 'id-0002', name: 'Adele Vance' },
        reason: 'other',
        explanation: 'Maria is not a customer',
      },
      response: { at: '2026-03-06T09:00:00.000Z', byId: 'id-0001', summary: 'Dear Maria Garcia' },
      closedAt: '2026-03-07T09:00:00.000Z',
      purgeAfter: '2026-04-06T09:00:00.000Z',
      related: [{ caseId: 'DSR-2025-0042', why: 'answered', answeredAt: '2025-12-01T09:00:00.000Z' }],
    });
    const purge = { startedAt: '2026-04-06T10:00:00.000Z', doneAt: '2026-04-06T10:00:01.000Z' };

    it('leaves no name, address, number, note or free text, of the person or of the staff', () => {
      const kept = JSON.stringify(withoutPersonalData(full, purge));
      for (const text of [
        'Maria',
        'maria.garcia',
        '1234567',
        'C00010',
        'E-1042',
        'passport',
        'Megan',
        'Adele',
        'Alex',
      ]) {
        assert.doesNotMatch(kept, new RegExp(text, 'i'), text);
      }
    });

    it('keeps the id, the dates, the rights, the outcome and who acted, by id', () => {
      const kept = withoutPersonalData(full, purge);
      assert.equal(kept.id, full.id);
      assert.deepEqual(kept.requestTypes, full.requestTypes);
      assert.equal(kept.receivedAt, full.receivedAt);
      assert.equal(kept.closedAt, full.closedAt);
      assert.equal(kept.decision?.reason, 'other');
      assert.equal(kept.decision?.by.id, 'id-0002');
      assert.equal(kept.response?.at, full.response?.at);
      assert.deepEqual(kept.purge, purge);
    });

    it('a field the case gains later is dropped, not kept, until someone decides it may stay', () => {
      const withMore = { ...full, futureField: 'Dear Maria Garcia' } as typeof full;
      assert.doesNotMatch(JSON.stringify(withoutPersonalData(withMore, purge)), /Maria/);
    });

    it('keeps that a letter was sent, with its hash, and none of its text or address', () => {
      const letter = {
        kind: 'response' as const,
        language: 'es',
        at: '2026-03-01T10:00:00.000Z',
        byId: 'id-0002',
        channel: 'mailbox' as const,
        to: 'maria.garcia@example.org',
        subject: 'Respuesta a Maria Garcia',
        html: '<p>Estimada Maria Garcia</p>',
        sha256: 'ab'.repeat(32),
      };
      const kept = withoutPersonalData({ ...full, letters: [letter] }, purge);
      assert.doesNotMatch(JSON.stringify(kept), /Maria|maria/);
      assert.equal(kept.letters?.[0]?.sha256, letter.sha256);
    });

    it('is due after its date, unless held; a purge under way is always finished', () => {
      assert.equal(purgeIsDue(full, new Date('2026-04-06T08:59:59.000Z')), false);
      assert.equal(purgeIsDue(full, new Date('2026-04-06T09:00:00.000Z')), true);
      const held = {
        ...full,
        hold: { since: '2026-04-01T00:00:00.000Z', byId: 'x', reason: 'complaint' as const, explanation: '' },
      };
      assert.equal(purgeIsDue(held, new Date('2027-01-01T00:00:00.000Z')), false);
      assert.equal(purgeIsDue({ ...held, purge: { startedAt: purge.startedAt } }, new Date()), true);
      assert.equal(purgeIsDue({ ...full, purge }, new Date('2027-01-01T00:00:00.000Z')), false);
    });
  });
});

import assert from 'node:assert/strict';
import { loadConfig } from '../../../app/config.js';
import { fastForwardClock } from '../../../teams/reminders/reminderService.js';

describe('demo fast-forward', () => {
  it('lets a month pass in a minute at the documented scale', () => {
    let real = 1_000_000;
    const clock = fastForwardClock(43_200, { now: () => new Date('2026-06-01T07:00:00Z') }, () => real);
    real += 60_000;
    assert.equal(clock.now().toISOString(), '2026-07-01T07:00:00.000Z');
  });

  it('reads the reminder settings and names a bad one', () => {
    const config = loadConfig({ DSR_REMINDER_DAYS: '10,5', DSR_DEMO_TIME_SCALE: '43200' });
    assert.deepEqual(config.reminders.settings.policies.GDPR?.daysBefore, [10, 5]);
    assert.equal(config.reminders.tickMs, 1_000);
    assert.throws(() => loadConfig({ DSR_WORKING_HOURS: '9-5' }), /DSR_WORKING_HOURS: expected working hours/);
  });
});

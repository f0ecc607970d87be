import assert from 'node:assert/strict';
import { computeDueDate, policyFor, type OrgCalendar } from '../../../dsr/deadlines.js';
import { DEFAULT_REMINDER_SETTINGS, ReminderSchedule } from '../../../dsr/reminders/schedule.js';
import { sampleCase } from '../../support/cases.js';

const berlin: OrgCalendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const newYork: OrgCalendar = { timeZone: 'America/New_York', holidays: [], workingDays: [1, 2, 3, 4, 5] };

function times(
  schedule: ReminderSchedule,
  dueAt: string,
  from: string,
  until: string,
  createdAt = '2026-01-01T00:00:00Z',
) {
  const dsrCase = sampleCase({ status: 'discovery', dueAt, createdAt });
  return schedule
    .between(dsrCase, new Date(from), new Date(until))
    .map((o) => `${o.kind} ${o.occasion.split('@')[1] ?? o.occasion.split('-').pop()} ${o.at.toISOString()}`);
}

describe('reminder times', () => {
  const schedule = new ReminderSchedule(DEFAULT_REMINDER_SETTINGS, berlin);

  it('keeps 09:00 local across the spring clock change, and moves a weekend warning to the Friday before', () => {
    // Due Tuesday 31 March 2026; Berlin moves to summer time on Sunday 29 March.
    const due = '2026-03-31T21:59:59.999Z';
    assert.deepEqual(times(schedule, due, '2026-03-25T00:00:00Z', '2026-04-01T23:00:00Z'), [
      'due 3 2026-03-27T08:00:00.000Z', // 3 days before is Saturday: Friday 09:00 CET
      'due 1 2026-03-30T07:00:00.000Z', // Monday 09:00 CEST
      'due 0 2026-03-31T07:00:00.000Z',
      'overdue 2026-04-01 2026-04-01T07:00:00.000Z',
    ]);
  });

  it('counts a month from 31 January to the end of February, rolled to Monday, and reminds before it', () => {
    const due = computeDueDate(policyFor('GDPR'), new Date('2026-01-31T10:00:00Z'), berlin).toISOString();
    assert.equal(due, '2026-03-02T22:59:59.999Z');
    assert.deepEqual(times(schedule, due, '2026-02-25T00:00:00Z', '2026-03-04T00:00:00Z'), [
      'due 3 2026-02-27T08:00:00.000Z', // 3 days before (Friday 27 Feb)
      'due 0 2026-03-02T08:00:00.000Z', // 1 day before is Sunday: the Friday, already covered; then the due day
      'overdue 2026-03-03 2026-03-03T08:00:00.000Z',
    ]);
  });

  it('follows the autumn clock change in New York', () => {
    const ny = new ReminderSchedule(DEFAULT_REMINDER_SETTINGS, newYork);
    // Due Monday 2 November 2026; New York leaves daylight time on Sunday 1 November.
    const due = '2026-11-03T04:59:59.999Z';
    assert.deepEqual(times(ny, due, '2026-10-29T00:00:00Z', '2026-11-02T23:00:00Z'), [
      'due 3 2026-10-30T13:00:00.000Z', // 3 and 1 day before both fall on Friday 09:00 EDT: one reminder
      'due 0 2026-11-02T14:00:00.000Z', // Monday 09:00 EST
    ]);
  });

  it('sends overdue reminders on working days only, skipping a holiday', () => {
    const withHoliday = new ReminderSchedule(DEFAULT_REMINDER_SETTINGS, { ...berlin, holidays: ['2026-05-01'] });
    // Due Wednesday 29 April 2026; 1 May is a holiday, 2 and 3 May a weekend.
    const due = '2026-04-29T21:59:59.999Z';
    const overdue = times(withHoliday, due, '2026-04-29T12:00:00Z', '2026-05-05T12:00:00Z');
    assert.deepEqual(overdue, [
      'overdue 2026-04-30 2026-04-30T07:00:00.000Z',
      'overdue 2026-05-04 2026-05-04T07:00:00.000Z',
      'overdue 2026-05-05 2026-05-05T07:00:00.000Z',
    ]);
  });

  it('moves a reminder set before working hours to their start', () => {
    const early = new ReminderSchedule(
      { ...DEFAULT_REMINDER_SETTINGS, sendAt: '07:00', workingHours: { start: '08:30', end: '17:00' } },
      berlin,
    );
    const due = '2026-06-10T21:59:59.999Z'; // Wednesday
    assert.deepEqual(times(early, due, '2026-06-09T00:00:00Z', '2026-06-10T12:00:00Z'), [
      'due 1 2026-06-09T06:30:00.000Z',
      'due 0 2026-06-10T06:30:00.000Z',
    ]);
  });

  it('gives the same key to the same reminder however often it is computed, and a new one after an extension', () => {
    const dsrCase = sampleCase({ status: 'discovery', dueAt: '2026-03-31T21:59:59.999Z' });
    const a = schedule.next(dsrCase, new Date('2026-03-29T00:00:00Z'))!;
    const b = schedule.next(dsrCase, new Date('2026-03-29T00:00:00Z'))!;
    assert.equal(a.key, b.key);
    const extended = schedule.next(
      { ...dsrCase, dueAt: '2026-05-31T21:59:59.999Z' },
      new Date('2026-03-29T00:00:00Z'),
    )!;
    assert.notEqual(extended.key, a.key);
    assert.ok(extended.at > a.at, 'the reminders follow the later due date');
  });

  it('has nothing to say about a closed case', () => {
    const closed = sampleCase({ status: 'closed', dueAt: '2026-03-31T21:59:59.999Z' });
    assert.equal(schedule.next(closed, new Date('2026-03-01T00:00:00Z')), undefined);
  });
});

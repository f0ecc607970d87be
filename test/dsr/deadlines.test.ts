import assert from 'node:assert/strict';
import { inEnglish } from '../../i18n/index.js';
import {
  computeDueDate,
  daysLeft,
  extensionAllowed,
  nextWorkingTime,
  orgCalendarSchema,
  policyFor,
  workingDaysAfter,
  calendarName,
  type OrgCalendar,
  type Regulation,
} from '../../dsr/deadlines.js';

const berlin: OrgCalendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const berlinHolidays: OrgCalendar = { ...berlin, holidays: ['2026-05-01', '2026-12-25', '2026-12-26'] };
const losAngeles: OrgCalendar = { timeZone: 'America/Los_Angeles', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const bavaria: OrgCalendar = { ...berlin, publicHolidays: { country: 'DE', region: 'BY' } };
const lowerSaxony: OrgCalendar = { ...berlin, publicHolidays: { country: 'DE', region: 'NI' } };
const germanyMonToThu: OrgCalendar = {
  ...berlin,
  workingDays: [1, 2, 3, 4],
  publicHolidays: { country: 'DE', region: 'BE' },
};
const germanyMonToFri: OrgCalendar = { ...germanyMonToThu, workingDays: [1, 2, 3, 4, 5] };
const california: OrgCalendar = { ...losAngeles, publicHolidays: { country: 'US', region: 'CA' } };

interface DueRow {
  name: string;
  regulation: Regulation;
  received: string;
  calendar: OrgCalendar;
  due: string;
  extended?: boolean;
  pausedDays?: number;
}

// Expected values were worked out by hand from the calendar, not taken from the code.
const dueRows: DueRow[] = [
  {
    name: '31 January ends on the last day of February, a Saturday, so Monday',
    regulation: 'GDPR',
    received: '2026-01-31T09:00:00Z',
    calendar: berlin,
    due: '2026-03-02T22:59:59.999Z',
  },
  {
    name: '31 January in a leap year ends on 29 February',
    regulation: 'GDPR',
    received: '2028-01-31T09:00:00Z',
    calendar: berlin,
    due: '2028-02-29T22:59:59.999Z',
  },
  {
    name: '31 March ends on 30 April (summer time)',
    regulation: 'GDPR',
    received: '2026-03-31T08:00:00Z',
    calendar: berlin,
    due: '2026-04-30T21:59:59.999Z',
  },
  {
    name: '30 April ends on 30 May, a Saturday, so Monday 1 June',
    regulation: 'GDPR',
    received: '2026-04-30T08:00:00Z',
    calendar: berlin,
    due: '2026-06-01T21:59:59.999Z',
  },
  {
    name: '23:30 local on 31 March counts as 31 March although UTC says 21:30',
    regulation: 'GDPR',
    received: '2026-03-31T21:30:00Z',
    calendar: berlin,
    due: '2026-04-30T21:59:59.999Z',
  },
  {
    name: '00:30 local on 1 April counts as 1 April although UTC still says 31 March',
    regulation: 'GDPR',
    received: '2026-03-31T22:30:00Z',
    calendar: berlin,
    due: '2026-05-01T21:59:59.999Z',
  },
  {
    name: 'a period ending on a public holiday (1 May, a Friday) moves past the weekend',
    regulation: 'GDPR',
    received: '2026-03-31T22:30:00Z',
    calendar: berlinHolidays,
    due: '2026-05-04T21:59:59.999Z',
  },
  {
    name: 'Christmas Day and Boxing Day followed by a Sunday end on Monday 28 December',
    regulation: 'GDPR',
    received: '2026-11-25T10:00:00Z',
    calendar: berlinHolidays,
    due: '2026-12-28T22:59:59.999Z',
  },
  {
    name: 'a Saturday deadline rolls to the Monday after the spring clock change',
    regulation: 'GDPR',
    received: '2026-02-28T10:00:00Z',
    calendar: berlin,
    due: '2026-03-30T21:59:59.999Z',
  },
  {
    name: 'the extension runs three months from receipt',
    regulation: 'GDPR',
    received: '2026-01-31T09:00:00Z',
    calendar: berlin,
    extended: true,
    due: '2026-04-30T21:59:59.999Z',
  },
  {
    name: 'four whole days waiting for proof of identity move the date by four days',
    regulation: 'GDPR',
    received: '2026-03-02T09:00:00Z',
    calendar: berlin,
    pausedDays: 4,
    due: '2026-04-06T21:59:59.999Z',
  },
  {
    name: 'without a pause the same request is due on 2 April',
    regulation: 'GDPR',
    received: '2026-03-02T09:00:00Z',
    calendar: berlin,
    due: '2026-04-02T21:59:59.999Z',
  },
  {
    name: 'Good Friday and Easter Monday (Germany) move 3 April to Tuesday 7 April',
    regulation: 'GDPR',
    received: '2026-03-03T09:00:00Z',
    calendar: bavaria,
    due: '2026-04-07T21:59:59.999Z',
  },
  {
    name: 'Easter Monday itself ends on Tuesday',
    regulation: 'GDPR',
    received: '2026-03-06T09:00:00Z',
    calendar: lowerSaxony,
    due: '2026-04-07T21:59:59.999Z',
  },
  {
    name: 'without a holiday calendar Easter Monday is an ordinary Monday',
    regulation: 'GDPR',
    received: '2026-03-06T09:00:00Z',
    calendar: berlin,
    due: '2026-04-06T21:59:59.999Z',
  },
  {
    name: 'Whit Monday (25 May) ends on Tuesday 26 May',
    regulation: 'GDPR',
    received: '2026-04-25T09:00:00Z',
    calendar: germanyMonToFri,
    due: '2026-05-26T21:59:59.999Z',
  },
  {
    name: 'Epiphany across the year boundary: a holiday in Bavaria moves 6 January to the 7th',
    regulation: 'GDPR',
    received: '2025-12-06T09:00:00Z',
    calendar: bavaria,
    due: '2026-01-07T22:59:59.999Z',
  },
  {
    name: 'Epiphany is no holiday in Lower Saxony: the period ends on 6 January',
    regulation: 'GDPR',
    received: '2025-12-06T09:00:00Z',
    calendar: lowerSaxony,
    due: '2026-01-06T22:59:59.999Z',
  },
  {
    name: "Corpus Christi (4 June) is Bavaria's, not Lower Saxony's: Friday 5 June in Bavaria",
    regulation: 'GDPR',
    received: '2026-05-04T09:00:00Z',
    calendar: bavaria,
    due: '2026-06-05T21:59:59.999Z',
  },
  {
    name: 'New Year’s Day 2027, a Friday, moves the end into the next week',
    regulation: 'GDPR',
    received: '2026-12-01T09:00:00Z',
    calendar: germanyMonToFri,
    due: '2027-01-04T22:59:59.999Z',
  },
  {
    name: 'a Monday-to-Thursday company still answers by Friday 29 May: its own week does not count',
    regulation: 'GDPR',
    received: '2026-04-29T09:00:00Z',
    calendar: germanyMonToThu,
    due: '2026-05-29T21:59:59.999Z',
  },
  {
    name: 'the organisation’s further holiday (DSR_HOLIDAYS) counts with the library’s',
    regulation: 'GDPR',
    received: '2026-04-29T09:00:00Z',
    calendar: { ...germanyMonToThu, holidays: ['2026-05-29'] },
    due: '2026-06-01T21:59:59.999Z',
  },
  {
    name: 'CCPA: 45 calendar days ending on the US clock-change Sunday, not rolled',
    regulation: 'CCPA',
    received: '2026-01-22T18:00:00Z',
    calendar: losAngeles,
    due: '2026-03-09T06:59:59.999Z',
  },
  {
    name: 'CCPA ignores a pause for identity',
    regulation: 'CCPA',
    received: '2026-01-22T18:00:00Z',
    calendar: losAngeles,
    pausedDays: 5,
    due: '2026-03-09T06:59:59.999Z',
  },
  {
    name: 'CCPA extension: 90 days in all',
    regulation: 'CCPA',
    received: '2026-01-22T18:00:00Z',
    calendar: losAngeles,
    extended: true,
    due: '2026-04-23T06:59:59.999Z',
  },
  {
    name: 'LGPD: 15 days ending on the autumn clock-change Sunday in Berlin',
    regulation: 'LGPD',
    received: '2026-10-10T10:00:00Z',
    calendar: berlin,
    due: '2026-10-25T22:59:59.999Z',
  },
];

describe('deadline policies', () => {
  for (const row of dueRows) {
    it(`${row.regulation}: ${row.name}`, () => {
      const due = computeDueDate(policyFor(row.regulation), new Date(row.received), row.calendar, {
        extended: row.extended ?? false,
        pausedDays: row.pausedDays ?? 0,
      });
      assert.equal(due.toISOString(), row.due);
    });
  }

  it('gives a Monday-to-Thursday company the same GDPR due dates as a Monday-to-Friday one, all year', () => {
    const gdpr = policyFor('GDPR');
    for (let day = 0; day < 400; day += 1) {
      const received = new Date(Date.UTC(2026, 0, 1, 10) + day * 24 * 3600 * 1000);
      assert.equal(
        computeDueDate(gdpr, received, germanyMonToThu).toISOString(),
        computeDueDate(gdpr, received, germanyMonToFri).toISOString(),
        received.toISOString(),
      );
    }
  });

  describe('CCPA confirmation of receipt: 10 business days (11 CCR § 7021(a))', () => {
    it('skips weekends', () => {
      // Monday 2 March: ten business days later is Monday 16 March.
      assert.equal(
        workingDaysAfter(new Date('2026-03-02T18:00:00Z'), 10, losAngeles).toISOString(),
        '2026-03-17T06:59:59.999Z',
      );
    });
    it('skips Thanksgiving and the day after in California', () => {
      // Monday 23 November: 24, 25, 30 November and 1 to 4, 7 to 9 December.
      assert.equal(
        workingDaysAfter(new Date('2026-11-23T18:00:00Z'), 10, california).toISOString(),
        '2026-12-10T07:59:59.999Z',
      );
    });
  });

  it('names the calendar it counts against', () => {
    assert.equal(calendarName(bavaria), 'Public holidays of Germany, Bayern');
    assert.equal(
      calendarName({ ...bavaria, holidays: ['2026-08-08'] }),
      'Public holidays of Germany, Bayern and 1 further date (DSR_HOLIDAYS)',
    );
    assert.equal(calendarName(berlin), 'No public holidays configured: weekends only');
  });

  describe('extension', () => {
    const gdpr = policyFor('GDPR');
    const received = new Date('2026-01-31T09:00:00Z');

    it('is allowed on the last day of the first period and gives the new date', () => {
      const decision = extensionAllowed(gdpr, received, new Date('2026-03-02T20:00:00Z'), berlin, false);
      assert.deepEqual(decision, { allowed: true, newDueDate: new Date('2026-04-30T21:59:59.999Z') });
    });

    it('is refused once the first period has ended', () => {
      const decision = extensionAllowed(gdpr, received, new Date('2026-03-03T08:00:00Z'), berlin, false);
      assert.equal(decision.allowed, false);
      assert.match(
        !decision.allowed ? inEnglish(decision.reason) : '',
        /first period runs; it ended on Mon 2 Mar 2026/,
      );
    });

    it('is refused a second time', () => {
      const decision = extensionAllowed(gdpr, received, new Date('2026-02-10T08:00:00Z'), berlin, true);
      assert.equal(!decision.allowed && inEnglish(decision.reason), 'The deadline was already extended once.');
    });

    it('does not exist under LGPD', () => {
      const decision = extensionAllowed(policyFor('LGPD'), received, received, berlin, false);
      assert.equal(!decision.allowed && inEnglish(decision.reason), 'LGPD allows no extension.');
    });
  });

  describe('days left', () => {
    const due = new Date('2026-03-02T22:59:59.999Z');
    const rows: Array<[string, string, number]> = [
      ['the evening before, local time', '2026-03-01T22:30:00Z', 1],
      ['just after local midnight on the day, though UTC still says the day before', '2026-03-01T23:30:00Z', 0],
      ['the last minute of the day', '2026-03-02T22:59:00Z', 0],
      ['the next morning', '2026-03-03T00:00:00Z', -1],
      ['a month ahead', '2026-02-02T10:00:00Z', 28],
    ];
    for (const [name, now, expected] of rows) {
      it(`${name}: ${expected}`, () => assert.equal(daysLeft(due, new Date(now), berlin), expected));
    }
    it('counts a 23-hour day as one day', () => {
      assert.equal(daysLeft(new Date('2026-03-30T21:59:59.999Z'), new Date('2026-03-28T12:00:00Z'), berlin), 2);
    });
  });

  describe('next working time (for reminders)', () => {
    const hours = { start: '09:00', end: '17:00' };
    const rows: Array<[string, string, string, OrgCalendar]> = [
      ['inside working hours: now', '2026-03-03T10:00:00Z', '2026-03-03T10:00:00.000Z', berlin],
      ['before opening: at nine', '2026-03-03T06:00:00Z', '2026-03-03T08:00:00.000Z', berlin],
      ['in the evening: next morning', '2026-03-03T20:00:00Z', '2026-03-04T08:00:00.000Z', berlin],
      ['on Saturday: Monday morning', '2026-03-07T10:00:00Z', '2026-03-09T08:00:00.000Z', berlin],
      [
        'weekend before the clock change: Monday nine in summer time',
        '2026-03-28T10:00:00Z',
        '2026-03-30T07:00:00.000Z',
        berlin,
      ],
      [
        'Christmas Eve evening: the Monday after the holidays',
        '2026-12-24T17:00:00Z',
        '2026-12-28T08:00:00.000Z',
        berlinHolidays,
      ],
    ];
    for (const [name, at, expected, calendar] of rows) {
      it(name, () => assert.equal(nextWorkingTime(new Date(at), calendar, hours).toISOString(), expected));
    }
  });

  it('rejects a calendar with an unknown zone or a malformed holiday', () => {
    assert.equal(orgCalendarSchema.safeParse({ ...berlin, timeZone: 'Mars/Olympus' }).success, false);
    assert.equal(orgCalendarSchema.safeParse({ ...berlin, holidays: ['25.12.2026'] }).success, false);
    assert.equal(orgCalendarSchema.safeParse(berlinHolidays).success, true);
  });
});

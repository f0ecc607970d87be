import assert from 'node:assert/strict';
import { caseCardShell, countdownText } from '../../cards/caseHeader.js';
import { translator } from '../../i18n/index.js';
import { caseHeaderFacts } from '../../dsr/caseHeader.js';
import { sampleCase } from '../support/cases.js';
import { readableTexts } from './cardTexts.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const texts = (card: unknown) => readableTexts(card).map(({ text }) => text);
const header = (overrides: Parameters<typeof sampleCase>[0], locale = 'en-GB') =>
  texts(
    caseCardShell({
      header: caseHeaderFacts(sampleCase(overrides), NOW, calendar),
      locale,
      timeZone: calendar.timeZone,
    }),
  );

describe('the case header', () => {
  it('writes the days left, due today and overdue in words, in each language', () => {
    assert.ok(header({ dueAt: '2026-03-14T22:59:59.999Z' }).includes('4 days left'));
    assert.ok(header({ dueAt: '2026-03-11T22:59:59.999Z' }).includes('1 day left'));
    assert.ok(header({ dueAt: '2026-03-10T22:59:59.999Z' }).includes('due today'));
    assert.ok(header({ dueAt: '2026-03-07T22:59:59.999Z' }).includes('overdue by 3 days'));
    assert.ok(header({ dueAt: '2026-03-07T22:59:59.999Z' }, 'de-DE').includes('seit 3 Tagen überfällig'));
    assert.ok(header({ dueAt: '2026-03-14T22:59:59.999Z' }, 'fr-FR').includes('4 jours restants'));
    assert.ok(header({ dueAt: '2026-03-11T22:59:59.999Z' }, 'es-ES').includes('queda 1 día'));
  });

  it('says "New request" only while nobody has decided the case', () => {
    assert.ok(header({}).includes('New request DSR-2026-0001'));
    const approved = {
      outcome: 'approved' as const,
      at: NOW.toISOString(),
      by: { id: 'p', name: 'Megan Bowen' },
      reason: null,
      explanation: '',
    };
    const shown = header({ status: 'approved', decision: approved });
    assert.ok(!shown.some((text) => text.includes('New request')));
    assert.ok(shown.includes('DSR-2026-0001: Maria Garcia'));
  });

  it('names the subject, the rights, the status, the assignee and who filed the request', () => {
    const shown = header({
      requestTypes: ['access', 'delete'],
      assignee: { id: 'p', name: 'Megan Bowen' },
      status: 'triage',
    });
    for (const expected of [
      'Maria Garcia (customer)',
      'Access, Erasure',
      'In triage',
      'Megan Bowen',
      'Alex Wilber',
      'Filed by',
    ])
      assert.ok(shown.includes(expected), expected);
    assert.ok(header({}).includes('Nobody yet'));
  });

  it('a closed case shows its status where the countdown was, and no name after the purge', () => {
    const shown = header({ status: 'closed', purge: { startedAt: NOW.toISOString(), doneAt: NOW.toISOString() } });
    assert.ok(shown.includes('Closed'));
    assert.ok(!shown.some((text) => text.includes('Maria')));
    assert.equal(
      countdownText(translator('en'), { urgency: 'settled', daysLeft: -40, status: 'responded' }),
      'Answered',
    );
  });
});

import { said } from '../../i18n/index.js';
import assert from 'node:assert/strict';
import { caseCard } from '../../cards/caseCard.js';
import { caseListCard } from '../../cards/caseListCard.js';
import { intakeCard } from '../../cards/intakeCard.js';
import { triageCard } from '../../cards/triageCard.js';
import type { CardJson } from '../../cards/template.js';
import { sampleCase } from '../support/cases.js';
import { cardProblems } from '../support/cardRules.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const TRIAGE_DATA = ['caseId', 'version'];
const REQUIRED_DATA = {
  'intake.submit': ['intakeId'],
  'case.refresh': ['caseId'],
  'triage.refresh': ['caseId'],
  ...Object.fromEntries(
    [
      'assignSelf',
      'assign',
      'verifyIdentity',
      'pause',
      'resume',
      'approve',
      'decline',
      'extend',
      'note',
      'close',
      'hold',
      'releaseHold',
    ].map((verb) => [`triage.${verb}`, TRIAGE_DATA]),
  ),
};
const bigTeam = Array.from({ length: 80 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: `Privacy Officer With A Long Name ${i}`,
}));

const longCase = sampleCase({
  subject: {
    name: 'M'.repeat(200),
    emails: Array.from({ length: 10 }, (_, i) => `person${i}@example.org`),
    phones: ['+49 30 1234567'],
    identifiers: { customerNumber: 'C'.repeat(100), employeeId: 'E'.repeat(100), other: 'O'.repeat(100) },
    role: 'former-employee',
  },
  requestTypes: ['access', 'rectify', 'restrict', 'delete', 'export'],
  details: 'D'.repeat(2000),
});

const cards: Array<[string, CardJson]> = [
  [
    'a fresh intake form',
    intakeCard({ intakeId: 'b3f1c7d2-1111-4222-8333-944455556666', now: NOW, timeZone: 'Europe/Berlin' }),
  ],
  [
    'an intake form with every error shown',
    intakeCard({
      intakeId: 'b3f1c7d2-1111-4222-8333-944455556666',
      now: NOW,
      timeZone: 'Europe/Berlin',
      values: { subjectName: 'x'.repeat(4000), details: 'y'.repeat(4000) },
      errors: {
        subjectName: said('intake.errors.tooLong', { max: 200 }),
        subjectEmails: said('intake.errors.identifier'),
        requestTypes: said('intake.errors.rights'),
        receivedDate: said('intake.errors.future'),
        details: said('intake.errors.tooLong', { max: 2000 }),
      },
    }),
  ],
  ['a case card with long texts', caseCard(longCase, NOW, calendar)],
  [
    'a triage card with long texts, notes and a large team',
    triageCard(
      {
        ...longCase,
        notes: Array.from({ length: 10 }, () => ({ at: NOW.toISOString(), by: bigTeam[0]!, text: 'N'.repeat(2000) })),
        pause: { since: NOW.toISOString(), reason: 'R'.repeat(1000) },
      },
      NOW,
      calendar,
      bigTeam,
      { text: 'A notice', tone: 'attention' },
    ),
  ],
  [
    'a decided triage card',
    triageCard(
      {
        ...longCase,
        status: 'declined',
        decision: {
          outcome: 'declined',
          at: NOW.toISOString(),
          by: bigTeam[1]!,
          reason: 'other',
          explanation: 'E'.repeat(1000),
        },
      },
      NOW,
      calendar,
      bigTeam,
    ),
  ],
  [
    'a closed case under legal hold, repeating other requests',
    triageCard(
      {
        ...longCase,
        status: 'closed',
        closedAt: NOW.toISOString(),
        purgeAfter: '2026-04-09T12:00:00.000Z',
        hold: { since: NOW.toISOString(), byId: bigTeam[0]!.id, reason: 'other', explanation: 'H'.repeat(1000) },
        related: Array.from({ length: 10 }, (_, i) => ({
          caseId: `DSR-2026-${String(i + 1).padStart(4, '0')}`,
          why: i % 2 === 0 ? ('open' as const) : ('answered' as const),
          answeredAt: NOW.toISOString(),
        })),
      },
      NOW,
      calendar,
      bigTeam,
    ),
  ],
  [
    'a closed case whose personal data is deleted',
    triageCard(
      {
        ...longCase,
        status: 'closed',
        purgeAfter: NOW.toISOString(),
        purge: { startedAt: NOW.toISOString(), doneAt: NOW.toISOString() },
      },
      NOW,
      calendar,
      bigTeam,
    ),
  ],
  [
    'a list of many cases',
    caseListCard(
      'Open requests',
      Array.from({ length: 60 }, () => longCase),
      NOW,
      calendar,
    ),
  ],
];

describe('every card the bot sends', () => {
  for (const [name, card] of cards) {
    it(`${name} parses as Adaptive Card 1.5 with labelled inputs and complete actions`, () => {
      assert.deepEqual(cardProblems(card, REQUIRED_DATA), []);
    });
  }

  it('the checks catch a broken card', () => {
    const broken = {
      type: 'AdaptiveCard',
      version: '1.4',
      body: [{ type: 'Input.Text', id: 'x' }, { type: 'Widget' }],
      actions: [{ type: 'Action.Execute', title: 'Go' }],
    };
    const problems = cardProblems(broken, REQUIRED_DATA);
    assert.ok(problems.some((p) => /Unknown element type "Widget"/.test(p)));
    assert.ok(problems.some((p) => /has no label/.test(p)));
    assert.ok(problems.some((p) => /without a verb/.test(p)));
    assert.ok(problems.some((p) => /not 1.5/.test(p)));
  });

  it('tells the team when a closed case’s personal data will be deleted, and offers a hold until then', () => {
    const closed = sampleCase({ status: 'closed', purgeAfter: '2026-04-09T12:00:00.000Z' });
    const text = JSON.stringify(triageCard(closed, NOW, calendar, bigTeam));
    assert.match(text, /The personal data of this case will be deleted on Thu 9 Apr 2026/);
    assert.match(text, /Legal hold/);
    const held = JSON.stringify(
      triageCard(
        { ...closed, hold: { since: NOW.toISOString(), byId: 'x', reason: 'complaint', explanation: '' } },
        NOW,
        calendar,
        bigTeam,
      ),
    );
    assert.match(held, /kept under a legal hold/);
    assert.match(held, /Release legal hold/);
    assert.doesNotMatch(held, /will be deleted on/);
  });

  it('shows a case’s deadline as a countdown', () => {
    const text = JSON.stringify(caseCard(sampleCase({ dueAt: '2026-03-13T22:59:59.999Z' }), NOW, calendar));
    assert.match(text, /3 days left/);
  });
});

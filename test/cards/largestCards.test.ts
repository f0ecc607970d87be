import { said } from '../../i18n/index.js';
import assert from 'node:assert/strict';
import { translator } from '../../i18n/index.js';
import { stepTitle } from '../../cards/planStepText.js';
import { caseCard } from '../../cards/caseCard.js';
import { caseListCard } from '../../cards/caseListCard.js';
import { changePreviewCard } from '../../cards/changeStepCard.js';
import { digestCard } from '../../cards/digestCard.js';
import { findingsCard, progressCard, reviewCard } from '../../cards/findingsCard.js';
import { intakeCard } from '../../cards/intakeCard.js';
import { letterCard } from '../../cards/letterCard.js';
import { PLAN_PAGE_SIZE, planCard } from '../../cards/planCard.js';
import { REVIEW_PAGE_SIZE, reviewCard as packageReviewCard } from '../../cards/reviewCard.js';
import { sharedConversationCard } from '../../cards/sharedConversationCard.js';
import type { CardJson } from '../../cards/template.js';
import { triageCard } from '../../cards/triageCard.js';
import type { DsrCase } from '../../dsr/case.js';
import type { FoundRecord, SystemFindings } from '../../dsr/discovery.js';
import type { PlanStep } from '../../dsr/plan.js';
import type { PackageReview } from '../../dsr/packageReview.js';
import type { SnapshotIndex, SnapshotRecord } from '../../dsr/runs/reviewSnapshot.js';
import type { StepPreview } from '../../dsr/changePreview.js';
import { CARD_SIZE_LIMIT, cardProblems } from '../support/cardRules.js';
import { sampleCase } from '../support/cases.js';

/**
 * Every card the bot sends, at its largest: many systems with many records, a plan with many steps
 * and long names, full digest sections. Each must pass the Adaptive Cards validator with no
 * warning, keep its input ids unique, and stay within the message size Teams accepts.
 */
const NOW = new Date('2026-03-10T12:00:00.000Z');
const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const LONG = (n: number, c = 'x') => `${c.repeat(n)}`;

const team = Array.from({ length: 80 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: `Privacy Officer With A Rather Long Name Number ${i}`,
}));

const bigSubject: DsrCase['subject'] = {
  name: LONG(200, 'M'),
  emails: Array.from({ length: 10 }, (_, i) => `person.with.a.long.address.${i}@example.org`),
  phones: Array.from({ length: 5 }, (_, i) => `+49 30 123456${i}`),
  identifiers: { customerNumber: LONG(100, 'C'), employeeId: LONG(100, 'E'), other: LONG(100, 'O') },
  role: 'former-employee',
};

function record(system: number, n: number): FoundRecord {
  const candidate = n % 3 === 0;
  return {
    kind: ['contact', 'lead', 'activity', 'email', 'note'][n % 5]!,
    id: `rec-${system}-${n}-${LONG(20, 'i')}`,
    fields: Object.fromEntries(Array.from({ length: 12 }, (_, f) => [`field${f}`, LONG(120, 'v')])),
    matchedOn: candidate ? ['name'] : ['email'],
  };
}

function system(n: number): SystemFindings {
  const records = Array.from({ length: 200 }, (_, r) => record(n, r));
  const status = n === 10 ? 'failed' : n === 11 ? 'not-connected' : 'found';
  return {
    systemId: `system-${n}`,
    displayName: `A System With A Long Display Name ${n} ${LONG(40, 'S')}`,
    status,
    counts: { contact: 40, lead: 40, activity: 40, email: 40, note: 40 },
    candidateCounts: { contact: 14, lead: 13, activity: 13, email: 13, note: 14 },
    records: status === 'found' ? records : [],
    recordsLeftOut: status === 'found' ? 5000 : 0,
    queries: [],
    at: NOW.toISOString(),
    durationMs: 10,
    ...(status === 'failed' ? { error: LONG(2000, 'F') } : {}),
    ...(status === 'not-connected'
      ? {
          manualSteps: Array.from({ length: 20 }, () => ({
            text: LONG(1000, 'T'),
            link: { title: LONG(200, 'L'), url: `https://learn.microsoft.com/${LONG(300, 'u')}` },
          })),
        }
      : {}),
  };
}

const preview: StepPreview = {
  at: NOW.toISOString(),
  byId: team[0]!.id,
  hash: LONG(64, 'a'),
  findingsHash: LONG(64, 'b'),
  request: { right: 'delete' },
  targetCount: 5000,
  counts: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`kind${i}`, 1000])),
  samples: Array.from({ length: 50 }, () => ({
    kind: 'contact',
    label: LONG(200, 'l'),
    changes: Array.from({ length: 20 }, (_, c) => ({ field: `field${c}`, from: LONG(200, 'f'), to: LONG(200, 't') })),
  })),
  retained: Array.from({ length: 50 }, (_, i) => ({
    id: `kept-${i}`,
    kind: 'invoice',
    label: LONG(200, 'k'),
    reason: LONG(500, 'r'),
  })),
  retainedCount: 50,
  guided: Array.from({ length: 20 }, () => ({
    text: LONG(1000, 'g'),
    link: { title: LONG(200, 'L'), url: `https://learn.microsoft.com/${LONG(300, 'u')}` },
  })),
};

const STATES: PlanStep['state'][] = ['todo', 'waiting-approval', 'running', 'failed', 'done', 'not-applicable'];

function step(n: number): PlanStep {
  const right = (['access', 'rectify', 'restrict', 'delete', 'export'] as const)[n % 5];
  const guided = n % 4 === 3;
  const state = STATES[n % STATES.length]!;
  return {
    id: `${right}:system-${n}`,
    right,
    systemId: `system-${n % 12}`,
    systemName: `A System With A Long Display Name ${n}`,
    mode: guided ? 'guided' : 'automated',
    title: `Step ${n}: ${LONG(300, 'T')}`,
    instructions: Array.from({ length: 10 }, () => ({
      text: LONG(1000, 'i'),
      link: { title: LONG(200, 'L'), url: `https://learn.microsoft.com/${LONG(300, 'u')}` },
    })),
    destructive: right !== 'access' && right !== 'export',
    state,
    ...(state === 'failed' ? { error: LONG(2000, 'e'), failure: 'error' as const } : {}),
    reason: LONG(2000, 'r'),
    ...(state !== 'done' && right !== 'access' && right !== 'export' ? { preview } : {}),
    ...(state === 'done' ? { completed: { at: NOW.toISOString(), byId: team[0]!.id, note: LONG(1000, 'n') } } : {}),
    ...(state === 'running' ? { progress: { done: 10, total: 5000 } } : {}),
    updatedAt: NOW.toISOString(),
  } as PlanStep;
}

const systems = Array.from({ length: 12 }, (_, n) => system(n));
const steps: PlanStep[] = [
  { ...step(0), id: 'package', right: 'access', mode: 'automated', destructive: false, state: 'todo' },
  ...Array.from({ length: 60 }, (_, n) => step(n + 1)),
];

const bigCase = sampleCase({
  subject: bigSubject,
  requestTypes: ['access', 'rectify', 'restrict', 'delete', 'export'],
  details: LONG(2000, 'D'),
  status: 'actions',
  notes: Array.from({ length: 50 }, () => ({ at: NOW.toISOString(), by: team[0]!, text: LONG(2000, 'N') })),
  findings: {
    query: { names: [], emails: [], phones: [], customerNumbers: [], employeeIds: [] },
    systems,
    updatedAt: NOW.toISOString(),
  },
  plan: { createdAt: NOW.toISOString(), steps },
});

const manyCases = Array.from({ length: 40 }, (_, i) =>
  sampleCase({
    id: `DSR-2026-${String(i + 1).padStart(4, '0')}`,
    subject: bigSubject,
    requestTypes: ['access', 'rectify', 'restrict', 'delete', 'export'],
    assignee: team[i % team.length]!,
  }),
);

const rendered: Array<[string, CardJson]> = [
  [
    'the intake form with every error shown',
    intakeCard({
      intakeId: 'b3f1c7d2-1111-4222-8333-944455556666',
      now: NOW,
      timeZone: 'Europe/Berlin',
      values: { subjectName: LONG(4000), details: LONG(4000) },
      errors: {
        subjectName: said('intake.errors.tooLong', { max: 200 }),
        subjectEmails: said('intake.errors.identifier'),
        requestTypes: said('intake.errors.rights'),
        receivedDate: said('intake.errors.future'),
        details: said('intake.errors.tooLong', { max: 2000 }),
      },
    }),
  ],
  ['the requester’s case card', caseCard(bigCase, NOW, calendar, { notice: { tone: 'good', text: LONG(500, 'H') } })],
  [
    'the undecided triage card with a large team, long notes and a notice',
    triageCard(
      {
        ...bigCase,
        status: 'triage',
        findings: undefined,
        plan: undefined,
        pause: { since: NOW.toISOString(), reason: LONG(1000, 'R') },
        related: Array.from({ length: 50 }, (_, i) => ({
          caseId: `DSR-2026-${String(i + 1).padStart(4, '0')}`,
          why: 'open' as const,
        })),
      },
      NOW,
      calendar,
      team,
      { text: LONG(1000, 'n'), tone: 'attention' },
    ),
  ],
  [
    'the triage card of an approved case with findings, a plan and letters sent',
    triageCard(
      {
        ...bigCase,
        decision: { outcome: 'approved', at: NOW.toISOString(), by: team[1]!, reason: null, explanation: '' },
      },
      NOW,
      calendar,
      team,
      { text: LONG(1000, 'n'), tone: 'good' },
    ),
  ],
  ['a list of 40 cases', caseListCard('Open requests', manyCases, NOW, calendar)],
  [
    'the digest with 40 cases in every section and many undelivered notes',
    digestCard(
      {
        day: '2026-03-10',
        overdue: manyCases,
        dueSoon: manyCases,
        waitingForApproval: manyCases,
        unreachable: Array.from({ length: 200 }, () => LONG(200, 'U')),
        auditHead: { seq: 123456, hash: LONG(64, 'c') },
      },
      NOW,
      calendar,
    ),
  ],
  [
    'the findings of 12 systems with 200 records each',
    findingsCard(bigCase, { calendar, now: NOW, notice: { tone: 'good', text: LONG(1000, 'n') } }),
  ],
  [
    'a page of one system’s records',
    reviewCard(bigCase, { calendar, now: NOW, notice: { tone: 'good', text: LONG(1000, 'n') } }, 'system-0', 3),
  ],
  [
    'the progress of 12 systems',
    progressCard(
      bigCase,
      { done: 12, total: 12, running: systems.map((s) => s.displayName), answered: systems },
      { calendar, now: NOW },
    ),
  ],
  ...Array.from({ length: Math.ceil(steps.length / PLAN_PAGE_SIZE) + 1 }, (_, page): [string, CardJson] => [
    `page ${page + 1} of a plan of ${steps.length} steps`,
    planCard(bigCase, LONG(1000, 'n'), { page }),
  ]),
  ['a plan focused on its last step', planCard(bigCase, undefined, { focusStepId: steps.at(-1)!.id })],
  ['the preview of a deletion', changePreviewCard(bigCase, { ...step(4), state: 'waiting-approval' }, LONG(500, 'n'))],
  [
    'a long response letter',
    letterCard({
      dsrCase: bigCase,
      kind: 'response',
      letter: {
        subject: LONG(500, 's'),
        html: Array.from({ length: 400 }, () => `<p>${LONG(300, 'p')}</p>`).join(''),
      },
      note: LONG(4000, 'o'),
      to: bigSubject.emails[0],
      mailbox: 'privacy@example.org',
      eml: `https://dsr.example.org/letters/${LONG(300, 'e')}`,
      printable: `https://dsr.example.org/letters/${LONG(300, 'p')}`,
      notice: { text: LONG(1000, 'n'), tone: 'attention' },
      locale: 'de-DE',
      now: NOW,
      calendar,
    }),
  ],
  ['the neutral card left in a shared conversation', sharedConversationCard()],
];

function inputIds(node: unknown, ids: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((child) => inputIds(child, ids));
  else if (node && typeof node === 'object') {
    const element = node as Record<string, unknown>;
    if (typeof element.type === 'string' && element.type.startsWith('Input.')) ids.push(String(element.id));
    Object.values(element).forEach((child) => inputIds(child, ids));
  }
  return ids;
}

/** The package review at its largest: many sources, every record on the page withheld and redacted at length. */
const reviewIndex: SnapshotIndex = {
  snapshotId: 'snapshot-1',
  sources: Array.from({ length: 60 }, (_, i) => ({
    system: `system-${i}`,
    systemName: LONG(200, 'S'),
    kind: LONG(200, 'K'),
    categories: [LONG(200, 'C')],
    file: `system-${i}.jsonl`,
    records: 100_000,
  })),
  exclusions: [],
};
const reviewRecords: SnapshotRecord[] = Array.from({ length: REVIEW_PAGE_SIZE }, (_, i) => ({
  recordId: `system-0/${LONG(79, 'k')}/${i}`,
  record: Object.fromEntries(Array.from({ length: 40 }, (_, f) => [`${LONG(100, 'f')}${f}`, LONG(5000, 'v')])),
}));
function reviewed(state: 'open' | 'submitted' | 'approved' | 'released'): DsrCase {
  const at = NOW.toISOString();
  const review: PackageReview = {
    snapshotId: 'snapshot-1',
    builtAt: at,
    records: 6_000_000,
    exclusions: reviewRecords.map((r) => ({
      recordId: r.recordId,
      ground: 'rights-of-others',
      note: LONG(2000, 'n'),
      at,
      byId: 'megan',
    })),
    redactions: reviewRecords.flatMap((r) =>
      Object.keys(r.record).map((field) => ({ recordId: r.recordId, field, text: LONG(500, 'r'), at, byId: 'megan' })),
    ),
    reviewerIds: ['megan'],
    ...(state !== 'open' ? { submitted: { at, byId: 'megan', hash: LONG(64, 'h') } } : {}),
    ...(state === 'approved' || state === 'released' ? { approval: { at, byId: 'adele', hash: LONG(64, 'h') } } : {}),
    ...(state === 'released'
      ? {
          release: {
            at,
            byId: 'megan',
            packageId: 'package-1',
            records: 6_000_000,
            bytes: 1e12,
            token: LONG(43, 't'),
            expiresAt: at,
          },
        }
      : {}),
  };
  return { ...bigCase, review };
}
for (const state of ['open', 'submitted', 'approved', 'released'] as const)
  rendered.push([
    `a page of the package review, ${state}, every record withheld and redacted`,
    packageReviewCard({
      dsrCase: reviewed(state),
      index: reviewIndex,
      source: 0,
      page: 3,
      records: reviewRecords,
      now: NOW,
      calendar,
      notice: LONG(1000, 'n'),
    }),
  ]);

describe('every card the bot sends, at its largest', () => {
  for (const [name, card] of rendered) {
    it(`${name}: valid, unique input ids, within ${CARD_SIZE_LIMIT / 1024} KB`, () => {
      assert.deepEqual(cardProblems(card), []);
      const ids = inputIds(card);
      assert.deepEqual(
        ids.filter((id, i) => ids.indexOf(id) !== i),
        [],
        'duplicate input ids',
      );
    });
  }

  it('the findings card keeps every system and the way to every record', () => {
    const text = JSON.stringify(rendered.find(([name]) => name.startsWith('the findings'))![1]);
    for (const s of systems) assert.ok(text.includes(s.displayName.slice(0, 40)), s.systemId);
    for (const s of systems.filter((s) => s.status === 'found'))
      assert.ok(text.includes(`"systemId":"${s.systemId}","page":0`), `review of ${s.systemId}`);
  });

  it('the plan pages every step and says which are not applicable', () => {
    const pages = rendered.filter(([name]) => name.startsWith('page ')).map(([, card]) => JSON.stringify(card));
    const t = translator('en');
    for (const s of steps.filter((s) => s.state !== 'not-applicable'))
      assert.ok(
        pages.some((page) => page.includes(`${stepTitle(s, t)}**`)),
        s.id,
      );
    // The steps that do not apply are folded into one line per system.
    assert.match(pages[0]!, /Do(es)? not apply: /);
    assert.match(pages[0]!, /Next page/);
    assert.match(pages.at(-1)!, /Previous page/);
  });

  it('a digest section shows what fits and counts the rest, pointing to the list', () => {
    const digest = JSON.stringify(rendered.find(([name]) => name.startsWith('the digest'))![1]);
    assert.match(digest, /Overdue \(40\)/);
    assert.match(digest, /and \d+ more/);
    assert.match(digest, /status overdue|dashboard/);
  });
});

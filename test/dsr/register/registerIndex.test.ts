import assert from 'node:assert/strict';
import type { DsrCase } from '../../../dsr/case.js';
import { registerCsv } from '../../../dsr/register/csv.js';
import { parseQuery, registerQuerySchema, type RegisterQuery } from '../../../dsr/register/query.js';
import { RegisterIndex } from '../../../dsr/register/registerIndex.js';
import { sampleCase } from '../../support/cases.js';

const ZONE = 'Europe/Berlin';
const NOW = new Date('2026-06-15T10:00:00.000Z');
const officer = { id: 'megan', name: 'Megan Bowen' };

function query(params: Record<string, string> = {}): RegisterQuery {
  const parsed = parseQuery(registerQuerySchema, params);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.value;
}

let sequence = 0;
function open(received: string, due: string, overrides: Partial<DsrCase> = {}): DsrCase {
  sequence += 1;
  const id = `DSR-2026-${String(sequence).padStart(4, '0')}`;
  return sampleCase({ id, intakeKey: id, status: 'triage', receivedAt: received, dueAt: due, ...overrides });
}

function answered(received: string, due: string, at: string, overrides: Partial<DsrCase> = {}): DsrCase {
  return open(received, due, { status: 'closed', response: { at, byId: officer.id, summary: 'done' }, ...overrides });
}

describe('the register index', () => {
  beforeEach(() => (sequence = 0));

  it('pages, sorts and filters the way the privacy team asks', () => {
    const index = new RegisterIndex(ZONE);
    const early = open('2026-06-01T08:00:00.000Z', '2026-07-01T21:59:59.999Z', { requestTypes: ['access'] });
    const late = open('2026-05-01T08:00:00.000Z', '2026-06-01T21:59:59.999Z', {
      requestTypes: ['delete'],
      assignee: officer,
    });
    const ccpa = open('2026-06-10T08:00:00.000Z', '2026-06-20T21:59:59.999Z', { regulation: 'CCPA' });
    const done = answered('2026-04-01T08:00:00.000Z', '2026-05-01T21:59:59.999Z', '2026-04-20T12:00:00.000Z');
    for (const dsrCase of [early, late, ccpa, done]) index.apply(dsrCase);

    const ids = (params: Record<string, string>) => index.page(query(params), NOW).rows.map((row) => row.id);
    assert.deepEqual(ids({}), [done.id, late.id, ccpa.id, early.id]);
    assert.deepEqual(ids({ sort: 'received', order: 'desc' }), [ccpa.id, early.id, late.id, done.id]);
    assert.deepEqual(ids({ overdue: 'true' }), [late.id]);
    assert.deepEqual(ids({ dueWithin: '7' }), [ccpa.id]);
    assert.deepEqual(ids({ regulation: 'CCPA' }), [ccpa.id]);
    assert.deepEqual(ids({ right: 'delete' }), [late.id]);
    assert.deepEqual(ids({ assignee: officer.id }), [late.id]);
    assert.deepEqual(ids({ assignee: 'none', open: 'true' }), [ccpa.id, early.id]);
    assert.deepEqual(ids({ status: 'closed' }), [done.id]);
    assert.deepEqual(ids({ q: '0003' }), [ccpa.id]);

    // Loading every stored case at once orders them exactly as taking them in one by one does.
    const loaded = new RegisterIndex(ZONE);
    loaded.load([done, ccpa, early, late]);
    for (const sort of ['id', 'received', 'due', 'status', 'answered']) {
      assert.deepEqual(
        loaded.page(query({ sort }), NOW).rows.map((row) => row.id),
        ids({ sort }),
        sort,
      );
    }
    assert.deepEqual(loaded.charts(NOW), index.charts(NOW));

    const second = index.page(query({ pageSize: '3', page: '2' }), NOW);
    assert.equal(second.total, 4);
    assert.deepEqual(
      second.rows.map((row) => row.id),
      [early.id],
    );
    const descending = index.page(query({ pageSize: '3', page: '2', order: 'desc' }), NOW);
    assert.deepEqual(
      descending.rows.map((row) => row.id),
      [done.id],
    );
  });

  it('moves a case between pages and counts as it changes, and ignores an older version', () => {
    const index = new RegisterIndex(ZONE);
    const dsrCase = open('2026-06-01T08:00:00.000Z', '2026-07-01T21:59:59.999Z');
    index.apply(dsrCase);
    assert.equal(index.charts(NOW).open, 1);
    const closed = {
      ...dsrCase,
      version: 2,
      status: 'closed' as const,
      response: { at: '2026-06-10T09:00:00.000Z', byId: officer.id, summary: 'done' },
    };
    index.apply(closed);
    index.apply(dsrCase);
    const charts = index.charts(NOW);
    assert.equal(charts.open, 0);
    assert.equal(charts.total, 1);
    assert.deepEqual(charts.onTimeByMonth.at(-1), { month: '2026-06', onTime: 1, late: 0, rate: 1 });
    assert.deepEqual(
      index.page(query({ open: 'true' }), NOW).rows.map((row) => row.id),
      [],
    );
    assert.equal(index.page(query(), NOW).rows[0]?.daysTaken, 9);
  });

  it('draws the charts a data protection officer reports from', () => {
    const index = new RegisterIndex(ZONE);
    const findings = {
      query: { names: [], emails: [], phones: [], identifiers: {} },
      updatedAt: '2026-06-01T00:00:00.000Z',
      systems: [
        {
          systemId: 'dataverse',
          displayName: 'Customer Engagement',
          status: 'found' as const,
          counts: {},
          records: [],
          queries: [],
          at: '2026-06-01T00:00:00.000Z',
          durationMs: 1,
        },
      ],
    } as unknown as DsrCase['findings'];
    index.apply(open('2026-06-10T08:00:00.000Z', '2026-06-16T21:59:59.999Z', { findings }));
    index.apply(open('2026-05-01T08:00:00.000Z', '2026-05-31T21:59:59.999Z', { status: 'discovery' }));
    // Answered in April on time after 10 days, in May late after 40 days, and declined in June.
    index.apply(answered('2026-04-01T08:00:00.000Z', '2026-05-04T21:59:59.999Z', '2026-04-11T08:00:00.000Z'));
    index.apply(
      answered('2026-03-20T08:00:00.000Z', '2026-04-20T21:59:59.999Z', '2026-04-29T08:00:00.000Z', {
        requestTypes: ['delete'],
      }),
    );
    index.apply(
      open('2026-06-01T08:00:00.000Z', '2026-07-01T21:59:59.999Z', {
        status: 'declined',
        decision: {
          outcome: 'declined',
          at: '2026-06-02T08:00:00.000Z',
          by: officer,
          reason: 'other',
          explanation: '',
        },
      }),
    );

    const charts = index.charts(NOW);
    assert.equal(charts.total, 5);
    assert.equal(charts.open, 2);
    assert.equal(charts.overdue, 1);
    assert.deepEqual(
      charts.openByStage.filter((stage) => stage.count > 0),
      [
        { status: 'triage', count: 1 },
        { status: 'discovery', count: 1 },
      ],
    );
    assert.deepEqual(
      charts.dueNext30Days.filter((day) => day.count > 0),
      [{ day: '2026-06-16', count: 1 }],
    );
    assert.deepEqual(
      charts.onTimeByMonth.slice(-3).map(({ month, onTime, late }) => ({ month, onTime, late })),
      [
        { month: '2026-04', onTime: 1, late: 1 },
        { month: '2026-05', onTime: 0, late: 0 },
        { month: '2026-06', onTime: 1, late: 0 },
      ],
    );
    const access = charts.medianDaysByRight.find((right) => right.right === 'access')!;
    assert.deepEqual(access, { right: 'access', medianDays: 5.5, answered: 2 });
    assert.equal(charts.medianDaysByRight.find((right) => right.right === 'delete')!.medianDays, 40);
    assert.deepEqual(
      charts.volumeByRight.filter((right) => right.count > 0),
      [
        { right: 'access', count: 4 },
        { right: 'delete', count: 1 },
      ],
    );
    assert.deepEqual(charts.volumeBySystem, [{ systemId: 'dataverse', name: 'Customer Engagement', count: 1 }]);
    // The deletion was overdue from 21 to 29 April, so not at the end of April; the discovery case,
    // due on 31 May, was not overdue at the end of May, and is today.
    assert.deepEqual(charts.overdueOverTime.slice(-3), [
      { month: '2026-04', count: 0 },
      { month: '2026-05', count: 0 },
      { month: '2026-06', count: 1 },
    ]);
  });

  it("counts days in the organisation's time zone", () => {
    const index = new RegisterIndex(ZONE);
    // 23:30 UTC on 31 March is 1 April in Berlin; answered 10 April in Berlin: 9 days, in April.
    index.apply(answered('2026-03-31T23:30:00.000Z', '2026-05-01T21:59:59.999Z', '2026-04-10T09:00:00.000Z'));
    const row = index.page(query(), NOW).rows[0]!;
    assert.equal(row.daysTaken, 9);
    assert.equal(row.answeredMonth, '2026-04');
    assert.equal(row.dueDay, '2026-05-01');
  });

  it('counts a late case as overdue from the day after its due day until its answer', () => {
    const index = new RegisterIndex(ZONE);
    index.apply(answered('2026-01-02T08:00:00.000Z', '2026-02-02T22:59:59.999Z', '2026-03-10T08:00:00.000Z'));
    const series = index.charts(NOW).overdueOverTime;
    assert.deepEqual(
      series.filter((month) => month.month >= '2026-01' && month.month <= '2026-03'),
      [
        { month: '2026-01', count: 0 },
        { month: '2026-02', count: 1 },
        { month: '2026-03', count: 0 },
      ],
    );
  });

  it('refuses parameters it does not know or cannot read, naming each', () => {
    const parsed = parseQuery(registerQuerySchema, {
      status: 'triage,unknown',
      dueWithin: 'soon',
      pageSize: '1000',
      colour: 'red',
      right: ['access', 'delete'],
    });
    assert.equal(parsed.ok, false);
    assert.deepEqual(!parsed.ok && parsed.problems, ['right: given more than once; give it once']);
    const again = parseQuery(registerQuerySchema, {
      status: 'triage,unknown',
      dueWithin: 'soon',
      pageSize: '1000',
      colour: 'red',
    });
    assert.ok(!again.ok);
    assert.deepEqual(again.problems.sort(), [
      'dueWithin: expected a number of days',
      'pageSize: expected at most 100 rows',
      'status: expected each one of received, triage, approved, declined, discovery, actions, responded, closed',
      'unknown parameter: colour',
    ]);
  });

  it('exports ids, dates, rights, systems, outcome and days taken, and names only when asked', async () => {
    const index = new RegisterIndex(ZONE);
    index.apply(answered('2026-04-01T08:00:00.000Z', '2026-05-04T21:59:59.999Z', '2026-04-11T08:00:00.000Z'));
    const lines = async (names?: (id: string) => Promise<string | undefined>) => {
      const out: string[] = [];
      for await (const line of registerCsv(index.select(query(), NOW), names)) out.push(line.trimEnd());
      return out;
    };
    const plain = await lines();
    assert.equal(
      plain[0],
      'caseId,regulation,rights,systems,status,receivedAt,dueAt,answeredAt,outcome,daysTaken,onTime',
    );
    assert.equal(
      plain[1],
      'DSR-2026-0001,GDPR,access,,closed,2026-04-01T08:00:00.000Z,2026-05-04T21:59:59.999Z,2026-04-11T08:00:00.000Z,responded,10,yes',
    );
    assert.doesNotMatch(plain.join('\n'), /Maria/);
    const named = await lines(() => Promise.resolve('=Maria Garcia'));
    assert.match(named[0]!, /,subjectName$/);
    // A name that looks like a formula is neutralised for spreadsheets.
    assert.match(named[1]!, /,'=Maria Garcia$/);
  });
});

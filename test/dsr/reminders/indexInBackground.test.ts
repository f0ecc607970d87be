import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Outbox } from '../../../teams/proactiveNotifier.js';
import { PRIVACY_CHANNEL, userKey } from '../../../teams/proactiveNotifier.js';
import { ReminderService } from '../../../teams/reminders/reminderService.js';
import type { DsrCase } from '../../../dsr/case.js';
import type { OrgCalendar } from '../../../dsr/deadlines.js';
import type { OutboxMessage } from '../../../dsr/ports/outbox.js';
import { ObservedCaseStore } from '../../../dsr/reminders/observedStore.js';
import { DEFAULT_REMINDER_SETTINGS } from '../../../dsr/reminders/schedule.js';
import type { CaseQuery, CaseStore } from '../../../dsr/ports/store.js';
import { sampleCase } from '../../support/cases.js';
import { MemoryCases } from '../../support/memoryCases.js';

const calendar: OrgCalendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
// Monday 8 June 2026, 09:00 in Berlin: the morning reminders of cases due on Thursday fall due.
const MONDAY_9AM = new Date('2026-06-08T07:00:00Z');
const DUE_THURSDAY = '2026-06-11T21:59:59.999Z';
const assignee = { id: 'a55e0000-0000-4000-8000-000000000001', name: 'Person One' };

const dueCase = (n: number, overrides: Partial<DsrCase> = {}) =>
  sampleCase({
    id: `DSR-2026-${String(n).padStart(4, '0')}`,
    status: 'discovery',
    dueAt: DUE_THURSDAY,
    createdAt: '2026-05-11T08:00:00Z',
    assignee,
    ...overrides,
  });

/** A store whose list of open cases answers only when the test lets it: a large history being read. */
class SlowCases extends MemoryCases {
  private open: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  listed = false;

  override async listCases(query: CaseQuery): Promise<DsrCase[]> {
    this.listed = true;
    await this.gate;
    return super.listCases(query);
  }

  letThrough(): void {
    this.open();
  }

  saveCase(next: DsrCase): Promise<void> {
    this.cases.set(next.id, next);
    return Promise.resolve();
  }
}

const turns = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the reminder index built in the background', () => {
  it('starts without waiting for the index, and a pass waits for it: each due reminder once, none for a case closed meanwhile', async () => {
    const cases = new SlowCases();
    await cases.state.write({
      [PRIVACY_CHANNEL]: {
        value: {
          reference: { serviceUrl: 'https://smba.example/', conversation: { id: '19:privacy@thread.tacv2' } },
          channelId: '19:privacy@thread.tacv2',
        },
      },
      [userKey(assignee.id)]: {
        value: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: 'personal-1' } },
      },
    });
    for (let n = 1; n <= 10; n += 1) cases.add(dueCase(n));
    const sent: OutboxMessage[] = [];
    const outbox: Outbox = {
      enqueue: (message) => {
        const fresh = !sent.some((m) => m.id === message.id);
        if (fresh) sent.push(message);
        return Promise.resolve(fresh);
      },
      requeueGivenUp: () => Promise.resolve(0),
    };
    const store = new ObservedCaseStore(cases as unknown as CaseStore);
    const service = await ReminderService.start(
      { enabled: false, settings: DEFAULT_REMINDER_SETTINGS, managers: {}, timeScale: 1, tickMs: 60_000 },
      store,
      outbox,
      calendar,
      { now: () => MONDAY_9AM },
      pino({ level: 'silent' }),
    );
    // Started, while the index still waits for the list of open cases.
    await turns();
    assert.ok(cases.listed, 'the index is being built');

    let passed = false;
    const pass = service.tick().then(() => (passed = true));
    // Meanwhile one case closes and a new one comes in, due on Thursday too.
    await store.saveCase({ ...dueCase(3), status: 'closed' }, 1, { action: 'close' } as never);
    const late = dueCase(11);
    await store.saveCase(late, null, { action: 'create' } as never);
    await turns();
    assert.equal(passed, false, 'the pass waits for the index');
    assert.equal(sent.length, 0, 'nothing sent before the index is ready');

    cases.letThrough();
    await pass;
    const reminded = (caseId: string) =>
      sent.filter((m) => m.caseId === caseId && m.conversationKey !== PRIVACY_CHANNEL);
    const caseIds = [...new Set(sent.map((m) => m.caseId).filter((id) => id !== undefined))].sort();
    assert.deepEqual(
      caseIds,
      [1, 2, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => dueCase(n).id),
      'every due case, the one closed meanwhile left out, the new one in',
    );
    assert.ok(reminded(late.id).length > 0);

    const before = sent.length;
    await service.tick();
    assert.equal(sent.length, before, 'a second pass sends nothing again');
    await service.stop();
  });

  it('gives way between slices of the build, until a person asks what reminders are coming', async () => {
    const cases = new MemoryCases();
    for (let n = 1; n <= 3; n += 1) cases.add(dueCase(n));
    let slices = 0;
    const service = await ReminderService.start(
      { enabled: false, settings: DEFAULT_REMINDER_SETTINGS, managers: {}, timeScale: 1, tickMs: 60_000 },
      new ObservedCaseStore(cases as unknown as CaseStore),
      { enqueue: () => Promise.resolve(true), requeueGivenUp: () => Promise.resolve(0) },
      calendar,
      { now: () => MONDAY_9AM },
      pino({ level: 'silent' }),
      undefined,
      undefined,
      undefined,
      // Turns are being answered all along: the build's slices wait as long as they last.
      { giveWay: () => ((slices += 1), new Promise<void>(() => undefined)) },
    );
    let built = false;
    void service.scheduler().then(() => (built = true));
    await turns();
    assert.equal(built, false, 'the index waits for the turns');
    assert.ok(slices > 0);
    // A person waits for the index: it no longer gives way to the turns, one of which is theirs.
    const upcoming = await service.upcoming(7);
    assert.deepEqual([...new Set(upcoming.map((reminder) => reminder.caseId))].sort(), [
      dueCase(1).id,
      dueCase(2).id,
      dueCase(3).id,
    ]);
    await service.stop();
  });
});

import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import type { DsrCase } from '../../../dsr/case.js';
import type { OrgCalendar } from '../../../dsr/deadlines.js';
import type { OutboxMessage } from '../../../dsr/ports/outbox.js';
import type { CaseStore } from '../../../dsr/ports/store.js';
import { ObservedCaseStore } from '../../../dsr/reminders/observedStore.js';
import { DEFAULT_REMINDER_SETTINGS } from '../../../dsr/reminders/schedule.js';
import { PRIVACY_CHANNEL, userKey, type Outbox } from '../../../teams/proactiveNotifier.js';
import { ReminderService } from '../../../teams/reminders/reminderService.js';
import { sampleCase } from '../../support/cases.js';
import { MemoryCases } from '../../support/memoryCases.js';
import { MemoryLeases } from '../../support/memoryLeases.js';

const calendar: OrgCalendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
// Monday 8 June 2026, 09:00 in Berlin: the morning reminders of cases due on Thursday fall due.
const MONDAY_9AM = new Date('2026-06-08T07:00:00Z');
const assignee = { id: 'a55e0000-0000-4000-8000-000000000001', name: 'Person One' };
const LEASE_MS = 30_000;

const dueCase = (n: number): DsrCase =>
  sampleCase({
    id: `DSR-2026-${String(n).padStart(4, '0')}`,
    status: 'discovery',
    dueAt: '2026-06-11T21:59:59.999Z',
    createdAt: '2026-05-11T08:00:00Z',
    assignee,
  });

/** One outbox both instances queue into, each message once by its id; the first message waits until `letGo`. */
class SharedOutbox {
  readonly queued: Array<OutboxMessage & { by: string }> = [];
  /** Every message each instance tried to queue, repeats included. */
  readonly tried: Array<{ by: string; caseId: string | undefined }> = [];
  private open: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  private entered: () => void = () => undefined;
  /** Settles when the first message is being queued (and waits). */
  readonly waiting = new Promise<void>((resolve) => (this.entered = resolve));
  private first = true;

  of(by: string): Outbox {
    return {
      enqueue: async (message) => {
        this.tried.push({ by, caseId: message.caseId });
        if (this.first) {
          this.first = false;
          this.entered();
          await this.gate;
        }
        if (this.queued.some((m) => m.id === message.id)) return false;
        this.queued.push({ ...message, by });
        return true;
      },
      requeueGivenUp: () => Promise.resolve(0),
    };
  }

  letGo(): void {
    this.open();
  }
}

describe('the reminder pass shared by instances through a lease', () => {
  let time: sinon.SinonFakeTimers;
  let services: ReminderService[];
  beforeEach(() => {
    time = sinon.useFakeTimers({ now: MONDAY_9AM, toFake: ['Date', 'setInterval', 'clearInterval'] });
    services = [];
  });
  afterEach(async () => {
    await Promise.all(services.map((service) => service.stop()));
    time.restore();
  });

  async function instances(outbox: SharedOutbox, leases: MemoryLeases): Promise<[ReminderService, ReminderService]> {
    const cases = new MemoryCases();
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
    for (let n = 1; n <= 3; n += 1) cases.add(dueCase(n));
    const start = (by: string) =>
      ReminderService.start(
        { enabled: false, settings: DEFAULT_REMINDER_SETTINGS, managers: {}, timeScale: 1, tickMs: 10_000 },
        new ObservedCaseStore(cases as unknown as CaseStore),
        outbox.of(by),
        calendar,
        { now: () => MONDAY_9AM },
        pino({ level: 'silent' }),
        undefined,
        {
          leases,
          changes: { mark: () => Promise.resolve(), next: () => Promise.resolve([]) },
          leaseMs: LEASE_MS,
        },
      );
    services = [await start('a'), await start('b')];
    await Promise.all(services.map((service) => service.scheduler()));
    return services as [ReminderService, ReminderService];
  }

  it('keeps the pass with the instance whose pass runs longer than its lease, so the other sends nothing', async () => {
    const outbox = new SharedOutbox();
    const [a, b] = await instances(outbox, new MemoryLeases());
    const slow = a.tick();
    await outbox.waiting;
    // The first send hangs past twice the lease's life; the lease is renewed meanwhile.
    await time.tickAsync(2 * LEASE_MS);
    await b.tick();
    assert.deepEqual(
      outbox.tried.filter((t) => t.by === 'b'),
      [],
      'the other instance did not start the pass',
    );
    outbox.letGo();
    await slow;
    const caseIds = [...new Set(outbox.queued.map((m) => m.caseId).filter((id) => id !== undefined))].sort();
    assert.deepEqual(
      caseIds,
      [1, 2, 3].map((n) => dueCase(n).id),
    );
    assert.ok(outbox.queued.every((m) => m.by === 'a'));
  });

  it('stops a pass whose lease another instance took over, which sends every reminder once', async () => {
    const outbox = new SharedOutbox();
    const leases = new MemoryLeases();
    const [a, b] = await instances(outbox, leases);
    const hung = a.tick();
    await outbox.waiting;
    const caseOfHung = outbox.tried[0]!.caseId;
    // The instance hung beyond its lease: the other takes the pass over and sends what is due.
    leases.runOut('reminders');
    await b.tick();
    assert.ok(outbox.queued.length > 0 && outbox.queued.every((m) => m.by === 'b'));
    // The hung instance's next renewal finds the lease taken; when its send returns, it stops there.
    await time.tickAsync(LEASE_MS / 3);
    outbox.letGo();
    await hung;
    assert.deepEqual(
      [...new Set(outbox.tried.filter((t) => t.by === 'a').map((t) => t.caseId))],
      [caseOfHung],
      'no case after the one it hung on, and no digest',
    );
    const caseIds = [...new Set(outbox.queued.map((m) => m.caseId).filter((id) => id !== undefined))].sort();
    assert.deepEqual(
      caseIds,
      [1, 2, 3].map((n) => dueCase(n).id),
    );
    const ids = outbox.queued.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, 'each reminder queued once');
    // The next pass stays with the instance holding the lease.
    await a.tick();
    assert.deepEqual(
      [...new Set(outbox.tried.filter((t) => t.by === 'a').map((t) => t.caseId))],
      [caseOfHung],
      'the instance that lost the pass does not take it back while it is held',
    );
  });
});

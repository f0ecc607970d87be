import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { outboxHooks } from '../../../teams/outbox/index.js';
import { OutboxSender } from '../../../teams/outbox/outboxSender.js';
import { RateLimiter } from '../../../teams/outbox/rateLimiter.js';
import { TeamsTransport } from '../../../teams/outbox/teamsTransport.js';
import { PRIVACY_CHANNEL, threadKey, userKey } from '../../../teams/proactiveNotifier.js';
import { CachedManagerDirectory } from '../../../dsr/reminders/managers.js';
import { TeamsReminderDispatcher } from '../../../teams/reminders/reminderDispatcher.js';
import type { DsrCase } from '../../../dsr/case.js';
import type { OrgCalendar } from '../../../dsr/deadlines.js';
import { DEFAULT_REMINDER_SETTINGS, ReminderSchedule, type Occasion } from '../../../dsr/reminders/schedule.js';
import { ReminderScheduler, type ReminderDispatcher } from '../../../dsr/reminders/scheduler.js';
import { FileOutboxStore } from '../../../storage/fileOutboxStore.js';
import type { CaseStore } from '../../../dsr/ports/store.js';
import { sampleCase } from '../../support/cases.js';
import { cardOf } from '../../support/botHarness.js';
import { cardProblems } from '../../support/cardRules.js';
import { channelConnectors, FakeConnector } from '../../support/fakeConnector.js';
import { MemoryCases } from '../../support/memoryCases.js';

const log = pino({ level: 'silent' });
const calendar: OrgCalendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
// Monday 8 June 2026, 09:00 in Berlin: the morning reminders fall due.
const MONDAY_9AM = new Date('2026-06-08T07:00:00Z');
const DUE_THURSDAY = '2026-06-11T21:59:59.999Z';

const userId = (n: number) => `a55e0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('reminders delivered through the outbox', function () {
  this.timeout(120_000);
  let connector: FakeConnector;
  let dir: string;
  let cases: MemoryCases;
  const now = { value: MONDAY_9AM };

  beforeEach(async () => {
    connector = new FakeConnector();
    await connector.start();
    connector.enforceTeamsLimits();
    dir = await mkdtemp(join(tmpdir(), 'dsr-reminders-'));
    cases = new MemoryCases();
    now.value = MONDAY_9AM;
  });
  afterEach(async () => {
    await connector.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** `people` assignees with a 1:1 chat each, `perPerson` cases each, all due on Thursday. */
  async function seed(people: number, perPerson: number): Promise<void> {
    await cases.state.write({
      [PRIVACY_CHANNEL]: {
        value: {
          reference: { serviceUrl: connector.url, conversation: { id: '19:privacy@thread.tacv2', tenantId: 't1' } },
          channelId: '19:privacy@thread.tacv2',
        },
      },
    });
    let n = 0;
    for (let p = 0; p < people; p += 1) {
      await cases.state.write({
        [userKey(userId(p))]: {
          value: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: `personal-${p}` } },
        },
      });
      for (let c = 0; c < perPerson; c += 1) {
        n += 1;
        cases.add(
          sampleCase({
            id: `DSR-2026-${String(n).padStart(4, '0')}`,
            status: 'discovery',
            dueAt: DUE_THURSDAY,
            createdAt: '2026-05-11T08:00:00Z',
            assignee: { id: userId(p), name: `Person ${p}` },
          }),
        );
      }
    }
  }

  interface Process {
    scheduler: ReminderScheduler;
    sender: OutboxSender;
  }

  async function startProcess(wrap?: (inner: ReminderDispatcher) => ReminderDispatcher): Promise<Process> {
    const store = new FileOutboxStore(join(dir, 'outbox'));
    await store.open();
    const sender = new OutboxSender(store, new TeamsTransport(channelConnectors()), log, {
      hooks: outboxHooks(cases as unknown as CaseStore, log),
      limiter: new RateLimiter(undefined, 100),
      backoffBaseMs: 50,
      backoffCapMs: 500,
      idlePollMs: 50,
    });
    const dispatcher = new TeamsReminderDispatcher(
      sender,
      cases as unknown as CaseStore,
      calendar,
      DEFAULT_REMINDER_SETTINGS,
      new CachedManagerDirectory({ configured: {} }),
      log,
    );
    const scheduler = new ReminderScheduler(
      cases,
      new ReminderSchedule(DEFAULT_REMINDER_SETTINGS, calendar),
      wrap ? wrap(dispatcher) : dispatcher,
      { now: () => now.value },
      { digestDaysAhead: 7, digest: false },
    );
    // The last pass ran on Sunday evening.
    await cases.state.write({ 'dsr/reminders/checkpoint': { value: { at: '2026-06-07T18:00:00Z' } } });
    await scheduler.start();
    return { scheduler, sender };
  }

  const delivered = () => connector.delivered().map((call) => String(call.body.text));

  function assertEachOnce(expected: number): void {
    const texts = delivered();
    const ids = texts.map((t) => /DSR-\d{4}-\d{4}/.exec(t)?.[0]);
    assert.equal(new Set(ids).size, expected, 'every case was reminded');
    assert.equal(texts.length, expected, 'and no case twice');
    assert.equal(connector.violations.length, 0, 'no Teams rate limit was broken');
  }

  it('sends 500 due reminders across 50 chats once each, within the limits, through 429s', async () => {
    await seed(50, 10);
    // Teams also throttles for its own reasons now and then.
    let call = 0;
    connector.respondWith((c) =>
      c.method === 'POST' && ++call % 40 === 0
        ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'Throttled' } } }
        : undefined,
    );
    const { scheduler, sender } = await startProcess();
    const result = await scheduler.pass();
    assert.equal(result.reminders, 500);
    sender.start();
    await connector.waitFor(() => (delivered().length >= 500 ? true : undefined), 100_000);
    // A second pass at the same time finds nothing new.
    assert.equal((await scheduler.pass()).reminders, 0);
    await sender.idle();
    await sender.stop();
    assertEachOnce(500);
    assert.ok(
      connector.calls.some((c) => c.status === 429),
      'the fake did throttle',
    );
    assert.match(delivered()[0]!, /is due in 3 days/);
  });

  it('neither repeats nor skips a reminder when the process dies between handing it over and recording it', async () => {
    await seed(10, 10);
    let handed = 0;
    const crashing = await startProcess((inner) => ({
      async dispatch(occasion: Occasion, dsrCase: DsrCase, at: Date) {
        await inner.dispatch(occasion, dsrCase, at);
        handed += 1;
        if (handed === 60) throw new Error('process killed');
      },
      digest: (content, at) => inner.digest(content, at),
    }));
    crashing.sender.start();
    await assert.rejects(crashing.scheduler.pass(), /process killed/);
    await connector.waitFor(() => (delivered().length >= 20 ? true : undefined), 20_000);
    await crashing.sender.stop();

    // The restarted process sees no checkpoint for this morning and looks at everything again.
    now.value = new Date(MONDAY_9AM.getTime() + 5 * 60_000);
    const restarted = await startProcess();
    await restarted.scheduler.pass();
    restarted.sender.start();
    await connector.waitFor(() => (delivered().length >= 100 ? true : undefined), 30_000);
    await restarted.sender.idle();
    await restarted.sender.stop();
    assertEachOnce(100);
  });

  it('sends each reminder once when two processes run the schedule on one store', async () => {
    await seed(10, 10);
    const a = await startProcess();
    const b = await startProcess();
    a.sender.start();
    b.sender.start();
    await Promise.all([a.scheduler.pass(), b.scheduler.pass()]);
    await connector.waitFor(() => (delivered().length >= 100 ? true : undefined), 30_000);
    await Promise.all([a.sender.idle(), b.sender.idle()]);
    await Promise.all([a.sender.stop(), b.sender.stop()]);
    assertEachOnce(100);
  });

  it('delivers 60 due cases in one channel plus the digest with no 429, as fast as the limits allow', async () => {
    // Teams counts the channel and all its threads as one conversation: 61 posts there must spread
    // over 30 s (60 in 30 s), and never exceed 7 in 1 s or 8 in 2 s.
    connector.enforceTeamsLimits(undefined, 30);
    await seed(0, 0);
    const TUESDAY = '2026-06-09T21:59:59.999Z';
    for (let n = 1; n <= 60; n += 1) {
      const id = `DSR-2026-${String(n).padStart(4, '0')}`;
      cases.add(sampleCase({ id, status: 'discovery', dueAt: TUESDAY, createdAt: '2026-05-11T08:00:00Z' }));
      await cases.state.write({
        [threadKey(id)]: {
          value: {
            serviceUrl: connector.url,
            channelId: 'msteams',
            conversation: { id: `19:privacy@thread.tacv2;messageid=${n}`, conversationType: 'channel' },
          },
        },
      });
    }
    const store = new FileOutboxStore(join(dir, 'outbox'));
    await store.open();
    const sender = new OutboxSender(store, new TeamsTransport(channelConnectors()), log, {
      hooks: outboxHooks(cases as unknown as CaseStore, log),
      idlePollMs: 50,
    });
    const dispatcher = new TeamsReminderDispatcher(
      sender,
      cases as unknown as CaseStore,
      calendar,
      DEFAULT_REMINDER_SETTINGS,
      new CachedManagerDirectory({ configured: {} }),
      log,
    );
    const scheduler = new ReminderScheduler(
      cases,
      new ReminderSchedule(DEFAULT_REMINDER_SETTINGS, calendar),
      dispatcher,
      { now: () => now.value },
      { digestDaysAhead: 7, digest: true },
    );
    await cases.state.write({ 'dsr/reminders/checkpoint': { value: { at: '2026-06-07T18:00:00Z' } } });
    await scheduler.start();
    const started = Date.now();
    assert.deepEqual(await scheduler.pass(), { reminders: 60, digests: 1 });
    sender.start();
    await connector.waitFor(() => (connector.delivered().length >= 61 ? true : undefined), 60_000);
    const seconds = (Date.now() - started) / 1000;
    await sender.idle();
    await sender.stop();
    const replies = connector.delivered().filter((c) => c.conversationId?.startsWith('19:privacy@thread.tacv2;'));
    assert.equal(new Set(replies.map((c) => c.conversationId)).size, 60, 'each case thread once');
    assert.equal(replies.length, 60);
    assert.equal(connector.calls.filter((c) => c.status === 429).length, 0, 'no 429');
    // The 61st post cannot leave before 30 s; a second more is what the safety margin costs.
    assert.ok(seconds >= 30, `${seconds} s`);
    console.log(`      60 thread replies and the digest in one channel: ${seconds.toFixed(1)} s, 0 × 429`);
  });

  it('does not send a reminder whose case closed or whose due date moved before it went out', async () => {
    await seed(1, 3);
    const { scheduler, sender } = await startProcess();
    await scheduler.pass();
    cases.add({ ...cases.cases.get('DSR-2026-0001')!, status: 'closed' });
    cases.add({ ...cases.cases.get('DSR-2026-0002')!, dueAt: '2026-08-11T21:59:59.999Z' });
    sender.start();
    await connector.waitFor(() => (delivered().length >= 1 ? true : undefined));
    await sender.idle();
    await sender.stop();
    assert.deepEqual(
      delivered().map((t) => /DSR-\d{4}-\d{4}/.exec(t)?.[0]),
      ['DSR-2026-0003'],
    );
  });

  it('moves the upcoming reminders with an extended due date', async () => {
    await seed(1, 1);
    const { scheduler } = await startProcess();
    const extended = { ...cases.cases.get('DSR-2026-0001')!, dueAt: '2026-08-11T21:59:59.999Z', version: 2 };
    cases.add(extended);
    scheduler.track(extended);
    const upcoming = await scheduler.upcoming(new Date('2026-08-20T00:00:00Z'));
    assert.ok(upcoming.length > 0);
    for (const { occasion } of upcoming) assert.ok(occasion.occasion.startsWith('2026-08-11'), occasion.key);
    assert.equal(upcoming[0]!.occasion.at.toISOString(), '2026-07-28T07:00:00.000Z', '14 days before, 09:00');
  });

  it('replies in the case thread and escalates to the manager when a case is overdue', async () => {
    await seed(1, 1);
    const manager = 'b0550000-0000-4000-8000-000000000001';
    await cases.state.write({
      [threadKey('DSR-2026-0001')]: {
        value: {
          serviceUrl: connector.url,
          channelId: 'msteams',
          conversation: { id: '19:privacy@thread.tacv2;messageid=1' },
        },
      },
    });
    cases.add({ ...cases.cases.get('DSR-2026-0001')!, dueAt: '2026-06-04T21:59:59.999Z' });
    const store = new FileOutboxStore(join(dir, 'outbox'));
    await store.open();
    const sender = new OutboxSender(store, new TeamsTransport(channelConnectors()), log, {
      idlePollMs: 50,
      hooks: outboxHooks(cases as unknown as CaseStore, log),
    });
    // The manager does not have the app: Teams refuses to open the 1:1 chat.
    connector.respondWith((c) =>
      c.path === '/v3/conversations' && c.body.members
        ? { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } }
        : undefined,
    );
    const dispatcher = new TeamsReminderDispatcher(
      sender,
      cases as unknown as CaseStore,
      calendar,
      DEFAULT_REMINDER_SETTINGS,
      new CachedManagerDirectory({
        configured: {},
        lookup: (id) => Promise.resolve(id === userId(0) ? { id: manager, name: 'Isaiah Langer' } : undefined),
      }),
      log,
    );
    const scheduler = new ReminderScheduler(
      cases,
      new ReminderSchedule(DEFAULT_REMINDER_SETTINGS, calendar),
      dispatcher,
      { now: () => now.value },
      { digestDaysAhead: 7, digest: true },
    );
    await cases.state.write({ 'dsr/reminders/checkpoint': { value: { at: '2026-06-07T18:00:00Z' } } });
    await scheduler.start();
    await scheduler.pass();
    sender.start();
    await connector.waitFor(() => (connector.delivered().length >= 3 ? true : undefined));
    await sender.idle();
    const calls = connector.delivered();
    const thread = calls.find((c) => c.conversationId?.includes('messageid=1'));
    assert.match(String(thread?.body.text), /Overdue: DSR-2026-0001/);
    assert.ok(calls.some((c) => c.conversationId === 'personal-0'));
    // The manager never wrote to the bot: the 1:1 chat is created from their id and the tenant.
    const created = connector.calls.find(
      (c) => (c.body.members as Array<{ id: string }> | undefined)?.[0]?.id === manager,
    );
    assert.equal((created?.body.channelData as { tenant: { id: string } }).tenant.id, 't1');
    const digest = calls.find((c) => (c.body.channelData as { channel?: { id: string } })?.channel?.id);
    assert.match(JSON.stringify(digest?.body), /1 overdue/);
    const card = cardOf(digest?.body.activity as Record<string, unknown>);
    assert.deepEqual(cardProblems(card), []);
    assert.match(JSON.stringify(card), /"verb":"case.refresh","data":\{"caseId":"DSR-2026-0001"\}/);
    // Teams' history of the channel keeps the trail's length day by day, outside the bot's storage.
    assert.match(JSON.stringify(card), /Audit trail head: #42 ab12cd34\. .*verify audit 42 ab12cd34/);

    // The next morning's digest says who could not be reached.
    now.value = new Date(MONDAY_9AM.getTime() + 86_400_000);
    await scheduler.pass();
    await connector.waitFor(() =>
      connector.delivered().filter((c) => (c.body.channelData as { channel?: unknown })?.channel).length >= 2
        ? true
        : undefined,
    );
    const digests = connector.delivered().filter((c) => (c.body.channelData as { channel?: unknown })?.channel);
    assert.match(JSON.stringify(digests[1]?.body), /Isaiah Langer does not have the app installed/);
    assert.doesNotMatch(JSON.stringify(digests[0]?.body), /Not delivered/);

    // Told once: the digest after that says nothing more, and the manager is not tried again.
    const tried = connector.calls.filter(
      (c) => (c.body.members as Array<{ id: string }> | undefined)?.[0]?.id === manager,
    );
    now.value = new Date(MONDAY_9AM.getTime() + 2 * 86_400_000);
    await scheduler.pass();
    await connector.waitFor(() =>
      connector.delivered().filter((c) => (c.body.channelData as { channel?: unknown })?.channel).length >= 3
        ? true
        : undefined,
    );
    await sender.idle();
    await sender.stop();
    const third = connector.delivered().filter((c) => (c.body.channelData as { channel?: unknown })?.channel)[2];
    assert.doesNotMatch(JSON.stringify(third?.body), /Not delivered/);
    assert.equal(
      connector.calls.filter((c) => (c.body.members as Array<{ id: string }> | undefined)?.[0]?.id === manager).length,
      tried.length,
      'a refused conversation is not tried again',
    );
  });

  it('speaks the channel’s language in the channel and each person’s own in their chat', async () => {
    await seed(1, 1);
    const manager = 'b0550000-0000-4000-8000-000000000002';
    await cases.state.write({
      [threadKey('DSR-2026-0001')]: {
        value: {
          serviceUrl: connector.url,
          channelId: 'msteams',
          conversation: { id: '19:privacy@thread.tacv2;messageid=1' },
        },
      },
      // The assignee last wrote to the bot from a French Teams.
      [userKey(userId(0))]: {
        value: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: 'personal-0' }, locale: 'fr-FR' },
      },
    });
    cases.add({ ...cases.cases.get('DSR-2026-0001')!, dueAt: '2026-06-04T21:59:59.999Z' });
    const store = new FileOutboxStore(join(dir, 'outbox'));
    await store.open();
    const sender = new OutboxSender(store, new TeamsTransport(channelConnectors()), log, {
      idlePollMs: 50,
      hooks: outboxHooks(cases as unknown as CaseStore, log),
    });
    const dispatcher = new TeamsReminderDispatcher(
      sender,
      cases as unknown as CaseStore,
      calendar,
      DEFAULT_REMINDER_SETTINGS,
      new CachedManagerDirectory({ configured: { [userId(0)]: manager } }),
      log,
      undefined,
      'de',
    );
    const scheduler = new ReminderScheduler(
      cases,
      new ReminderSchedule(DEFAULT_REMINDER_SETTINGS, calendar),
      dispatcher,
      { now: () => now.value },
      { digestDaysAhead: 7, digest: true },
    );
    await cases.state.write({ 'dsr/reminders/checkpoint': { value: { at: '2026-06-07T18:00:00Z' } } });
    await scheduler.start();
    await scheduler.pass();
    sender.start();
    await connector.waitFor(() => (connector.delivered().length >= 4 ? true : undefined));
    await sender.idle();
    await sender.stop();
    const calls = connector.delivered();
    const thread = calls.find((c) => c.conversationId?.includes('messageid=1'));
    assert.match(
      String(thread?.body.text),
      /^Überfällig: DSR-2026-0001 \(.*\) war am Do\., 4\. Juni 2026 fällig, vor 4 Tagen\.$/,
    );
    const assignee = calls.find((c) => c.conversationId === 'personal-0');
    // Not on the privacy team (no role directory here): the case id without the data subject's name.
    assert.equal(
      String(assignee?.body.text),
      'En retard : l’échéance de DSR-2026-0001 était le jeu. 4 juin 2026, il y a 4 jours.',
    );
    // The manager never wrote to the bot: the channel's language, and never the data subject's name.
    const escalation = calls.find((c) => /Eskalation/.test(String(c.body.text)));
    assert.match(
      String(escalation?.body.text),
      /^Eskalation: Die Betroffenenanfrage DSR-2026-0001, die Person 0 aus Ihrem Team/,
    );
    const digest = calls.find((c) => (c.body.channelData as { channel?: { id: string } })?.channel?.id);
    assert.match(
      String((digest?.body.activity as { summary?: string } | undefined)?.summary),
      /^Betroffenenanfragen: 1 überfällig, 0 bald fällig$/,
    );
    assert.doesNotMatch(JSON.stringify(digest?.body), /Overdue|Due soon/);
  });
});

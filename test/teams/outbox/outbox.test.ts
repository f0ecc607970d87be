import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { OutboxSender } from '../../../teams/outbox/outboxSender.js';
import { RateLimiter } from '../../../teams/outbox/rateLimiter.js';
import { GraphReadBack } from '../../../teams/outbox/readBack.js';
import { TeamsTransport } from '../../../teams/outbox/teamsTransport.js';
import type { OutboxMessage, OutboxStore } from '../../../dsr/ports/outbox.js';
import { FileOutboxStore } from '../../../storage/fileOutboxStore.js';
import { channelConnectors, FakeConnector } from '../../support/fakeConnector.js';

const log = pino({ level: 'silent' });

describe('the outbox', function () {
  this.timeout(60_000);
  let connector: FakeConnector;
  let dir: string;

  beforeEach(async () => {
    connector = new FakeConnector();
    await connector.start();
    dir = await mkdtemp(join(tmpdir(), 'dsr-outbox-'));
  });
  afterEach(async () => {
    await connector.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function openStore(): Promise<FileOutboxStore> {
    const store = new FileOutboxStore(dir);
    await store.open();
    return store;
  }

  function sender(store: OutboxStore, extra: ConstructorParameters<typeof OutboxSender>[3] = {}): OutboxSender {
    return new OutboxSender(store, new TeamsTransport(channelConnectors()), log, {
      limiter: new RateLimiter(undefined, 200),
      backoffBaseMs: 20,
      backoffCapMs: 200,
      idlePollMs: 50,
      ...extra,
    });
  }

  function message(conversation: string, n: number): OutboxMessage {
    return {
      id: `test|${conversation}|${n}`,
      conversationKey: conversation,
      destination: {
        kind: 'conversation',
        reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: conversation } },
        referenceKey: `dsr/user/${conversation}`,
      },
      activity: { type: 'message', text: `message ${conversation} #${n}` },
    };
  }

  const texts = () => connector.delivered().map((call) => String(call.body.text));

  it('sends a burst to one conversation within every Teams limit, in order, and retries a 429', async () => {
    connector.enforceTeamsLimits();
    let throttled = 0;
    connector.respondWith((call) =>
      call.method === 'POST' && throttled++ === 2 ? { status: 429, headers: { 'retry-after': '0' } } : undefined,
    );
    const store = await openStore();
    const outbox = sender(store);
    for (let n = 0; n < 12; n += 1) await outbox.enqueue(message('conv-a', n));
    outbox.start();
    await connector.waitFor(() => (texts().length >= 12 ? true : undefined), 20_000);
    await outbox.stop();
    assert.equal(connector.violations.length, 0);
    assert.deepEqual([...new Set(texts())].length, 12, 'each message once');
    assert.equal(texts().length, 12);
  });

  it('drops a conversation that no longer has the bot and records who was unreachable', async () => {
    connector.respondWith(() => ({ status: 403, body: { error: { code: 'BotNotInConversationRoster' } } }));
    const store = await openStore();
    const dropped: string[] = [];
    const outbox = sender(store, {
      hooks: {
        dropped: (record, code) => {
          dropped.push(`${record.id}:${code}`);
          return Promise.resolve();
        },
      },
    });
    await outbox.enqueue(message('conv-gone', 1));
    await outbox.pass();
    assert.deepEqual(dropped, ['test|conv-gone|1:BotNotInConversationRoster']);
    assert.equal((await store.get('test|conv-gone|1'))?.status, 'dropped');
    assert.equal(connector.calls.length, 1, 'a refusal is not retried');
  });

  it('does not retry a 400, and retries 502 until it goes through', async () => {
    let calls = 0;
    connector.respondWith((call) => {
      calls += 1;
      if (call.conversationId === 'conv-bad') return { status: 400, body: { error: { code: 'BadArgument' } } };
      return calls <= 3 ? { status: 502 } : undefined;
    });
    const store = await openStore();
    const outbox = sender(store);
    await outbox.enqueue(message('conv-flaky', 1));
    await outbox.enqueue(message('conv-bad', 1));
    outbox.start();
    await connector.waitFor(() => (texts().includes('message conv-flaky #1') ? true : undefined));
    await outbox.stop();
    assert.equal((await store.get('test|conv-bad|1'))?.status, 'failed');
    assert.equal((await store.get('test|conv-flaky|1'))?.status, 'sent');
    assert.equal(connector.calls.filter((c) => c.conversationId === 'conv-bad').length, 1);
  });

  it('keeps what was waiting across a restart and sends each message once', async () => {
    const first = await openStore();
    const before = sender(first);
    for (let n = 0; n < 20; n += 1) await before.enqueue(message('conv-r', n));
    // The first process sends a few, then stops.
    connector.enforceTeamsLimits();
    before.start();
    await connector.waitFor(() => (texts().length >= 3 ? true : undefined));
    await before.stop();
    const sentBefore = texts().length;
    assert.ok(sentBefore < 20, 'the limits kept the first process from sending everything at once');

    const after = sender(await openStore());
    // Enqueueing the same messages again, as a retried decision would, adds nothing.
    for (let n = 0; n < 20; n += 1) assert.equal(await after.enqueue(message('conv-r', n)), false);
    after.start();
    await connector.waitFor(() => (texts().length >= 20 ? true : undefined), 20_000);
    await after.idle();
    await after.stop();
    assert.equal(texts().length, 20);
    assert.equal(new Set(texts()).size, 20);
    assert.equal(connector.violations.length, 0);
  });

  it('lets only one of two processes send a message both see', async () => {
    const a = sender(await openStore());
    const b = sender(await openStore());
    for (let n = 0; n < 30; n += 1) {
      await a.enqueue(message(`conv-${n % 5}`, n));
      await b.enqueue(message(`conv-${n % 5}`, n));
    }
    a.start();
    b.start();
    await connector.waitFor(() => (texts().length >= 30 ? true : undefined), 20_000);
    await Promise.all([a.idle(), b.idle()]);
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(texts().length, 30);
    assert.equal(new Set(texts()).size, 30);
  });
});

describe('the outbox, answer by answer', function () {
  this.timeout(60_000);
  let connector: FakeConnector;
  let dir: string;
  let store: FileOutboxStore;

  beforeEach(async () => {
    connector = new FakeConnector();
    await connector.start();
    dir = await mkdtemp(join(tmpdir(), 'dsr-outbox-'));
    store = new FileOutboxStore(dir);
    await store.open();
  });
  afterEach(async () => {
    await connector.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function message(conversation: string, serviceUrl = connector.url): OutboxMessage {
    return {
      id: `one|${conversation}`,
      conversationKey: conversation,
      destination: {
        kind: 'conversation',
        reference: { serviceUrl, channelId: 'msteams', conversation: { id: conversation } },
      },
      activity: { type: 'message', text: `for ${conversation}` },
    };
  }

  function sender(extra: ConstructorParameters<typeof OutboxSender>[3] = {}): OutboxSender {
    return new OutboxSender(store, new TeamsTransport(channelConnectors()), log, {
      limiter: new RateLimiter(undefined, 200),
      backoffBaseMs: 10,
      backoffCapMs: 50,
      idlePollMs: 20,
      ...extra,
    });
  }

  const arrived = (conversation: string) => connector.delivered().filter((c) => c.conversationId === conversation);

  /** Each conversation's first call is answered with its status; every later one succeeds. */
  function answerOnce(
    answers: Record<string, { status: number; body?: unknown; headers?: Record<string, string>; raw?: string }>,
  ) {
    const answered = new Set<string>();
    connector.respondWith((call) => {
      const answer = call.conversationId ? answers[call.conversationId] : undefined;
      if (!answer || answered.has(call.conversationId!)) return undefined;
      answered.add(call.conversationId!);
      return answer;
    });
  }

  it('delivers exactly once through every answer Teams asks to retry, and never calls a failed send sent', async () => {
    const transient = {
      'conv-429': { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 'Throttled' } } },
      'conv-412': { status: 412, body: { error: { code: 'PreconditionFailed' } } },
      'conv-500': { status: 500, body: { error: { code: 'ServiceError' } } },
      'conv-502': { status: 502, body: { error: { code: 'ServiceError' } } },
      'conv-503': { status: 503 },
      'conv-504': { status: 504 },
      // A gateway's HTML page instead of JSON, and a Retry-After long past.
      'conv-html': { status: 502, raw: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } },
      'conv-past': { status: 429, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' } },
    };
    answerOnce(transient);
    const outbox = sender();
    for (const conversation of Object.keys(transient)) await outbox.enqueue(message(conversation));
    outbox.start();
    await connector.waitFor(() => (Object.keys(transient).every((c) => arrived(c).length > 0) ? true : undefined));
    await outbox.idle();
    await outbox.stop();
    for (const conversation of Object.keys(transient)) {
      assert.equal(arrived(conversation).length, 1, `${conversation}: arrived once`);
      const record = await store.get(`one|${conversation}`);
      assert.equal(record?.status, 'sent', conversation);
      assert.equal(record?.attempts, 2, `${conversation}: the failed attempt was not taken for a delivery`);
    }
  });

  it('refuses for good every 403 and 404 Teams documents, with its code, after one call', async () => {
    const refusals = {
      'conv-disabled': { status: 403, body: { error: { code: 'BotDisabledByAdmin' } } },
      'conv-blocked': { status: 403, body: { error: { code: 'ConversationBlockedByUser' } } },
      'conv-roster': { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } },
      'conv-personal': { status: 403, body: { error: { code: 'ForbiddenOperationException' } } },
      'conv-permissions': { status: 403, body: { error: { code: 'NotEnoughPermissions' } } },
      'conv-gone': { status: 404, body: { error: { code: 'ConversationNotFound' } } },
    };
    connector.respondWith((call) =>
      call.conversationId ? refusals[call.conversationId as keyof typeof refusals] : undefined,
    );
    const dropped: Record<string, string> = {};
    const outbox = sender({
      hooks: {
        dropped: (record, code) => {
          dropped[record.conversationKey] = code;
          return Promise.resolve();
        },
      },
    });
    for (const conversation of Object.keys(refusals)) await outbox.enqueue(message(conversation));
    await outbox.pass();
    await outbox.pass();
    for (const [conversation, answer] of Object.entries(refusals)) {
      const record = await store.get(`one|${conversation}`);
      assert.equal(record?.status, 'dropped', conversation);
      assert.equal(record?.lastError, answer.body.error.code);
      assert.equal(dropped[conversation], answer.body.error.code);
      assert.equal(connector.calls.filter((c) => c.conversationId === conversation).length, 1, 'not tried again');
    }
  });

  it('takes a Retry-After of a day as an hour, and counts a 2xx without a readable body as delivered', async () => {
    answerOnce({ 'conv-day': { status: 429, headers: { 'retry-after': '86400' } } });
    connector.respondWith((call) =>
      call.conversationId === 'conv-day' && connector.calls.filter((c) => c.conversationId === 'conv-day').length === 0
        ? { status: 429, headers: { 'retry-after': '86400' } }
        : call.conversationId === 'conv-odd'
          ? { status: 200, raw: 'OK' }
          : undefined,
    );
    const outbox = sender();
    await outbox.enqueue(message('conv-day'));
    await outbox.enqueue(message('conv-odd'));
    const before = Date.now();
    await outbox.pass();
    const waiting = await store.get('one|conv-day');
    assert.equal(waiting?.status, 'pending');
    const wait = Date.parse(waiting.notBefore) - before;
    assert.ok(wait > 3_500_000 && wait <= 3_600_000 + 5_000, `waits an hour, not a day (${wait} ms)`);
    assert.equal((await store.get('one|conv-odd'))?.status, 'sent');
    assert.equal(arrived('conv-odd').length, 1);
  });

  it('gives up on an address that no longer resolves, and sends to the new one once the conversation moves', async () => {
    const outbox = sender({ maxAttempts: 3 });
    await outbox.enqueue(message('conv-moved', 'http://dsr-moved.invalid'));
    outbox.start();
    for (let i = 0; i < 100 && (await store.get('one|conv-moved'))?.status === 'pending'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const given = await store.get('one|conv-moved');
    assert.equal(given?.status, 'failed');
    assert.equal(given?.givenUp, true);
    assert.equal(given?.attempts, 3);
    // The conversation is heard from at a new address: what was given up goes there.
    const moved = sender({
      hooks: { serviceUrl: () => Promise.resolve(connector.url) },
    });
    await outbox.stop();
    assert.equal(await moved.requeueGivenUp('conv-moved'), 1);
    moved.start();
    await connector.waitFor(() => (arrived('conv-moved').length > 0 ? true : undefined));
    await moved.idle();
    await moved.stop();
    assert.equal(arrived('conv-moved').length, 1);
    assert.equal((await store.get('one|conv-moved'))?.status, 'sent');
  });
});

describe('the outbox after a send cut short by a crash', function () {
  this.timeout(30_000);
  let connector: FakeConnector;
  let dir: string;
  let store: FileOutboxStore;

  beforeEach(async () => {
    connector = new FakeConnector();
    await connector.start();
    dir = await mkdtemp(join(tmpdir(), 'dsr-outbox-'));
    store = new FileOutboxStore(dir);
    await store.open();
  });
  afterEach(async () => {
    await connector.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const CHAT = '19:privacy-escalations@thread.v2';
  const message = (conversation = CHAT): OutboxMessage => ({
    id: `cut|${conversation}`,
    conversationKey: conversation,
    destination: {
      kind: 'conversation',
      reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: conversation } },
    },
    activity: { type: 'message', text: 'DSR-2026-0007 is **due on 9 June**; Adele Vance handles it.' },
  });

  /** A process that recorded the attempt, maybe reached Teams, and died before recording the answer. */
  async function diedMidSend(record: OutboxMessage, reachedTeams: boolean): Promise<void> {
    await store.enqueue(record, new Date());
    const now = Date.now();
    assert.equal(await store.claim(record.id, 'dead', new Date(now), new Date(now + 100)), true);
    await store.beginAttempt(record.id, 'dead', { sendingSince: new Date(now).toISOString() });
    if (reachedTeams) await new TeamsTransport(channelConnectors()).send((await store.get(record.id))!);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }

  function survivor(): OutboxSender {
    const graph = new GraphReadBack(async (path) => {
      const answer = await fetch(`${connector.url}/v1.0/${path}`);
      if (!answer.ok) throw new Error(`Graph answered ${answer.status}`);
      return answer.json();
    }, '');
    return new OutboxSender(store, new TeamsTransport(channelConnectors()), log, {
      limiter: new RateLimiter(undefined, 200),
      hooks: { readBack: (record, since) => graph.find(record, since) },
    });
  }

  const arrivals = (conversation = CHAT) => connector.delivered().filter((c) => c.conversationId === conversation);

  it('finds the message in the chat through Graph and does not send it again', async () => {
    await diedMidSend(message(), true);
    await survivor().pass();
    assert.equal(arrivals().length, 1, 'arrived once');
    assert.equal(connector.graphReads, 1);
    const record = await store.get(message().id);
    assert.equal(record?.status, 'sent');
    assert.equal(record?.foundAfterCrash, true);
    assert.equal(record?.resentAfterCrash, undefined);
  });

  it('sends it when the chat read back does not show it, and counts no repeat', async () => {
    await diedMidSend(message(), false);
    await survivor().pass();
    assert.equal(arrivals().length, 1);
    const record = await store.get(message().id);
    assert.equal(record?.status, 'sent');
    assert.equal(record?.foundAfterCrash, undefined);
    assert.equal(record?.resentAfterCrash, undefined);
  });

  it('finds a new channel post and a thread reply through Graph, and remembers the thread the post started', async () => {
    const TEAM = 'a1b2c3d4-0000-4000-8000-00000000c0de';
    const CHANNEL = '19:privacy@thread.tacv2';
    const post: OutboxMessage = {
      id: 'cut|post',
      conversationKey: `channel:${CHANNEL}`,
      destination: { kind: 'channelThread', serviceUrl: connector.url, channelId: CHANNEL, teamId: TEAM },
      activity: {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              type: 'AdaptiveCard',
              version: '1.5',
              body: [{ type: 'TextBlock', text: 'DSR-2026-0042 needs triage' }],
            },
          },
        ],
      },
      rememberAs: 'dsr/thread/DSR-2026-0042',
    };
    await diedMidSend(post, true);
    const thread = connector.delivered().find((c) => c.path === '/v3/conversations')!;
    assert.ok(thread);
    const reply: OutboxMessage = {
      id: 'cut|reply',
      conversationKey: `channel:${CHANNEL}`,
      destination: {
        kind: 'conversation',
        reference: {
          serviceUrl: connector.url,
          channelId: 'msteams',
          teamId: TEAM,
          conversation: { id: `${CHANNEL};messageid=41`, conversationType: 'channel' },
        },
      },
      activity: { type: 'message', text: 'DSR-2026-0041 is due on 9 June.' },
    };
    await diedMidSend(reply, true);
    const remembered: Array<Record<string, unknown> | undefined> = [];
    const graph = new GraphReadBack(async (path) => (await fetch(`${connector.url}/v1.0/${path}`)).json(), '');
    const outbox = new OutboxSender(store, new TeamsTransport(channelConnectors()), log, {
      limiter: new RateLimiter(undefined, 200),
      hooks: {
        readBack: (record, since) => graph.find(record, since),
        delivered: (_record, outcome) => {
          remembered.push(outcome.conversationReference);
          return Promise.resolve();
        },
      },
    });
    await outbox.pass();
    assert.equal(connector.delivered().length, 2, 'neither was sent again');
    assert.equal(connector.graphReads, 2);
    assert.equal((await store.get('cut|post'))?.foundAfterCrash, true);
    assert.equal((await store.get('cut|reply'))?.foundAfterCrash, true);
    const started = remembered.find((r) => r !== undefined) as { conversation: { id: string }; teamId: string };
    const created = connector.calls.find((c) => c.path === '/v3/conversations');
    assert.ok(created);
    assert.match(started.conversation.id, new RegExp(`^${CHANNEL};messageid=`));
    assert.equal(started.teamId, TEAM);
  });

  it('sends it again, counted as a possible repeat, when Graph refuses the read or the chat has no Graph id', async () => {
    connector.graphAnswer = 'forbidden';
    await diedMidSend(message(), true);
    // A 1:1 chat as the Bot Connector names it: Graph has no way to be asked about it.
    await diedMidSend(message('a:1personal-chat'), true);
    await survivor().pass();
    assert.equal(arrivals().length, 2, 'the honest repeat: nothing could tell it had arrived');
    assert.equal(arrivals('a:1personal-chat').length, 2);
    for (const id of [message().id, message('a:1personal-chat').id]) {
      const record = await store.get(id);
      assert.equal(record?.status, 'sent', id);
      assert.equal(record?.resentAfterCrash, 1, id);
    }
    assert.equal(connector.graphReads, 1, 'only the chat Graph knows was asked about');
  });
});

describe('two instances sending from one outbox', function () {
  this.timeout(60_000);

  it('keep one budget of 30 a second between them, as Teams counts it per app', async () => {
    const connector = new FakeConnector();
    await connector.start();
    connector.enforceTeamsLimits(undefined, 30);
    const dir = await mkdtemp(join(tmpdir(), 'dsr-outbox-'));
    try {
      const instances = await Promise.all(
        [0, 1].map(async () => {
          const store = new FileOutboxStore(dir);
          await store.open();
          return new OutboxSender(store, new TeamsTransport(channelConnectors()), log, { idlePollMs: 20 });
        }),
      );
      const total = 120;
      for (let n = 0; n < total; n += 1) {
        const conversation = `conv-${n % 40}`;
        await instances[n % 2]!.enqueue({
          id: `pair|${n}`,
          conversationKey: conversation,
          destination: {
            kind: 'conversation',
            reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: conversation } },
          },
          activity: { type: 'message', text: `pair ${n}` },
        });
      }
      for (const instance of instances) instance.start();
      await connector.waitFor(() => (connector.delivered().length >= total ? true : undefined), 30_000);
      await Promise.all(instances.map((instance) => instance.idle()));
      await Promise.all(instances.map((instance) => instance.stop()));
      const texts = connector.delivered().map((c) => String(c.body.text));
      assert.equal(new Set(texts).size, total);
      assert.equal(texts.length, total);
      assert.deepEqual(connector.violations, [], 'no 429: the two never sent more than 30 in a second together');
    } finally {
      await connector.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

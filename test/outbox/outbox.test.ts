import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { OutboxSender } from '../../bot/outbox/outboxSender.js';
import { RateLimiter } from '../../bot/outbox/rateLimiter.js';
import { TeamsTransport } from '../../bot/outbox/teamsTransport.js';
import type { OutboxMessage, OutboxStore } from '../../dsr/outbox.js';
import { FileOutboxStore } from '../../dsr/storage/fileOutboxStore.js';
import { channelConnectors, FakeConnector } from '../support/fakeConnector.js';

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

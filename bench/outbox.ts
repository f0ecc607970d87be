import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { OutboxSender } from '../teams/outbox/outboxSender.js';
import { RateLimiter, TEAMS_CONVERSATION_WINDOWS, TEAMS_GLOBAL_PER_SECOND } from '../teams/outbox/rateLimiter.js';
import { TeamsTransport } from '../teams/outbox/teamsTransport.js';
import { FileOutboxStore } from '../storage/fileOutboxStore.js';
import { channelConnectors, FakeConnector } from '../test/support/fakeConnector.js';
import { report, round } from './measure.js';

/**
 * The least time Teams' limits allow for `perConversation` messages to each of `conversations`:
 * a perfect sender with no latency and no safety margin, simulated on the same windows.
 */
function minimumSeconds(conversations: number, perConversation: number): number {
  const limiter = new RateLimiter(TEAMS_CONVERSATION_WINDOWS, TEAMS_GLOBAL_PER_SECOND, 0, 0);
  const left = Array.from({ length: conversations }, () => perConversation);
  let now = 0;
  let last = 0;
  while (left.some((n) => n > 0)) {
    let best = -1;
    let bestAt = Number.POSITIVE_INFINITY;
    for (let c = 0; c < conversations; c += 1) {
      if (left[c]! === 0) continue;
      const at = limiter.nextAllowed(`c${c}`, now);
      if (at < bestAt) [best, bestAt] = [c, at];
    }
    now = bestAt;
    limiter.record(`c${best}`, now);
    left[best]! -= 1;
    last = now;
  }
  return last / 1000;
}

/**
 * Delivers `conversations × perConversation` messages through the real outbox and connector
 * client to a stand-in connector that answers 429 to anything over Teams' limits (per
 * conversation and 30 a second for the app), and reports the time against the minimum.
 */
export async function outboxDelivery(conversations: number, perConversation: number): Promise<void> {
  const connector = new FakeConnector();
  await connector.start();
  connector.enforceTeamsLimits(undefined, TEAMS_GLOBAL_PER_SECOND);
  const dir = await mkdtemp(join(tmpdir(), 'dsr-bench-outbox-'));
  try {
    const store = new FileOutboxStore(dir);
    await store.open();
    const sender = new OutboxSender(store, new TeamsTransport(channelConnectors()), pino({ level: 'silent' }), {
      idlePollMs: 20,
    });
    const total = conversations * perConversation;
    for (let n = 0; n < total; n += 1) {
      const conversation = `bench-conversation-${n % conversations}`;
      await sender.enqueue({
        id: `bench|${n}`,
        conversationKey: conversation,
        destination: {
          kind: 'conversation',
          reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: conversation } },
        },
        activity: { type: 'message', text: `message ${n}` },
      });
    }
    const started = process.hrtime.bigint();
    sender.start();
    await connector.waitFor(() => (connector.delivered().length >= total ? true : undefined), 600_000);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await sender.stop();
    const minimum = minimumSeconds(conversations, perConversation);
    report({
      benchmark: 'outbox delivery within Teams limits',
      messages: total,
      conversations,
      delivered: connector.delivered().length,
      seconds: round(seconds, 2),
      throttled429: connector.calls.filter((c) => c.status === 429).length,
      minimumSeconds: round(minimum, 2),
      ratioToMinimum: round(seconds / minimum, 2),
    });
  } finally {
    await connector.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

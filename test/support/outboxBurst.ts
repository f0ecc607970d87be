/**
 * The burst the crash test sends, and the outbox that sends it, shared by the process the test
 * kills and the one that takes over after it.
 */
import { pino } from 'pino';
import { OutboxSender } from '../../teams/outbox/outboxSender.js';
import { GraphReadBack } from '../../teams/outbox/readBack.js';
import { TeamsTransport } from '../../teams/outbox/teamsTransport.js';
import type { OutboxMessage } from '../../dsr/ports/outbox.js';
import { FileOutboxStore } from '../../storage/fileOutboxStore.js';
import { channelConnectors } from './fakeConnector.js';

/** `count` messages across `conversations` group chats, named as Teams names them so Graph can be asked about each. */
export function burstMessages(run: string, url: string, count: number, conversations: number): OutboxMessage[] {
  return Array.from({ length: count }, (_, n) => {
    const conversation = `19:${run}-${n % conversations}@thread.v2`;
    return {
      id: `${run}|${n}`,
      conversationKey: conversation,
      destination: {
        kind: 'conversation',
        reference: { serviceUrl: url, channelId: 'msteams', conversation: { id: conversation } },
      },
      activity: { type: 'message', text: `${run}|${n}` },
    };
  });
}

/**
 * The outbox on a folder, sending to the stand-in connector and reading conversations back
 * through the Graph it serves. Short leases: whoever takes over does so within a second.
 */
export async function burstOutbox(dir: string, url: string): Promise<{ store: FileOutboxStore; sender: OutboxSender }> {
  const graph = new GraphReadBack(async (path) => {
    const answer = await fetch(`${url}/v1.0/${path}`);
    if (!answer.ok) throw new Error(`Graph answered ${answer.status}`);
    return answer.json();
  }, '');
  const store = new FileOutboxStore(dir);
  await store.open();
  const sender = new OutboxSender(store, new TeamsTransport(channelConnectors()), pino({ level: 'silent' }), {
    leaseMs: 1_000,
    idlePollMs: 100,
    backoffBaseMs: 50,
    backoffCapMs: 200,
    hooks: { readBack: (record, since) => graph.find(record, since) },
  });
  return { store, sender };
}

/** Queues the burst (again: queueing is idempotent), sends until every message is settled, and stops. */
export async function sendBurst(
  outbox: { store: FileOutboxStore; sender: OutboxSender },
  messages: OutboxMessage[],
): Promise<void> {
  for (const message of messages) await outbox.sender.enqueue(message);
  outbox.sender.start();
  for (;;) {
    const records = await Promise.all(messages.map((m) => outbox.store.get(m.id)));
    if (records.every((r) => r && r.status !== 'pending')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await outbox.sender.stop();
}

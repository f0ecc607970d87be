/**
 * A bot process reduced to its outbox, for the test that kills it in the middle of a burst:
 * queues the burst (again: queueing is idempotent) and sends until every message is settled.
 * Arguments: outbox folder, connector address, run name, messages, conversations.
 */
import { pino } from 'pino';
import { OutboxSender } from '../../bot/outbox/outboxSender.js';
import { FileOutboxStore } from '../../dsr/storage/fileOutboxStore.js';
import { TeamsTransport } from '../../bot/outbox/teamsTransport.js';
import { GraphReadBack } from '../../bot/outbox/readBack.js';
import { channelConnectors } from './fakeConnector.js';

const [dir, url, run, count, conversations] = process.argv.slice(2) as [string, string, string, string, string];
// The stand-in connector serves Microsoft Graph's reads of a conversation beside the Bot Connector.
const graph = new GraphReadBack(async (path) => {
  const answer = await fetch(`${url}/v1.0/${path}`);
  if (!answer.ok) throw new Error(`Graph answered ${answer.status}`);
  return answer.json();
}, '');
const store = new FileOutboxStore(dir);
await store.open();
// Short leases: a restarted process takes over what the killed one held within a second.
const sender = new OutboxSender(store, new TeamsTransport(channelConnectors()), pino({ level: 'silent' }), {
  leaseMs: 1_000,
  idlePollMs: 20,
  backoffBaseMs: 50,
  backoffCapMs: 200,
  hooks: { readBack: (record, since) => graph.find(record, since) },
});
const ids: string[] = [];
for (let n = 0; n < Number(count); n += 1) {
  // Group chats, named as Teams names them, so Graph can be asked what each shows.
  const conversation = `19:${run}-${n % Number(conversations)}@thread.v2`;
  ids.push(`${run}|${n}`);
  await sender.enqueue({
    id: `${run}|${n}`,
    conversationKey: conversation,
    destination: {
      kind: 'conversation',
      reference: { serviceUrl: url, channelId: 'msteams', conversation: { id: conversation } },
    },
    activity: { type: 'message', text: `${run}|${n}` },
  });
}
sender.start();
for (;;) {
  const records = await Promise.all(ids.map((id) => store.get(id)));
  if (records.every((r) => r && r.status !== 'pending')) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await sender.stop();
process.exit(0);

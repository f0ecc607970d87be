/**
 * A bot process reduced to its outbox, for the test that kills it in the middle of a burst:
 * queues the burst (again: queueing is idempotent) and sends until every message is settled.
 * Arguments: outbox folder, connector address, run name, messages, conversations.
 */
import { pino } from 'pino';
import { OutboxSender } from '../../bot/outbox/outboxSender.js';
import { FileOutboxStore } from '../../dsr/storage/fileOutboxStore.js';
import { TeamsTransport } from '../../bot/outbox/teamsTransport.js';
import { channelConnectors } from './fakeConnector.js';

const [dir, url, run, count, conversations] = process.argv.slice(2) as [string, string, string, string, string];
const store = new FileOutboxStore(dir);
await store.open();
// Short leases: a restarted process takes over what the killed one held within a second.
const sender = new OutboxSender(store, new TeamsTransport(channelConnectors()), pino({ level: 'silent' }), {
  leaseMs: 1_000,
  idlePollMs: 20,
  backoffBaseMs: 50,
  backoffCapMs: 200,
});
const ids: string[] = [];
for (let n = 0; n < Number(count); n += 1) {
  const conversation = `${run}-conversation-${n % Number(conversations)}`;
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

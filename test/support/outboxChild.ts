/**
 * A bot process reduced to its outbox, for the test that kills it in the middle of a burst. It
 * loads and opens its store, says "ready", and on "go" (a line on stdin) sends the burst until
 * every message is settled. Arguments: outbox folder, connector address, run name, messages,
 * conversations.
 */
import { createInterface } from 'node:readline';
import { burstMessages, burstOutbox, sendBurst } from './outboxBurst.js';

const [dir, url, run, count, conversations] = process.argv.slice(2) as [string, string, string, string, string];
const outbox = await burstOutbox(dir, url);
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.once('line', () => resolve()));
process.stdout.write('ready\n');
await go;
lines.close();
await sendBurst(outbox, burstMessages(run, url, Number(count), Number(conversations)));
process.exit(0);

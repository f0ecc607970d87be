import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONCURRENCY } from '../../bot/outbox/outboxSender.js';
import { FakeConnector } from '../support/fakeConnector.js';

const CHILD = fileURLToPath(new URL('../support/outboxChild.js', import.meta.url));
const RUNS = 20;
const MESSAGES = 50;
const CONVERSATIONS = 10;
const LANES = 5;
/** Sends in flight at once (the sender's default): a crash can repeat at most these. */
const IN_FLIGHT = DEFAULT_CONCURRENCY;

function start(dir: string, url: string, run: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CHILD, dir, url, run, String(MESSAGES), String(CONVERSATIONS)], {
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

// Twenty bursts in child processes take minutes on a busy machine: run with DSR_CRASH_TEST=1.
const crashTest = process.env.DSR_CRASH_TEST === '1' ? describe : describe.skip;

crashTest('the outbox killed in the middle of a burst', function () {
  this.timeout(900_000);
  let connector: FakeConnector;

  before(async () => {
    connector = new FakeConnector();
    await connector.start();
    // Each run sends to its own conversations, within Teams' limits for each.
    connector.enforceTeamsLimits();
  });
  after(() => connector.stop());

  it(`loses nothing, and repeats only what was in flight, when killed at a random moment of each of ${RUNS} bursts`, async () => {
    const arrivedFor = (run: string) => connector.delivered().filter((c) => String(c.body.text).startsWith(`${run}|`));
    let kills = 0;
    const runOne = async (index: number) => {
      const run = `burst${index}`;
      const dir = await mkdtemp(join(tmpdir(), 'dsr-crash-'));
      try {
        const first = start(dir, connector.url, run);
        // A random moment once the burst is under way: between its first message and about its end.
        await connector.waitFor(() => (arrivedFor(run).length > 0 ? true : undefined), 60_000);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 1_500));
        if (first.child.exitCode === null) {
          first.child.kill('SIGKILL');
          kills += 1;
        }
        await first.exited;
        const second = start(dir, connector.url, run);
        assert.equal(await second.exited, 0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    for (let next = 0; next < RUNS; next += LANES) {
      await Promise.all(Array.from({ length: Math.min(LANES, RUNS - next) }, (_, lane) => runOne(next + lane)));
    }
    const counts = new Map<string, number>();
    for (const call of connector.delivered())
      counts.set(String(call.body.text), (counts.get(String(call.body.text)) ?? 0) + 1);
    const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    const missing = RUNS * MESSAGES - counts.size;
    console.log(
      `      ${RUNS} bursts of ${MESSAGES}, ${kills} killed mid-burst: ${duplicates} duplicate(s), ${missing} missing, ${connector.violations.length} × 429`,
    );
    assert.equal(missing, 0, 'every message arrived');
    // The Bot Connector cannot be asked whether a message arrived, so a send cut short is sent
    // again: at most the sends in flight at the moment of the kill, each at most once more.
    assert.ok(duplicates <= kills * IN_FLIGHT, `${duplicates} duplicates after ${kills} kills`);
    assert.ok(kills >= RUNS / 2, 'most bursts were really cut short');
  });
});

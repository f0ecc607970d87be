import assert from 'node:assert/strict';
import sinon from 'sinon';
import { namedLease, RunLease, stepLease, type LeaseRecord } from '../../../dsr/runs/runLease.js';
import type { LeaseStore } from '../../../dsr/ports/leases.js';

const T0 = new Date('2026-03-10T12:00:00.000Z');

/** One lease as a store keeps it: a holder until a time; an expired lease may be taken by anyone. */
class OneLease {
  holder: string | undefined;
  until = 0;
  claims: { holder: string; now: number; until: number }[] = [];

  hold(holder: string, now: Date, until: Date): boolean {
    this.claims.push({ holder, now: now.getTime(), until: until.getTime() });
    if (this.holder !== undefined && this.holder !== holder && this.until > now.getTime()) return false;
    this.holder = holder;
    this.until = until.getTime();
    return true;
  }

  release(holder: string): void {
    if (this.holder === holder) this.holder = undefined;
  }

  record(holder: string): LeaseRecord {
    return {
      hold: (now, until) => Promise.resolve(this.hold(holder, now, until)),
      release: () => {
        this.release(holder);
        return Promise.resolve();
      },
    };
  }
}

describe('the run lease', () => {
  let time: sinon.SinonFakeTimers;
  beforeEach(() => {
    time = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => time.restore());

  const now = () => new Date();

  it('is taken for its life, and refused to a second holder until it runs out', async () => {
    const store = new OneLease();
    const first = new RunLease(store.record('a'), now, 60_000);
    const second = new RunLease(store.record('b'), now, 60_000);
    assert.equal(await first.claim(), true);
    assert.deepEqual(store.claims[0], { holder: 'a', now: T0.getTime(), until: T0.getTime() + 60_000 });
    assert.equal(await second.claim(), false);
    assert.equal(second.lost, true);
    assert.equal(first.lost, false);
    time.tick(60_001);
    assert.equal(await second.claim(), true);
  });

  it('renews every third of its life while kept, and stops when released', async () => {
    const store = new OneLease();
    const lease = new RunLease(store.record('a'), now, 60_000);
    await lease.claim();
    lease.keep();
    await time.tickAsync(20_000);
    await time.tickAsync(20_000);
    await time.tickAsync(20_000);
    await time.tickAsync(20_000);
    // Held past its first life only because it was renewed.
    assert.equal(store.claims.length, 5);
    assert.equal(await new RunLease(store.record('b'), now, 60_000).claim(), false);
    await lease.release();
    assert.equal(store.holder, undefined);
    const claims = store.claims.length;
    await time.tickAsync(60_000);
    assert.equal(store.claims.length, claims, 'no renewal after the release');
  });

  it('tells its holder when another took it over', async () => {
    const store = new OneLease();
    const lease = new RunLease(store.record('a'), now, 3_000);
    await lease.claim();
    let told = 0;
    lease.keep(() => (told += 1));
    // A pause longer than its life (a process that hung): another instance takes the work.
    store.until = 0;
    assert.equal(await new RunLease(store.record('b'), now, 60_000).claim(), true);
    await time.tickAsync(1_000);
    assert.equal(told, 1);
    assert.equal(lease.lost, true);
    lease.stopRenewing();
  });

  it('keeps trying when the store cannot renew for a moment', async () => {
    let failing = true;
    let renewed = 0;
    const lease = new RunLease(
      {
        hold: () => {
          if (failing) return Promise.reject(new Error('connection lost'));
          renewed += 1;
          return Promise.resolve(true);
        },
        release: () => Promise.resolve(),
      },
      now,
      3_000,
    );
    lease.keep(() => assert.fail('a failed renewal is not a lost lease'));
    await time.tickAsync(1_000);
    failing = false;
    await time.tickAsync(1_000);
    assert.equal(renewed, 1);
    assert.equal(lease.lost, false);
    await lease.release();
  });

  it('keeps a step’s lease in the change ledger and a named one in the lease store', async () => {
    const ledgerCalls: unknown[][] = [];
    const step = stepLease(
      {
        claimLease: (...args) => {
          ledgerCalls.push(['claim', ...args]);
          return Promise.resolve(true);
        },
        releaseLease: (...args) => {
          ledgerCalls.push(['release', ...args]);
          return Promise.resolve();
        },
      },
      'DSR-2026-0001',
      'step-1',
      'holder',
    );
    await step.hold(T0, new Date(T0.getTime() + 1));
    await step.release();
    assert.deepEqual(ledgerCalls, [
      ['claim', 'DSR-2026-0001', 'step-1', 'holder', T0, new Date(T0.getTime() + 1)],
      ['release', 'DSR-2026-0001', 'step-1', 'holder'],
    ]);
    const storeCalls: unknown[][] = [];
    const leases: LeaseStore = {
      tryHold: (...args) => {
        storeCalls.push(['hold', ...args]);
        return Promise.resolve(false);
      },
      release: (...args) => {
        storeCalls.push(['release', ...args]);
        return Promise.resolve();
      },
    };
    const named = namedLease(leases, 'purge', 'owner');
    assert.equal(await named.hold(T0, new Date(T0.getTime() + 1)), false);
    await named.release();
    assert.deepEqual(storeCalls, [
      ['hold', 'purge', 'owner', T0, new Date(T0.getTime() + 1)],
      ['release', 'purge', 'owner'],
    ]);
  });
});

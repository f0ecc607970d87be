import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { DsrCase } from '../../dsr/case.js';
import type { CaseAction } from '../../dsr/caseActions.js';
import type { ActResult, CreateResult } from '../../dsr/caseResults.js';
import { followUpKey, KeptFollowUps } from '../../dsr/keptFollowUp.js';
import type { KeptRecord } from '../../dsr/keptRecords.js';
import { sampleCase } from '../support/cases.js';
import { MemoryLeases } from '../support/memoryLeases.js';

const T0 = new Date('2026-06-01T08:00:00.000Z');
const LEASE_MS = 60_000;

/** Closed cases whose kept accounts are checked again today, and the follow-ups opened for them, shared by instances. */
class KeptWorld {
  readonly originals = new Map<string, DsrCase>();
  readonly followUps = new Map<string, DsrCase>();
  /** Which instance asked a system about which case's records. */
  readonly asked: Array<{ by: string; caseId: string }> = [];
  /** Per instance, its first question to a system hangs until let go. */
  private readonly hangs = new Map<string, { entered: () => void; gate: Promise<void> }>();

  /** Makes the instance's next question hang: settles once it is asked; `letGo` lets it answer. */
  hang(by: string): { asked: Promise<void>; letGo: () => void } {
    let letGo: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => (entered = resolve));
    this.hangs.set(by, { entered: () => entered(), gate: new Promise<void>((resolve) => (letGo = resolve)) });
    return { asked, letGo: () => letGo() };
  }

  constructor(count: number) {
    for (let n = 1; n <= count; n += 1) {
      const id = `DSR-2026-000${n}`;
      const kept: KeptRecord = {
        systemId: 'crm',
        stepId: 'delete:crm',
        kind: 'contact',
        id: `contact-${n}`,
        basis: 'open contract',
        ends: 'condition',
        until: '2026-05-31',
      };
      this.originals.set(id, sampleCase({ id, status: 'closed', kept: [kept] }));
    }
  }

  instance(by: string, leases: MemoryLeases): KeptFollowUps {
    return new KeptFollowUps({
      store: {
        casesWithKeptDue: () =>
          Promise.resolve(
            [...this.originals.values()].filter((c) => c.kept?.some((r) => r.followUpCaseId === undefined)),
          ),
      },
      cases: {
        actAsSystem: (caseId: string, action: CaseAction): Promise<ActResult> => {
          const original = this.originals.get(caseId)!;
          if (action.kind === 'linkFollowUp') {
            const kept = original.kept!.map((r) =>
              action.recordIds.includes(r.id) ? { ...r, followUpCaseId: action.caseId } : r,
            );
            this.originals.set(caseId, { ...original, kept });
          }
          return Promise.resolve({ ok: true, case: this.originals.get(caseId)! });
        },
        openFollowUp: (original: DsrCase, records: readonly KeptRecord[]): Promise<CreateResult> => {
          const key = followUpKey(original.id, records[0]!.until);
          const known = this.followUps.get(key);
          if (known) return Promise.resolve({ case: known, created: false });
          const followUp = sampleCase({ id: `DSR-2026-01${this.followUps.size}`, followUpOf: original.id });
          this.followUps.set(key, followUp);
          return Promise.resolve({ case: followUp, created: true });
        },
      },
      periods: new Map(),
      // The account was disabled since: nothing keeps it now, so its erasure is opened.
      recheck: async (_systemId, records) => {
        const original = [...this.originals.values()].find((c) => c.kept?.some((r) => r.id === records[0]!.id))!;
        this.asked.push({ by, caseId: original.id });
        const hang = this.hangs.get(by);
        this.hangs.delete(by);
        hang?.entered();
        await hang?.gate;
        return new Map();
      },
      deletable: () => Promise.resolve(false),
      clock: { now: () => new Date() },
      leases,
      opened: () => Promise.resolve(),
    });
  }
}

describe('kept records followed up by one instance at a time', () => {
  let time: sinon.SinonFakeTimers;
  beforeEach(() => {
    time = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => time.restore());

  it('keeps the lease while a system is slow to answer, so another instance does not follow up the same cases', async () => {
    const world = new KeptWorld(3);
    const leases = new MemoryLeases();
    const a = world.instance('a', leases);
    const b = world.instance('b', leases);
    const answer = world.hang('a');
    const slow = a.pass();
    await answer.asked;
    // The system takes twice the lease's life to answer; the lease is renewed meanwhile.
    await time.tickAsync(2 * LEASE_MS);
    assert.deepEqual(await b.pass(), { opened: [], rechecked: 0 });
    assert.ok(
      world.asked.every((q) => q.by === 'a'),
      'the other instance asked no system',
    );
    answer.letGo();
    assert.equal((await slow).opened.length, 3);
    assert.equal(world.followUps.size, 3);
    // Given up at the end of the pass: the next one may run anywhere at once.
    assert.equal(leases.holder('kept-follow-up'), undefined);
  });

  it('stops a pass whose lease another instance took over, and no follow-up is opened twice', async () => {
    const world = new KeptWorld(3);
    const leases = new MemoryLeases();
    const a = world.instance('a', leases);
    const b = world.instance('b', leases);
    const hangA = world.hang('a');
    const hung = a.pass();
    await hangA.asked;
    const [first] = world.asked;
    // The instance hung past its lease: the other takes the follow-ups over.
    leases.runOut('kept-follow-up');
    const hangB = world.hang('b');
    const other = b.pass();
    await hangB.asked;
    // The hung instance's next renewal finds the lease taken; once its system answers, it stops.
    await time.tickAsync(LEASE_MS / 3);
    hangA.letGo();
    await hung;
    assert.deepEqual(
      world.asked.filter((q) => q.by === 'a'),
      [first],
      'no case after the one it hung on',
    );
    hangB.letGo();
    await other;
    assert.equal(world.followUps.size, 3);
    assert.ok([...world.originals.values()].every((c) => c.kept!.every((r) => r.followUpCaseId !== undefined)));
  });
});

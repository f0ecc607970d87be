import type { ChangeLedger } from '../ports/changeLedger.js';
import type { LeaseStore } from '../ports/leases.js';

/** Where one lease is kept: taken or renewed until a time, and given up, by its holder. */
export interface LeaseRecord {
  /** Takes the lease until `until`, or renews it for the same holder; false while another holds it. */
  hold(now: Date, until: Date): Promise<boolean>;
  release(): Promise<void>;
}

/** A change step's lease, kept in the change ledger beside the step's records. */
export function stepLease(
  ledger: Pick<ChangeLedger, 'claimLease' | 'releaseLease'>,
  caseId: string,
  stepId: string,
  holder: string,
): LeaseRecord {
  return {
    hold: (now, until) => ledger.claimLease(caseId, stepId, holder, now, until),
    release: () => ledger.releaseLease(caseId, stepId, holder),
  };
}

/**
 * A lease by name in the lease store, for work one instance does at a time: the purge, the
 * reminder pass, the privacy mailbox, the kept-record follow-ups.
 */
export function namedLease(leases: LeaseStore, name: string, owner: string): LeaseRecord {
  return {
    hold: (now, until) => leases.tryHold(name, owner, now, until),
    release: () => leases.release(name, owner),
  };
}

/**
 * The one lease discipline of the workflows that outlive a turn: a run claims its lease before it
 * starts, renews it every third of its life while it works (so a slow record never lets it run
 * out), notices when another instance has taken it over, and gives it up when it ends. A process
 * that dies stops renewing, so its lease runs out and another instance may resume the work.
 */
export class RunLease {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lostIt = false;

  constructor(
    private readonly record: LeaseRecord,
    private readonly now: () => Date,
    private readonly ms: number,
  ) {}

  /** Takes the lease, or renews it; false (and lost) while another holder has it. */
  async claim(): Promise<boolean> {
    const now = this.now();
    const held = await this.record.hold(now, new Date(now.getTime() + this.ms));
    if (!held) this.lostIt = true;
    return held;
  }

  /**
   * Renews the lease every third of its life (at least every second) until `release` or
   * `stopRenewing`; `onLost` hears when another holder has it. A renewal the store cannot make
   * now is tried again next time.
   */
  keep(onLost: () => void = () => undefined): void {
    this.stopRenewing();
    this.timer = setInterval(
      () =>
        void this.claim().then(
          (held) => {
            if (!held) onLost();
          },
          () => undefined,
        ),
      Math.max(1_000, this.ms / 3),
    );
    this.timer.unref();
  }

  /** True once a claim or a renewal found another holder. */
  get lost(): boolean {
    return this.lostIt;
  }

  stopRenewing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops renewing and gives the lease up, so another instance may take the work at once. */
  async release(): Promise<void> {
    this.stopRenewing();
    await this.record.release();
  }
}

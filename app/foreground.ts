import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/**
 * A request answered this recently may well be followed by another from the same client (a
 * load balancer's probe, then the first turn; a card's several invokes): background work waits for
 * this much quiet, not only for no request at all.
 */
export const QUIET_MS = 100;
/** The longest background work waits for quiet before it takes one slice anyway. */
export const LONGEST_GIVE_WAY_MS = 1000;

/**
 * The requests the server is answering, so that work nobody is waiting for (the reminder index
 * built after a start) gives way to the turns and probes somebody is. Without it, a start's first
 * status turn waited behind pages of open cases read in between its own steps.
 */
export class Foreground {
  private answering = 0;
  /** When the last request was answered, or the server began to listen. */
  private lastAnswered = performance.now();
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly quietMs = QUIET_MS,
    private readonly longestMs = LONGEST_GIVE_WAY_MS,
  ) {}

  /** The server listens from now: its first requests (probes, turns queued meanwhile) are on their way. */
  listening(): void {
    this.lastAnswered = performance.now();
  }

  /** Counts a request from its arrival until its answer is sent or its connection is gone. */
  track(response: { once(event: 'close', listener: () => void): unknown }): void {
    this.answering += 1;
    response.once('close', () => {
      this.answering -= 1;
      this.lastAnswered = performance.now();
      if (this.answering === 0) for (const resume of [...this.idle]) resume();
    });
  }

  /**
   * Resolves once no request has been answered for `quietMs`, or after `longestMs` however busy
   * the server is, so that the work still moves on; either way after a turn of the event loop.
   */
  async giveWay(): Promise<void> {
    const deadline = performance.now() + this.longestMs;
    for (let now = performance.now(); now < deadline; now = performance.now()) {
      if (this.answering > 0) await this.noneAnswering(deadline - now);
      else if (now - this.lastAnswered < this.quietMs) {
        // Never what keeps a stopping process alive.
        await sleep(Math.min(this.quietMs - (now - this.lastAnswered), deadline - now), undefined, { ref: false });
      } else break;
    }
    await nextTurn();
  }

  private noneAnswering(longest: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        clearTimeout(timer);
        this.idle.delete(resume);
        resolve();
      };
      const timer = setTimeout(resume, longest);
      timer.unref();
      this.idle.add(resume);
    });
  }
}

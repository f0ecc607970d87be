/**
 * How a workflow that outlives a turn tells of its progress: a search as systems answer, a
 * change step with the case as it stands after its count of records was saved, and at its end. The
 * handler that started the run turns each report into an update of the card that was pressed
 * (`PressedCard` in `teams/cardUpdater.ts`).
 */
export type OnProgress<T> = (progress: T) => void | Promise<void>;

/** Tells of progress; a report that cannot be shown (a card that could not be updated) never stops the run. */
export async function tellProgress<T>(onProgress: OnProgress<T> | undefined, progress: T): Promise<void> {
  try {
    await onProgress?.(progress);
  } catch {
    // The run's own record (the case, the ledger) holds the progress; only its display was lost.
  }
}

/**
 * The runs' one pace for the card that was pressed: a change step reports at least this often
 * (besides every so many records), and a search's or a package's card is shown again no more often
 * than this.
 */
export const PROGRESS_EVERY_MS = 2_000;

/**
 * When a run that works through records reports: after so many records or so much time since the
 * last report, whichever comes first, so a fast run does not write the case on every record and a
 * slow one still shows it moving.
 */
export class ProgressPace {
  private sinceReport = 0;
  private lastReport: number;

  constructor(
    private readonly every: { records: number; ms: number },
    private readonly now: () => number = Date.now,
  ) {
    this.lastReport = now();
  }

  /** One more record done: true when a report is due, and the count starts again. */
  recordDone(): boolean {
    this.sinceReport += 1;
    if (this.sinceReport < this.every.records && this.now() - this.lastReport < this.every.ms) return false;
    this.sinceReport = 0;
    this.lastReport = this.now();
    return true;
  }
}

/**
 * Tells progress no more often than every `ms`, for a run whose steps may end in a burst (the
 * systems of a package, each written in a moment): a card updated several times a second would
 * spend the conversation's Teams budget and flicker. A report that comes sooner waits until its
 * time, replaced by any later one meanwhile, so the latest is the one shown; the card shown when
 * the run began counts as the first. `end` drops what still waits: the run's end is shown instead,
 * and nothing may land after it.
 */
export class ThrottledProgress<T> {
  private last: number;
  private waiting: { progress: T } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  constructor(
    private readonly onProgress: OnProgress<T> | undefined,
    private readonly ms: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  tell(progress: T): Promise<void> {
    if (this.ended) return Promise.resolve();
    const since = this.now() - this.last;
    if (since >= this.ms && !this.timer) {
      this.last = this.now();
      return tellProgress(this.onProgress, progress);
    }
    this.waiting = { progress };
    this.timer ??= setTimeout(() => this.tellWaiting(), this.ms - since);
    return Promise.resolve();
  }

  private tellWaiting(): void {
    this.timer = undefined;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!waiting || this.ended) return;
    this.last = this.now();
    void tellProgress(this.onProgress, waiting.progress);
  }

  end(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = undefined;
  }
}

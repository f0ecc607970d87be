/**
 * How a workflow that outlives a turn tells of its progress: a search as each system answers, a
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

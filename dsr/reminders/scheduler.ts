import { isOpen, type DsrCase } from '../case.js';
import type { Clock } from '../clock.js';
import type { CaseStore } from '../ports/store.js';
import { MinHeap } from './minHeap.js';
import { waitsForApproval, type Occasion, type ReminderSchedule } from './schedule.js';

export interface DigestContent {
  key: string;
  day: string;
  overdue: DsrCase[];
  dueSoon: DsrCase[];
  waitingForApproval: DsrCase[];
}

/** Turns a reminder into messages. Must be idempotent per occasion key: it may be called again after a crash. */
export interface ReminderDispatcher {
  dispatch(occasion: Occasion, dsrCase: DsrCase, now: Date): Promise<void>;
  digest(content: DigestContent, now: Date): Promise<void>;
}

const CHECKPOINT = 'dsr/reminders/checkpoint';
/** Cases indexed between two pauses that let turns and probes in. */
const YIELD_EVERY = 100;
/** Open cases read at once while the index is built. */
const PAGE_SIZE = 500;
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface SchedulerOptions {
  digestDaysAhead: number;
  digest: boolean;
  /**
   * Awaited between two slices of the index build: by default only a turn of the event loop; the
   * bot waits until no turn or probe has been answered for a moment, so a start's first turns
   * come first.
   */
  giveWay?: () => Promise<void>;
}

/**
 * Watches every open case and hands each reminder to the dispatcher once. Cases wait in a heap by
 * the time of their next reminder, so a pass touches the cases that are due, not every case.
 * The last completed pass is the checkpoint: a restart looks again at everything after it, and the
 * dispatcher's durable keys make looking again harmless.
 */
export class ReminderScheduler {
  private readonly heap = new MinHeap<{ at: number; caseId: string }>((a, b) => a.at - b.at);
  private readonly nextAt = new Map<string, number>();
  /** Open cases by due instant, for the digest's "due soon" and "overdue" without a scan. */
  private readonly byDue: Array<{ due: number; id: string }> = [];
  private readonly dueOf = new Map<string, number>();
  private readonly waiting = new Set<string>();
  private lastPass = 0;
  private nextDigest: { key: string; day: string; at: Date } | undefined;

  constructor(
    private readonly cases: Pick<CaseStore, 'getCase' | 'openCasePages' | 'state'>,
    private readonly schedule: ReminderSchedule,
    private readonly dispatcher: ReminderDispatcher,
    private readonly clock: Clock,
    private readonly options: SchedulerOptions = { digestDaysAhead: 7, digest: true },
  ) {}

  /** Loads the checkpoint and indexes every open case; done once at start-up. */
  async start(): Promise<void> {
    const saved = (await this.cases.state.read([CHECKPOINT]))[CHECKPOINT]?.value as { at?: string } | undefined;
    // A first start looks back one day, so a reminder due this morning is still sent.
    this.lastPass = saved?.at ? Date.parse(saved.at) : this.clock.now().getTime() - 86_400_000;
    const due: Array<{ due: number; id: string }> = [];
    // Read a page at a time, and working out a case's next reminder takes a fraction of a
    // millisecond: at a hundred thousand open cases, one read of them all and one loop without a
    // pause would keep the bot from answering for seconds.
    const giveWay = this.options.giveWay ?? yieldToOthers;
    for await (const page of this.cases.openCasePages(PAGE_SIZE)) {
      for (const [i, dsrCase] of page.entries()) {
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await giveWay();
        this.indexNext(dsrCase);
        const at = Date.parse(dsrCase.dueAt);
        due.push({ due: at, id: dsrCase.id });
        this.dueOf.set(dsrCase.id, at);
        if (waitsForApproval(dsrCase)) this.waiting.add(dsrCase.id);
      }
      // Before the next page is read, which on the embedded store reads its case files on this loop.
      await giveWay();
    }
    due.sort((a, b) => a.due - b.due);
    this.byDue.push(...due);
    this.nextDigest = this.schedule.nextDigest(new Date(this.lastPass));
  }

  get checkpoint(): Date {
    return new Date(this.lastPass);
  }

  /** Called whenever a case is saved, so a moved due date or a closed case changes what comes next. */
  track(dsrCase: DsrCase): void {
    this.removeDue(dsrCase.id);
    this.waiting.delete(dsrCase.id);
    if (!isOpen(dsrCase)) {
      this.nextAt.delete(dsrCase.id);
      return;
    }
    this.insertDue(dsrCase.id, Date.parse(dsrCase.dueAt));
    if (waitsForApproval(dsrCase)) this.waiting.add(dsrCase.id);
    this.indexNext(dsrCase);
  }

  private indexNext(dsrCase: DsrCase): void {
    const next = this.schedule.next(dsrCase, new Date(this.lastPass));
    if (!next) {
      this.nextAt.delete(dsrCase.id);
      return;
    }
    const at = next.at.getTime();
    if (this.nextAt.get(dsrCase.id) === at) return;
    this.nextAt.set(dsrCase.id, at);
    this.heap.push({ at, caseId: dsrCase.id });
  }

  private position(due: number): number {
    let lo = 0;
    let hi = this.byDue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.byDue[mid]!.due < due) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertDue(id: string, due: number): void {
    this.byDue.splice(this.position(due), 0, { due, id });
    this.dueOf.set(id, due);
  }

  private removeDue(id: string): void {
    const due = this.dueOf.get(id);
    if (due === undefined) return;
    for (let i = this.position(due); i < this.byDue.length && this.byDue[i]!.due === due; i += 1) {
      if (this.byDue[i]!.id === id) {
        this.byDue.splice(i, 1);
        break;
      }
    }
    this.dueOf.delete(id);
  }

  /** The time of the earliest reminder waiting, for a caller that sleeps until then. */
  nextWake(): Date | undefined {
    const times = [this.peekValid(), this.nextDigest?.at.getTime()].filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : new Date(Math.min(...times));
  }

  private peekValid(): number | undefined {
    for (;;) {
      const top = this.heap.peek();
      if (!top) return undefined;
      if (this.nextAt.get(top.caseId) === top.at) return top.at;
      this.heap.pop();
    }
  }

  /**
   * Sends everything due up to now. A failure leaves the checkpoint alone, so the next pass tries
   * again. `held` says whether this instance still runs the pass (its lease): once it does not, the
   * pass stops before the next case and leaves the checkpoint alone, so the instance that took
   * over sends the rest from there (the dispatcher's keys make what was sent twice harmless).
   */
  async pass(held: () => boolean = () => true): Promise<{ reminders: number; digests: number }> {
    const now = this.clock.now();
    const since = new Date(this.lastPass);
    const dueIds: string[] = [];
    for (let at = this.peekValid(); at !== undefined && at <= now.getTime(); at = this.peekValid()) {
      const top = this.heap.pop()!;
      this.nextAt.delete(top.caseId);
      dueIds.push(top.caseId);
    }
    let reminders = 0;
    let failure: Error | undefined;
    for (const [i, id] of dueIds.entries()) {
      if (!held()) {
        // Kept due, so this index still finds them should the pass come back to this instance.
        for (const left of dueIds.slice(i)) {
          this.nextAt.set(left, now.getTime());
          this.heap.push({ at: now.getTime(), caseId: left });
        }
        return { reminders, digests: 0 };
      }
      const dsrCase = await this.cases.getCase(id);
      if (!dsrCase || !isOpen(dsrCase)) {
        if (dsrCase) this.track(dsrCase);
        continue;
      }
      try {
        // Of several reminders of one kind that a downtime let pile up, only the latest is worth sending.
        const latest = new Map<string, Occasion>();
        for (const occasion of this.schedule.between(dsrCase, since, now)) latest.set(occasion.kind, occasion);
        for (const occasion of latest.values()) {
          await this.dispatcher.dispatch(occasion, dsrCase, now);
          reminders += 1;
        }
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
        // Keep the case in the heap so the retry finds it.
        this.nextAt.set(id, now.getTime());
        this.heap.push({ at: now.getTime(), caseId: id });
        continue;
      }
      const next = this.schedule.next(dsrCase, now);
      if (next) {
        this.nextAt.set(id, next.at.getTime());
        this.heap.push({ at: next.at.getTime(), caseId: id });
      }
    }
    // Another instance runs the pass now: the digest and the checkpoint are its to write.
    if (!failure && !held()) return { reminders, digests: 0 };
    let digests = 0;
    if (!failure && this.options.digest && this.nextDigest && this.nextDigest.at.getTime() <= now.getTime()) {
      // After a downtime, one digest for today, not one per missed day.
      let latest = this.nextDigest;
      for (
        let d = this.schedule.nextDigest(latest.at);
        d.at.getTime() <= now.getTime();
        d = this.schedule.nextDigest(d.at)
      ) {
        latest = d;
      }
      try {
        await this.dispatcher.digest(await this.digestContent(latest, now), now);
        digests += 1;
        this.nextDigest = this.schedule.nextDigest(now);
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    if (failure) throw failure;
    this.lastPass = now.getTime();
    await this.cases.state.write({ [CHECKPOINT]: { value: { at: now.toISOString() }, eTag: '*' } });
    return { reminders, digests };
  }

  private async digestContent(digest: { key: string; day: string }, now: Date): Promise<DigestContent> {
    const horizon = now.getTime() + this.options.digestDaysAhead * 86_400_000;
    const overdue: DsrCase[] = [];
    const dueSoon: DsrCase[] = [];
    for (let i = 0; i < this.byDue.length && this.byDue[i]!.due <= horizon; i += 1) {
      const dsrCase = await this.cases.getCase(this.byDue[i]!.id);
      if (!dsrCase || !isOpen(dsrCase)) continue;
      (Date.parse(dsrCase.dueAt) < now.getTime() ? overdue : dueSoon).push(dsrCase);
    }
    const waitingForApproval: DsrCase[] = [];
    for (const id of this.waiting) {
      const dsrCase = await this.cases.getCase(id);
      if (dsrCase && waitsForApproval(dsrCase)) waitingForApproval.push(dsrCase);
    }
    return { key: digest.key, day: digest.day, overdue, dueSoon, waitingForApproval };
  }

  /** What will be sent between now and `until`, for the "reminders" command. */
  async upcoming(until: Date): Promise<Array<{ occasion: Occasion; dsrCase: DsrCase }>> {
    const from = this.clock.now();
    const found: Array<{ occasion: Occasion; dsrCase: DsrCase }> = [];
    for (const [id, at] of this.nextAt) {
      if (at > until.getTime()) continue;
      const dsrCase = await this.cases.getCase(id);
      if (!dsrCase) continue;
      for (const occasion of this.schedule.between(dsrCase, from, until)) found.push({ occasion, dsrCase });
    }
    return found.sort((a, b) => a.occasion.at.getTime() - b.occasion.at.getTime());
  }
}

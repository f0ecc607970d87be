import type { Logger } from 'pino';
import type { ReminderCommands, UpcomingReminder } from '../conversation/reminderCommands.js';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Actor, DsrCase } from '../../dsr/case.js';
import type { LeaseStore } from '../../dsr/ports/leases.js';
import { namedLease, RunLease, type LeaseRecord } from '../../dsr/runs/runLease.js';
import type { CaseStore } from '../../dsr/ports/store.js';
import type { RoleDirectory } from '../../dsr/roles.js';
import type { Clock } from '../../dsr/clock.js';
import type { OrgCalendar } from '../../dsr/deadlines.js';
import { CachedManagerDirectory } from '../../dsr/reminders/managers.js';
import { ReminderSchedule } from '../../dsr/reminders/schedule.js';
import { ReminderScheduler } from '../../dsr/reminders/scheduler.js';
import type { ObservedCaseStore } from '../../dsr/reminders/observedStore.js';
import type { Outbox } from '../proactiveNotifier.js';
import type { ReminderConfig } from './reminderConfig.js';
import { snoozeKey, TeamsReminderDispatcher, type Escalation, type Snooze } from './reminderDispatcher.js';

/** A clock that runs `scale` times faster than real time from the moment it is made, for demos. */
export function fastForwardClock(scale: number, base: Clock, realNow: () => number = Date.now): Clock {
  const startReal = realNow();
  const startClock = base.now().getTime();
  return { now: () => new Date(startClock + (realNow() - startReal) * scale) };
}

/**
 * What lets several instances share one store's reminders: a lease naming the one instance that
 * runs the pass, and the cases changed anywhere, so every index stays current.
 */
export interface SharedReminders {
  leases: LeaseStore;
  changes: { mark(): Promise<void>; next(): Promise<DsrCase[]> };
  /** How long the pass stays with an instance that stops renewing it (one that died). */
  leaseMs?: number;
}

const LEASE = 'reminders';

/** When the index of open cases is built, and what its build gives way to. */
export interface IndexBuild {
  /** When to begin (the bot serving already); at once when not given. */
  begin?: Promise<void>;
  /** Awaited between slices of the build; a turn of the event loop when not given. */
  giveWay?: () => Promise<void>;
}

/** Runs the scheduler on a timer, after the case store tells it about every change. */
export class ReminderService implements ReminderCommands {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** This instance's hold on the reminder pass, where instances share a store. */
  private readonly lease: LeaseRecord | undefined;
  private leading = false;
  private readonly housekeeping: Array<() => Promise<void>> = [];

  /** Cases saved while the index is being built, indexed again once it is ready. */
  private savedMeanwhile: Map<string, DsrCase> | undefined = new Map();
  private current: ReminderScheduler | undefined;
  /** Settles once the index of open cases is built; every pass waits for it. */
  private ready!: Promise<ReminderScheduler>;
  /**
   * Settles once a person waits for the index (their "reminders" turn): from then on the build no
   * longer gives way to the turns being answered, one of which is theirs.
   */
  private readonly personWaiting: Promise<void>;
  private hurry: () => void = () => undefined;
  private hurried = false;

  private constructor(
    private readonly build: () => Promise<ReminderScheduler>,
    readonly schedule: ReminderSchedule,
    private readonly store: CaseStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly shared: SharedReminders | undefined,
    private readonly buildWhen: Promise<void>,
  ) {
    this.lease = shared ? namedLease(shared.leases, LEASE, randomUUID()) : undefined;
    this.personWaiting = new Promise((resolve) => (this.hurry = resolve));
  }

  /** What the build awaits between slices: `giveWay`, until a person waits for the index. */
  private paced(giveWay: () => Promise<void>): () => Promise<void> {
    return () => (this.hurried ? nextTurn() : Promise.race([giveWay(), this.personWaiting]));
  }

  /**
   * Work that rides on the pass of the instance that runs it (the purge of closed cases). A task
   * that fails is logged on its own and never stops the reminders.
   */
  afterEachPass(task: () => Promise<void>): void {
    this.housekeeping.push(task);
  }

  /** The scheduler, once its index of open cases is built. */
  scheduler(): Promise<ReminderScheduler> {
    return this.ready;
  }

  /**
   * Builds the index in the background, so the bot answers at once however many cases are open.
   * A case saved meanwhile is indexed again when it is ready, so no change is missed.
   */
  private buildInBackground(): void {
    this.savedMeanwhile = new Map();
    this.ready = Promise.race([this.buildWhen, this.personWaiting])
      .then(this.build)
      .then((scheduler) => {
        for (const dsrCase of this.savedMeanwhile?.values() ?? []) scheduler.track(dsrCase);
        this.savedMeanwhile = undefined;
        this.current = scheduler;
        return scheduler;
      });
    // Failures are met by whoever waits (a pass logs it and the next tick builds again).
    this.ready.catch(() => undefined);
  }

  private track(dsrCase: DsrCase): void {
    if (this.savedMeanwhile) this.savedMeanwhile.set(dsrCase.id, dsrCase);
    else this.current?.track(dsrCase);
  }

  /** The built scheduler, building it again when the last build failed. */
  private async indexed(): Promise<ReminderScheduler> {
    try {
      return await this.ready;
    } catch (error) {
      if (this.savedMeanwhile === undefined || this.current) throw error;
      this.buildInBackground();
      throw error;
    }
  }

  /** What will be sent; a reminder a snooze quiets (any but "overdue", before the snooze ends) is not listed. */
  async upcoming(days: number): Promise<UpcomingReminder[]> {
    const until = new Date(this.clock.now().getTime() + days * 86_400_000);
    this.hurried = true;
    this.hurry();
    const found = await (await this.indexed()).upcoming(until);
    const ids = [...new Set(found.map(({ dsrCase }) => dsrCase.id))];
    const snoozes = ids.length > 0 ? await this.store.state.read(ids.map(snoozeKey)) : {};
    return found
      .filter(({ occasion, dsrCase }) => {
        const snooze = snoozes[snoozeKey(dsrCase.id)]?.value as Snooze | undefined;
        return !snooze || occasion.kind === 'overdue' || occasion.at.getTime() >= Date.parse(snooze.until);
      })
      .map(({ occasion, dsrCase }) => ({ occasion, caseId: dsrCase.id, subjectName: dsrCase.subject.name }));
  }

  async snooze(actor: Actor, caseId: string, until: Date, reason: string): Promise<void> {
    const value: Snooze = { until: until.toISOString(), reason, by: actor.id };
    await this.store.state.write({ [snoozeKey(caseId)]: { value, eTag: '*' } });
  }

  static async start(
    config: ReminderConfig,
    store: ObservedCaseStore,
    outbox: Outbox,
    calendar: OrgCalendar,
    clock: Clock,
    log: Logger,
    escalation: Escalation = new CachedManagerDirectory({ configured: config.managers }),
    shared?: SharedReminders,
    roles?: Pick<RoleDirectory, 'isPrivacyTeam'>,
    indexBuild: IndexBuild = {},
  ): Promise<ReminderService> {
    const schedule = new ReminderSchedule(config.settings, calendar);
    const dispatcher = new TeamsReminderDispatcher(
      outbox,
      store,
      calendar,
      config.settings,
      escalation,
      log,
      roles,
      config.channelLanguage,
    );
    const { giveWay } = indexBuild;
    const build = async (): Promise<ReminderScheduler> => {
      const scheduler = new ReminderScheduler(store, schedule, dispatcher, clock, {
        digestDaysAhead: config.settings.digestDaysAhead,
        digest: true,
        ...(giveWay ? { giveWay: service.paced(giveWay) } : {}),
      });
      await scheduler.start();
      return scheduler;
    };
    await shared?.changes.mark();
    const service = new ReminderService(
      build,
      schedule,
      store,
      clock,
      log,
      shared,
      indexBuild.begin ?? Promise.resolve(),
    );
    // Listening first, so a case saved while the index is built is not missed.
    store.onSaved((dsrCase) => service.track(dsrCase));
    service.buildInBackground();
    if (config.enabled) service.timer = setInterval(() => void service.tick(), config.tickMs);
    return service;
  }

  /**
   * Sharing a store, only the instance holding the lease sends; one taking the lease over
   * rebuilds its index from the shared checkpoint, so it continues where the last holder stopped.
   * The lease is renewed while the pass works (a rebuild of a large index, a slow send), so no
   * other instance starts the same pass meanwhile; a pass whose lease another instance took stops
   * at the next case. Between passes it is kept, not given up: the holder's index is built, and
   * handing the pass round would rebuild one on another instance every time. The next pass renews
   * it; an instance that dies stops renewing, and another takes over once it runs out.
   */
  private async passIfLeading(): Promise<{ reminders: number; digests: number }> {
    // A pass before the index is ready waits for it: it would otherwise miss what is due.
    await this.indexed();
    if (!this.shared || !this.lease) return this.passAndHousekeeping(() => true);
    for (const dsrCase of await this.shared.changes.next()) this.track(dsrCase);
    const lease = new RunLease(this.lease, () => new Date(), this.shared.leaseMs ?? 60_000);
    if (!(await lease.claim())) {
      this.leading = false;
      return { reminders: 0, digests: 0 };
    }
    lease.keep();
    try {
      if (!this.leading) {
        await this.shared.changes.mark();
        this.current = await this.build();
        this.ready = Promise.resolve(this.current);
        this.leading = true;
      }
      return await this.passAndHousekeeping(() => !lease.lost);
    } finally {
      lease.stopRenewing();
      if (lease.lost) {
        // Whoever holds it now sends from the shared checkpoint; this index is rebuilt if the pass comes back.
        this.leading = false;
        this.log.warn('reminder lease taken over by another instance; this pass stopped');
      }
    }
  }

  /** The pass, then the work that rides on it, unless the lease was lost meanwhile. */
  private async passAndHousekeeping(held: () => boolean): Promise<{ reminders: number; digests: number }> {
    const result = await (await this.indexed()).pass(held);
    for (const task of this.housekeeping) {
      if (!held()) break;
      await task().catch((error: unknown) =>
        this.log.error({ err: error }, 'housekeeping after the reminder pass failed'),
      );
    }
    return result;
  }

  /** One pass, never two at once. */
  tick(): Promise<unknown> {
    this.running ??= this.passIfLeading()
      .then((result) => {
        if (result.reminders > 0 || result.digests > 0) this.log.info(result, 'reminders dispatched');
      })
      .catch((error: unknown) => this.log.error({ err: error }, 'reminder pass failed; the next one retries'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    if (this.leading) await this.lease?.release().catch(() => undefined);
  }
}

import type { Logger } from 'pino';
import type { ReminderCommands, UpcomingReminder } from '../../dialogs/reminderCommands.js';
import type { Actor } from '../../dsr/case.js';
import type { CaseStore } from '../../dsr/store.js';
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

/** Runs the scheduler on a timer, after the case store tells it about every change. */
export class ReminderService implements ReminderCommands {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  private constructor(
    readonly scheduler: ReminderScheduler,
    readonly schedule: ReminderSchedule,
    private readonly store: CaseStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async upcoming(days: number): Promise<UpcomingReminder[]> {
    const until = new Date(this.clock.now().getTime() + days * 86_400_000);
    return (await this.scheduler.upcoming(until)).map(({ occasion, dsrCase }) => ({
      occasion,
      caseId: dsrCase.id,
      subjectName: dsrCase.subject.name,
    }));
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
  ): Promise<ReminderService> {
    const schedule = new ReminderSchedule(config.settings, calendar);
    const dispatcher = new TeamsReminderDispatcher(outbox, store, calendar, config.settings, escalation, log);
    const scheduler = new ReminderScheduler(store, schedule, dispatcher, clock, {
      digestDaysAhead: config.settings.digestDaysAhead,
      digest: true,
    });
    await scheduler.start();
    store.onSaved((dsrCase) => scheduler.track(dsrCase));
    const service = new ReminderService(scheduler, schedule, store, clock, log);
    if (config.enabled) service.timer = setInterval(() => void service.tick(), config.tickMs);
    return service;
  }

  /** One pass, never two at once. */
  tick(): Promise<unknown> {
    this.running ??= this.scheduler
      .pass()
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
  }
}

import { DateTime } from 'luxon';
import { z } from 'zod';
import type { DsrCase } from '../case.js';
import { isOpen } from '../case.js';
import { isWorkingDay, nextWorkingTime, type OrgCalendar, type Regulation, type WorkingHours } from '../deadlines.js';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');

export const reminderPolicySchema = z.object({
  /** Reminders this many days before the due day; the due day itself is `onDueDay`. */
  daysBefore: z.array(z.number().int().min(1).max(90)),
  onDueDay: z.boolean(),
  overdueEveryWorkingDay: z.boolean(),
  /** A case waiting for the privacy team's decision this long gets a reminder, then one per working day. */
  approvalStaleHours: z.number().positive(),
  /** A case paused for the person's identity this long gets a reminder, then one per working day. */
  identityPauseDays: z.number().positive(),
  /** The assignee's manager hears about a case this many days before its due day, and whenever overdue. */
  escalateDaysLeft: z.number().int().min(-1),
});
export type ReminderPolicy = z.infer<typeof reminderPolicySchema>;

export const reminderSettingsSchema = z.object({
  sendAt: HHMM,
  workingHours: z.object({ start: HHMM, end: HHMM }),
  /** The channel digest goes out once per working day at this time. */
  digestAt: HHMM,
  digestDaysAhead: z.number().int().min(0).max(60),
  policies: z.record(z.string(), reminderPolicySchema),
});
export type ReminderSettings = z.infer<typeof reminderSettingsSchema>;

export const DEFAULT_POLICY: ReminderPolicy = {
  daysBefore: [14, 7, 3, 1],
  onDueDay: true,
  overdueEveryWorkingDay: true,
  approvalStaleHours: 48,
  identityPauseDays: 7,
  escalateDaysLeft: 1,
};

export const DEFAULT_REMINDER_SETTINGS: ReminderSettings = {
  sendAt: '09:00',
  workingHours: { start: '09:00', end: '17:00' },
  digestAt: '09:00',
  digestDaysAhead: 7,
  policies: {
    GDPR: DEFAULT_POLICY,
    // A 15-day period leaves no room for a two-week warning.
    LGPD: { ...DEFAULT_POLICY, daysBefore: [7, 3, 1] },
  },
};

export function policyOf(settings: ReminderSettings, regulation: Regulation): ReminderPolicy {
  return settings.policies[regulation] ?? DEFAULT_POLICY;
}

export type ReminderKind = 'due' | 'overdue' | 'approval' | 'identity' | 'receipt' | 'outside';

export interface Occasion {
  /** The durable key: the same case, kind and occasion always give the same key. */
  key: string;
  caseId: string;
  kind: ReminderKind;
  occasion: string;
  at: Date;
  /** The plan step a reminder is about (a step waiting for an outside party). */
  stepId?: string;
}

/** Days before the CCPA confirmation of receipt is due that its daily reminder starts. */
const RECEIPT_REMINDER_DAYS = 3;

const WAITING_FOR_APPROVAL = new Set(['received', 'triage']);

export function waitsForApproval(dsrCase: Pick<DsrCase, 'status'>): boolean {
  return WAITING_FOR_APPROVAL.has(dsrCase.status);
}

/** Answers remembered by the schedule, at most; past that the oldest half goes. */
const REMEMBERED = 20_000;

function remember<K, V>(memo: Map<K, V>, key: K, value: V): void {
  if (memo.size >= REMEMBERED) {
    let drop = memo.size / 2;
    for (const old of memo.keys()) {
      if (drop-- <= 0) break;
      memo.delete(old);
    }
  }
  memo.set(key, value);
}

/** Computes when a case's reminders fall, in the organisation's zone and working hours. */
export class ReminderSchedule {
  private readonly atOfDay = new Map<string, Date>();
  private readonly dayOf = new Map<string | number, DateTime>();

  constructor(
    private readonly settings: ReminderSettings,
    private readonly calendar: OrgCalendar,
  ) {}

  get hours(): WorkingHours {
    return this.settings.workingHours;
  }

  private at(day: DateTime, time: string): Date {
    // Cases share their days: a hundred thousand open cases fall on a few hundred of them, and
    // each answer costs time-zone arithmetic. Remembered per day and time, the same answer.
    const key = `${day.zoneName ?? ''}|${day.toMillis()}|${time}`;
    let at = this.atOfDay.get(key);
    if (at === undefined) {
      const [hour, minute] = time.split(':').map(Number) as [number, number];
      at = nextWorkingTime(day.set({ hour, minute, second: 0, millisecond: 0 }).toJSDate(), this.calendar, this.hours);
      remember(this.atOfDay, key, at);
    }
    return new Date(at.getTime());
  }

  private localDay(instant: Date | string): DateTime {
    const key = typeof instant === 'string' ? instant : instant.getTime();
    let day = this.dayOf.get(key);
    if (day === undefined) {
      const dt = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
      day = dt.setZone(this.calendar.timeZone).startOf('day');
      remember(this.dayOf, key, day);
    }
    return day;
  }

  /** A warning must come early, never late: a day off moves it to the working day before. */
  private previousWorkingDay(day: DateTime): DateTime {
    let d = day;
    for (let i = 0; i < 366 && !isWorkingDay(d, this.calendar); i += 1) d = d.minus({ days: 1 });
    return d;
  }

  /** The first working day's `time` strictly after `after`, not before `from`. */
  private dailyAfter(from: Date, after: Date, time: string): { day: DateTime; at: Date } {
    let day = this.localDay(from.getTime() > after.getTime() ? from : after);
    for (let i = 0; i < 400; i += 1) {
      if (isWorkingDay(day, this.calendar)) {
        const at = this.at(day, time);
        if (at.getTime() > after.getTime() && at.getTime() >= from.getTime()) return { day, at };
      }
      day = day.plus({ days: 1 });
    }
    return { day, at: this.at(day, time) };
  }

  /** The case's first reminder strictly after `after`, or none while nothing more is due. */
  next(dsrCase: DsrCase, after: Date): Occasion | undefined {
    return this.nextAll(dsrCase, after)[0];
  }

  /** Every reminder of the case at the earliest time strictly after `after`. */
  nextAll(dsrCase: DsrCase, after: Date): Occasion[] {
    if (!isOpen(dsrCase)) return [];
    const policy = policyOf(this.settings, dsrCase.regulation);
    const candidates: Occasion[] = [];
    const make = (kind: ReminderKind, occasion: string, at: Date): Occasion => ({
      key: `${dsrCase.id}|${kind}|${occasion}`,
      caseId: dsrCase.id,
      kind,
      occasion,
      at,
    });
    const created = new Date(dsrCase.createdAt);
    const dueDay = this.localDay(dsrCase.dueAt);
    const dueDate = dueDay.toISODate() ?? '';

    const offsets = [...policy.daysBefore, ...(policy.onDueDay ? [0] : [])].sort((a, b) => b - a);
    for (const offset of offsets) {
      const at = this.at(this.previousWorkingDay(dueDay.minus({ days: offset })), this.settings.sendAt);
      if (at.getTime() > after.getTime() && at.getTime() >= created.getTime()) {
        candidates.push(make('due', `${dueDate}-${offset}`, at));
        break;
      }
    }
    if (policy.overdueEveryWorkingDay) {
      const firstLate = new Date(dsrCase.dueAt).getTime() + 1;
      const { day, at } = this.dailyAfter(new Date(firstLate), after, this.settings.sendAt);
      candidates.push(make('overdue', `${dueDate}@${day.toISODate() ?? ''}`, at));
    }
    if (waitsForApproval(dsrCase)) {
      const stale = new Date(created.getTime() + policy.approvalStaleHours * 3_600_000);
      const { day, at } = this.dailyAfter(stale, after, this.settings.sendAt);
      candidates.push(make('approval', day.toISODate() ?? '', at));
    }
    if (dsrCase.pause) {
      const since = DateTime.fromISO(dsrCase.pause.since).plus({ days: policy.identityPauseDays }).toJSDate();
      const { day, at } = this.dailyAfter(since, after, this.settings.sendAt);
      candidates.push(make('identity', `${dsrCase.pause.since}@${day.toISODate() ?? ''}`, at));
    }
    const confirmation = dsrCase.receiptConfirmation;
    if (confirmation && confirmation.sentAt === null) {
      // CCPA: receipt is confirmed within 10 business days (11 CCR § 7021(a)); remind each working day from three days before.
      const from = DateTime.fromISO(confirmation.dueAt).minus({ days: RECEIPT_REMINDER_DAYS }).toJSDate();
      const { day, at } = this.dailyAfter(
        from.getTime() > created.getTime() ? from : created,
        after,
        this.settings.sendAt,
      );
      candidates.push(make('receipt', day.toISODate() ?? '', at));
    }
    // A step waiting for an outside party: from the first working day after its expected day, each working day until it is settled.
    for (const step of dsrCase.plan?.steps ?? []) {
      if (step.state !== 'waiting-outside' || !step.waiting) continue;
      const passed = DateTime.fromISO(step.waiting.expectedBy, { zone: this.calendar.timeZone })
        .plus({ days: 1 })
        .startOf('day')
        .toJSDate();
      const { day, at } = this.dailyAfter(passed, after, this.settings.sendAt);
      candidates.push({
        ...make('outside', `${step.id}@${step.waiting.expectedBy}@${day.toISODate() ?? ''}`, at),
        stepId: step.id,
      });
    }
    const earliest = Math.min(...candidates.map((c) => c.at.getTime()));
    return candidates.filter((c) => c.at.getTime() === earliest);
  }

  /** Every reminder in (after, until], in time order. */
  between(dsrCase: DsrCase, after: Date, until: Date): Occasion[] {
    const found: Occasion[] = [];
    let cursor = after;
    for (let i = 0; i < 1000; i += 1) {
      const next = this.nextAll(dsrCase, cursor);
      if (next.length === 0 || next[0]!.at.getTime() > until.getTime()) break;
      found.push(...next);
      cursor = next[0]!.at;
    }
    return found;
  }

  /** When the channel digest for the working day after `after` goes out, and its key. */
  nextDigest(after: Date): { key: string; day: string; at: Date } {
    const { day, at } = this.dailyAfter(after, after, this.settings.digestAt);
    return { key: `digest|${day.toISODate() ?? ''}`, day: day.toISODate() ?? '', at };
  }
}

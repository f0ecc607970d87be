import { z } from 'zod';
import { DEFAULT_REMINDER_SETTINGS, type ReminderSettings } from '../../dsr/reminders/schedule.js';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const envSchema = z.object({
  DSR_REMINDERS: z.enum(['on', 'off']).default('on'),
  DSR_REMINDER_DAYS: z
    .string()
    .default('14,7,3,1')
    .transform((text) =>
      text
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^\d{1,2}$/, 'whole days')).transform((days) => days.map(Number))),
  DSR_REMINDER_TIME: z.string().regex(HHMM, 'a time as HH:MM').default('09:00'),
  DSR_WORKING_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'working hours as HH:MM-HH:MM')
    .default('09:00-17:00'),
  DSR_ESCALATE_DAYS: z.coerce.number().int().min(-1).max(30).default(1),
  DSR_APPROVAL_STALE_HOURS: z.coerce.number().positive().default(48),
  DSR_IDENTITY_PAUSE_DAYS: z.coerce.number().positive().default(7),
  DSR_MANAGERS: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(new RegExp(`^${GUID.source.slice(1, -1)}=${GUID.source.slice(1, -1)}$`, 'i'), 'userId=managerId'),
      ),
    ),
  DSR_DEMO_TIME_SCALE: z.coerce.number().min(1).max(1_000_000).default(1),
  DSR_REMINDER_TICK_MS: z.coerce.number().int().min(10).optional(),
});

export interface ReminderConfig {
  enabled: boolean;
  settings: ReminderSettings;
  managers: Record<string, string>;
  /** Local demos only: how many times faster than real time the case clock runs. */
  timeScale: number;
  tickMs: number;
  /** The privacy channel's language (DSR_CHANNEL_LANGUAGE, read with the rest of the configuration). */
  channelLanguage?: string;
}

/** Reads the reminder settings; each problem names its variable, as the rest of the configuration does. */
export function loadReminderConfig(env: Record<string, string | undefined>): ReminderConfig | { problems: string[] } {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0]);
        return `${variable}: expected ${issue.message.replace(/^Invalid input: /, '')} (got "${env[variable] ?? ''}")`;
      }),
    };
  }
  const raw = parsed.data;
  const [start, end] = raw.DSR_WORKING_HOURS.split('-') as [string, string];
  const policy = {
    ...DEFAULT_REMINDER_SETTINGS.policies.GDPR!,
    daysBefore: raw.DSR_REMINDER_DAYS,
    escalateDaysLeft: raw.DSR_ESCALATE_DAYS,
    approvalStaleHours: raw.DSR_APPROVAL_STALE_HOURS,
    identityPauseDays: raw.DSR_IDENTITY_PAUSE_DAYS,
  };
  return {
    enabled: raw.DSR_REMINDERS === 'on',
    settings: {
      ...DEFAULT_REMINDER_SETTINGS,
      sendAt: raw.DSR_REMINDER_TIME,
      digestAt: raw.DSR_REMINDER_TIME,
      workingHours: { start, end },
      policies: {
        GDPR: policy,
        CCPA: policy,
        // A 15-day period leaves no room for reminders further out than a week.
        LGPD: { ...policy, daysBefore: policy.daysBefore.filter((d) => d <= 7) },
      },
    },
    managers: Object.fromEntries(raw.DSR_MANAGERS.map((pair) => pair.split('=') as [string, string])),
    timeScale: raw.DSR_DEMO_TIME_SCALE,
    tickMs: raw.DSR_REMINDER_TICK_MS ?? (raw.DSR_DEMO_TIME_SCALE > 1 ? 1_000 : 60_000),
  };
}

import { BUILT_IN_ENTITIES } from '../connectors/systems/index.js';
import { keptPeriodProblems, LOCAL_KEPT_PERIODS, parseKeptPeriods, type KeptPeriods } from '../dsr/keptRecords.js';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { exampleRegisterPath } from '../dsr/letters/register.js';
import { holidayRegionProblem, type HolidayRegion } from '../dsr/holidays.js';
import { UI_LANGUAGES, type UiLanguage } from '../i18n/index.js';

/**
 * What a local run fills in where a deployment must configure: the demo's privacy team, who the
 * dashboard lets you sign in as, and the mailbox letters leave from. The local run passes it in
 * (local/demo.ts), so the production host knows nothing of the sample people.
 */
export interface LocalDemo {
  privacyTeam: readonly string[];
  signInPeople: ReadonlyArray<{ id: string; name: string }>;
  mailbox: string;
}
import { MIN_AUDIT_KEY_LENGTH } from '../dsr/auditKeys.js';
import { TEAMS_SERVICE_HOSTS, type ServiceUrlPolicy } from '../teams/inboundActivity.js';
import { loadReminderConfig, type ReminderConfig } from '../teams/reminders/reminderConfig.js';

/** A local run keeps closed cases this long unless told otherwise; a deployment must say. */
const LOCAL_RETENTION_DAYS = 30;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const list = (what: string, item: z.ZodType<string, string>) =>
  z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item, { error: `a comma-separated list of ${what}` }));

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const configSchema = z
  .object({
    PORT: z.coerce.number({ error: 'a port number' }).int().min(0).max(65535).default(3978),
    MicrosoftAppId: optionalString.pipe(z.string().regex(GUID, 'an Entra application (client) id, a GUID').optional()),
    MicrosoftAppPassword: optionalString,
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: optionalString.pipe(z.string().regex(GUID, 'a tenant id, a GUID').optional()),
    DSR_DATA_DIR: z.string().min(1).default('data'),
    DSR_PACKAGES_DIR: optionalString,
    DSR_DATABASE_URL: optionalString.pipe(
      z.url({ protocol: /^postgres(ql)?$/, error: 'a PostgreSQL URL such as postgres://user@host:5432/db' }).optional(),
    ),
    DSR_DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a schema name in lower case letters, digits and _')
      .default('dsr'),
    DSR_DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
      .number({ error: 'milliseconds, 1000 or more' })
      .int()
      .min(1000)
      .max(600_000)
      .default(15_000),
    DSR_DATABASE_CONNECT_TIMEOUT_MS: z.coerce
      .number({ error: 'milliseconds, 500 or more' })
      .int()
      .min(500)
      .max(60_000)
      .default(5_000),
    DSR_TIME_ZONE: z
      .string()
      .default('Europe/Berlin')
      .refine((zone) => DateTime.local().setZone(zone).isValid, 'an IANA time zone such as Europe/Berlin'),
    DSR_HOLIDAYS: list(
      'dates as YYYY-MM-DD',
      z.string().refine((date) => DateTime.fromISO(date).isValid && /^\d{4}-\d{2}-\d{2}$/.test(date), 'YYYY-MM-DD'),
    ),
    DSR_WORKING_DAYS: list('weekday numbers 1 (Monday) to 7 (Sunday)', z.string().regex(/^[1-7]$/, '1 to 7')).transform(
      (days) => (days.length === 0 ? [1, 2, 3, 4, 5] : days.map(Number)),
    ),
    DSR_HOLIDAY_COUNTRY: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Z]{2}$/, 'an ISO country code such as DE')
        .optional(),
    ),
    DSR_HOLIDAY_REGION: optionalString,
    DSR_IDENTITY_REQUEST_DAYS: z.coerce.number({ error: 'a number of days' }).int().min(1).max(31).default(7),
    DSR_PROCESSING_FILE: optionalString,
    DSR_LETTERS_DIR: optionalString,
    DSR_MAILBOX: optionalString.pipe(z.email('the privacy team mailbox, such as privacy@contoso.com').optional()),
    DSR_PRIVACY_TEAM_GROUP_ID: optionalString.pipe(z.string().regex(GUID, 'an Entra group id, a GUID').optional()),
    DSR_PRIVACY_TEAM_IDS: list('Entra object ids (GUIDs)', z.string().regex(GUID, 'a GUID')),
    DSR_CHANNEL_LANGUAGE: z.enum(UI_LANGUAGES, { error: `one of ${UI_LANGUAGES.join(', ')}` }).default('en'),
    DSR_PUBLIC_URL: optionalString.pipe(z.url('the https address people reach the bot at').optional()),
    DSR_LINK_SECRET: optionalString.pipe(z.string().min(32, 'a random string of at least 32 characters').optional()),
    DSR_AUDIT_KEY: optionalString.pipe(
      z.string().min(MIN_AUDIT_KEY_LENGTH, 'a random string of at least 32 characters').optional(),
    ),
    DSR_AUDIT_PREVIOUS_KEYS: list(
      'keys rotated out, comma-separated',
      z.string().min(MIN_AUDIT_KEY_LENGTH, 'each a random string of at least 32 characters'),
    ),
    DSR_CONNECTORS_FILE: optionalString,
    DSR_PACKAGE_DELIVERY: z.enum(['auto', 'teams-file', 'link'], { error: 'auto, teams-file or link' }).default('auto'),
    DSR_CONNECTORS_TENANT_ID: optionalString,
    DSR_CONNECTORS_CLIENT_ID: optionalString,
    DSR_CONNECTORS_CLIENT_SECRET: optionalString,
    DSR_CONNECTORS_CA_FILE: optionalString,
    DSR_HOST: optionalString.pipe(
      z.union([z.ipv4(), z.ipv6(), z.literal('localhost')], 'an IP address to listen on, such as 0.0.0.0').optional(),
    ),
    DSR_SERVICE_URLS: list(
      'https origins such as https://smba.example.net',
      z.url({ protocol: /^https?$/, error: 'an origin such as https://smba.example.net' }),
    ),
    DSR_CASE_RETENTION_DAYS: optionalString.pipe(
      z
        .string()
        .regex(/^-?\d+$/, 'whole days')
        .transform(Number)
        .pipe(z.number().int().min(1, 'a number of days, at least 1').max(36_500, 'at most 36500 days'))
        .optional(),
    ),
    DSR_CASE_RETENTION_MIN_DAYS: z.coerce
      .number({ error: 'whole days' })
      .int('whole days')
      .min(0, 'a number of days, 0 or more')
      .default(0),
    DSR_RELEASED_DIR: optionalString,
    DSR_INTAKE_MAILBOX: optionalString.pipe(
      z
        .union([z.literal('off'), z.email('the shared mailbox requests arrive in, such as privacy@contoso.com')])
        .optional(),
    ),
    DSR_INTAKE_MAILBOX_POLL_SECONDS: z.coerce
      .number({ error: 'whole seconds' })
      .int('whole seconds')
      .min(1, 'between 1 and 3600 seconds')
      .max(3600, 'between 1 and 3600 seconds')
      .default(60),
    DSR_INTAKE_MAILBOX_SINCE_DAYS: z.coerce
      .number({ error: 'whole days' })
      .int('whole days')
      .min(0, 'between 0 and 365 days')
      .max(365, 'between 0 and 365 days')
      .default(14),
    DSR_SUBJECT_LINK_DAYS: z.coerce
      .number({ error: 'whole days' })
      .int('whole days')
      .min(1, 'between 1 and 365 days')
      .max(365, 'between 1 and 365 days')
      .default(14),
    DSR_ISOLATED_COPY_DAYS: optionalString.pipe(
      z
        .string()
        .regex(/^-?\d+$/, 'whole days')
        .transform(Number)
        .pipe(z.number().int().min(1, 'a number of days, at least 1').max(36_500, 'at most 36500 days'))
        .optional(),
    ),
    DSR_REPEAT_MONTHS: z.coerce
      .number({ error: 'whole months' })
      .int('whole months')
      .min(1, 'between 1 and 60 months')
      .max(60, 'between 1 and 60 months')
      .default(12),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Sovereign clouds and test set-ups point the channel authentication elsewhere.
    ToBotFromChannelOpenIdMetadataUrl: optionalString.pipe(z.url('a URL').optional()),
    ToBotFromChannelTokenIssuer: optionalString,
    ToChannelFromBotLoginUrl: optionalString.pipe(z.url('a URL').optional()),
    ToChannelFromBotOAuthScope: optionalString,
    ValidateAuthority: optionalString,
    // The dashboard's single sign-on checks tokens against this authority's published keys.
    DSR_SSO_AUTHORITY: optionalString.pipe(z.url('the https address of the Entra ID authority').optional()),
  })
  .superRefine((env, ctx) => {
    if (env.DSR_HOLIDAY_REGION && !env.DSR_HOLIDAY_COUNTRY) {
      ctx.addIssue({ code: 'custom', path: ['DSR_HOLIDAY_REGION'], message: 'DSR_HOLIDAY_COUNTRY set as well' });
    } else if (env.DSR_HOLIDAY_COUNTRY) {
      const problem = holidayRegionProblem(holidayRegion(env.DSR_HOLIDAY_COUNTRY, env.DSR_HOLIDAY_REGION));
      if (problem) {
        const path = problem.includes('region') ? 'DSR_HOLIDAY_REGION' : 'DSR_HOLIDAY_COUNTRY';
        ctx.addIssue({ code: 'custom', path: [path], message: problem });
      }
    }
    if (env.MicrosoftAppId && !env.MicrosoftAppPassword && env.MicrosoftAppType !== 'UserAssignedMSI') {
      ctx.addIssue({
        code: 'custom',
        path: ['MicrosoftAppPassword'],
        message: 'the client secret of the app registration, required when MicrosoftAppId is set',
      });
    }
    // Without its own key a deployment's trail could be re-sealed by anyone who can write its storage.
    // Instances sharing a database must seal with one key, which a key generated per data folder is not.
    if ((env.MicrosoftAppId || env.DSR_DATABASE_URL) && !env.DSR_AUDIT_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['DSR_AUDIT_KEY'],
        message: `the key that seals the audit trail (32+ random characters), required when ${
          env.MicrosoftAppId ? 'MicrosoftAppId' : 'DSR_DATABASE_URL'
        } is set`,
      });
    }
    // A deployment decides how long it keeps cases; only a local run has a default.
    if (env.MicrosoftAppId && env.DSR_CASE_RETENTION_DAYS === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['DSR_CASE_RETENTION_DAYS'],
        message: 'the days a closed case keeps its personal data, required when MicrosoftAppId is set',
      });
    }
    const retention = env.DSR_CASE_RETENTION_DAYS ?? LOCAL_RETENTION_DAYS;
    // A period already refused above is not reported twice.
    if (retention >= 1 && retention < env.DSR_CASE_RETENTION_MIN_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['DSR_CASE_RETENTION_DAYS'],
        message: `at least ${env.DSR_CASE_RETENTION_MIN_DAYS} days, the minimum DSR_CASE_RETENTION_MIN_DAYS sets`,
      });
    }
    if (env.MicrosoftAppType === 'SingleTenant' && env.MicrosoftAppId && !env.MicrosoftAppTenantId) {
      ctx.addIssue({
        code: 'custom',
        path: ['MicrosoftAppTenantId'],
        message: 'the tenant id, required for a SingleTenant app',
      });
    }
  });

function holidayRegion(country: string, region: string | undefined): HolidayRegion {
  return region ? { country, region } : { country };
}

export type RawConfig = z.infer<typeof configSchema>;

export interface AppConfig {
  port: number;
  /** The interface the server listens on: loopback for a local run, every interface with an App ID. */
  host: string;
  /** Where activities may ask the bot to answer; see teams/inboundActivity.ts. */
  serviceUrls: ServiceUrlPolicy;
  /** No App ID means a local run: inbound requests are not authenticated. */
  local: boolean;
  /** Whom a local run's dashboard lets sign in (the demo's people); empty with an App ID. */
  localSignInPeople: ReadonlyArray<{ id: string; name: string }>;
  botAuth: Record<string, string>;
  dataDir: string;
  /** Where export packages wait for their download; every instance must see the same folder. */
  packagesDir: string;
  /** Set: every instance shares this PostgreSQL database instead of the local data folder. */
  database: { url: string; schema: string; statementTimeoutMs: number; connectTimeoutMs: number } | undefined;
  calendar: {
    timeZone: string;
    holidays: string[];
    workingDays: number[];
    publicHolidays?: HolidayRegion;
    identityRequestDays: number;
  };
  /** Members by id, and/or an Entra group whose members are looked up through Graph. */
  privacyTeam: { memberIds: string[]; groupId?: string };
  logLevel: RawConfig['LOG_LEVEL'];
  /** Where download links point; defaults to this process on localhost. */
  publicUrl: string | undefined;
  linkSecret: string | undefined;
  /** Undefined only for a local run, which keeps a generated key in its data folder. */
  auditKey: { current: string; previous: string[] } | undefined;
  /**
   * How packages reach the member: a Teams file consent card where the bot is registered in Teams
   * (an App ID is configured), a signed link in a local run; DSR_PACKAGE_DELIVERY overrides.
   */
  packageDelivery: 'teams-file' | 'link';
  /** Where discovery searches; see connectors/registry.ts for the file. */
  connectors: {
    file?: string;
    credentials?: { tenantId: string; clientId: string; clientSecret: string };
    caFile?: string;
  };
  reminders: ReminderConfig;
  /** How long a closed case keeps its personal data, and how far back a repeat request is pointed out. */
  cases: {
    retentionDays: number;
    repeatMonths: number;
    keptPeriods: KeptPeriods;
    /** Days an isolated copy of restricted records is kept; unset keeps it until the case is purged. */
    isolatedCopyDays?: number;
  };
  /**
   * Letters to the data subject: the processing register they draw on, the organisation's own
   * templates, and the mailbox they are sent from (none: the team downloads and marks them sent).
   */
  letters: { processingFile?: string; templatesDir?: string; mailbox?: string };
  /**
   * The package the data subject receives after its review: where its snapshots and released
   * files are kept, and how many days the person's link opens.
   */
  release: { dir: string; linkDays: number };
  /**
   * The shared mailbox requests arrive in, read by delta query every `pollMs`; the first sync reads
   * mail from `sinceDays` back. Absent: no mailbox is watched.
   */
  intakeMailbox?: { address: string; pollMs: number; sinceDays: number };
  /** Where the dashboard's Teams tokens come from: Entra ID's public cloud unless set. */
  ssoAuthority: string;
  /**
   * The language of what the bot posts in the privacy channel on its own (triage cards, the daily
   * digest, mail drafts, reminders in a case's thread): a channel has no locale, unlike a person.
   */
  channelLanguage: UiLanguage;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The bases the built-in systems keep records by: each needs a period. */
function builtInBases(): string[] {
  return Object.values(BUILT_IN_ENTITIES).flatMap((entities) =>
    entities.flatMap((entity) => (entity.changes?.retain ?? []).map((rule) => rule.basis ?? 'legal-obligation')),
  );
}

/**
 * How long each legal reason keeps a record (DSR_KEPT_PERIODS), checked against the minimums the
 * organisation set (DSR_KEPT_MIN_PERIODS). A deployment names its own; a local run has the guide's.
 */
function loadKeptPeriods(
  env: Record<string, string | undefined>,
  local: boolean,
): { periods: KeptPeriods } | { problems: string[] } {
  const text = env.DSR_KEPT_PERIODS?.trim();
  if (!text && !local)
    return {
      problems: [
        'DSR_KEPT_PERIODS: expected the period of each legal reason records are kept for, such as "posted-document=10y, active-employment=6m", required when MicrosoftAppId is set (not set)',
      ],
    };
  const periods = parseKeptPeriods(text || LOCAL_KEPT_PERIODS);
  const minimums = parseKeptPeriods(env.DSR_KEPT_MIN_PERIODS);
  const problems = [
    ...periods.problems.map((p) => `DSR_KEPT_PERIODS: ${p}`),
    ...minimums.problems.map((p) => `DSR_KEPT_MIN_PERIODS: ${p}`),
    ...keptPeriodProblems(periods.periods, minimums.periods, builtInBases()).map((p) => `${p.variable}: ${p.message}`),
  ];
  return problems.length > 0 ? { problems } : { periods: periods.periods };
}

/** Reads and checks configuration; every problem names its variable and what is expected. */
export function loadConfig(env: Record<string, string | undefined>, demo?: LocalDemo): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'configuration');
        const value = env[variable];
        const shown =
          value === undefined ? 'not set' : `got "${/Password|DATABASE_URL|SECRET/.test(variable) ? '***' : value}"`;
        return `${variable}: expected ${issue.message.replace(/^Invalid input: /, '')} (${shown})`;
      }),
    );
  }
  const reminders = loadReminderConfig(env);
  if ('problems' in reminders) throw new ConfigError(reminders.problems);
  const raw = parsed.data;
  const kept = loadKeptPeriods(env, raw.MicrosoftAppId === undefined);
  if ('problems' in kept) throw new ConfigError(kept.problems);
  const botAuth: Record<string, string> = { MicrosoftAppType: raw.MicrosoftAppType };
  for (const key of [
    'MicrosoftAppId',
    'MicrosoftAppPassword',
    'MicrosoftAppTenantId',
    'ToBotFromChannelOpenIdMetadataUrl',
    'ToBotFromChannelTokenIssuer',
    'ToChannelFromBotLoginUrl',
    'ToChannelFromBotOAuthScope',
    'ValidateAuthority',
  ] as const) {
    const value = raw[key];
    if (value !== undefined) botAuth[key] = value;
  }
  const local = raw.MicrosoftAppId === undefined;
  return {
    port: raw.PORT,
    host: raw.DSR_HOST ?? (local ? '127.0.0.1' : '0.0.0.0'),
    serviceUrls: {
      httpsHosts: TEAMS_SERVICE_HOSTS,
      origins: raw.DSR_SERVICE_URLS.map((url) => new URL(url).origin),
      loopback: local,
    },
    local,
    localSignInPeople: local && demo ? demo.signInPeople : [],
    botAuth,
    dataDir: raw.DSR_DATA_DIR,
    packagesDir: raw.DSR_PACKAGES_DIR ?? join(raw.DSR_DATA_DIR, 'packages'),
    database: raw.DSR_DATABASE_URL
      ? {
          url: raw.DSR_DATABASE_URL,
          schema: raw.DSR_DATABASE_SCHEMA,
          statementTimeoutMs: raw.DSR_DATABASE_STATEMENT_TIMEOUT_MS,
          connectTimeoutMs: raw.DSR_DATABASE_CONNECT_TIMEOUT_MS,
        }
      : undefined,
    calendar: {
      timeZone: raw.DSR_TIME_ZONE,
      holidays: raw.DSR_HOLIDAYS,
      workingDays: raw.DSR_WORKING_DAYS,
      ...(raw.DSR_HOLIDAY_COUNTRY
        ? { publicHolidays: holidayRegion(raw.DSR_HOLIDAY_COUNTRY, raw.DSR_HOLIDAY_REGION) }
        : {}),
      identityRequestDays: raw.DSR_IDENTITY_REQUEST_DAYS,
    },
    privacyTeam: {
      memberIds:
        local && demo && raw.DSR_PRIVACY_TEAM_IDS.length === 0 && !raw.DSR_PRIVACY_TEAM_GROUP_ID
          ? [...demo.privacyTeam]
          : raw.DSR_PRIVACY_TEAM_IDS,
      ...(raw.DSR_PRIVACY_TEAM_GROUP_ID ? { groupId: raw.DSR_PRIVACY_TEAM_GROUP_ID } : {}),
    },
    logLevel: raw.LOG_LEVEL,
    publicUrl: raw.DSR_PUBLIC_URL,
    linkSecret: raw.DSR_LINK_SECRET,
    auditKey: raw.DSR_AUDIT_KEY ? { current: raw.DSR_AUDIT_KEY, previous: raw.DSR_AUDIT_PREVIOUS_KEYS } : undefined,
    packageDelivery: raw.DSR_PACKAGE_DELIVERY === 'auto' ? (local ? 'link' : 'teams-file') : raw.DSR_PACKAGE_DELIVERY,
    connectors: {
      ...(raw.DSR_CONNECTORS_FILE ? { file: raw.DSR_CONNECTORS_FILE } : {}),
      ...(raw.DSR_CONNECTORS_TENANT_ID && raw.DSR_CONNECTORS_CLIENT_ID && raw.DSR_CONNECTORS_CLIENT_SECRET
        ? {
            credentials: {
              tenantId: raw.DSR_CONNECTORS_TENANT_ID,
              clientId: raw.DSR_CONNECTORS_CLIENT_ID,
              clientSecret: raw.DSR_CONNECTORS_CLIENT_SECRET,
            },
          }
        : {}),
      ...(raw.DSR_CONNECTORS_CA_FILE ? { caFile: raw.DSR_CONNECTORS_CA_FILE } : {}),
    },
    reminders,
    cases: {
      retentionDays: raw.DSR_CASE_RETENTION_DAYS ?? LOCAL_RETENTION_DAYS,
      repeatMonths: raw.DSR_REPEAT_MONTHS,
      keptPeriods: kept.periods,
      ...(raw.DSR_ISOLATED_COPY_DAYS === undefined ? {} : { isolatedCopyDays: raw.DSR_ISOLATED_COPY_DAYS }),
    },
    letters: {
      // A local run answers from the sample register and the sandbox's privacy mailbox.
      ...(raw.DSR_PROCESSING_FILE
        ? { processingFile: raw.DSR_PROCESSING_FILE }
        : local
          ? { processingFile: exampleRegisterPath() }
          : {}),
      ...(raw.DSR_LETTERS_DIR ? { templatesDir: raw.DSR_LETTERS_DIR } : {}),
      ...(raw.DSR_MAILBOX
        ? { mailbox: raw.DSR_MAILBOX }
        : local && demo && !raw.DSR_CONNECTORS_FILE
          ? { mailbox: demo.mailbox }
          : {}),
    },
    release: { dir: raw.DSR_RELEASED_DIR ?? join(raw.DSR_DATA_DIR, 'released'), linkDays: raw.DSR_SUBJECT_LINK_DAYS },
    ...intakeMailboxOf(raw, local ? demo?.mailbox : undefined),
    channelLanguage: raw.DSR_CHANNEL_LANGUAGE,
    ssoAuthority: (raw.DSR_SSO_AUTHORITY ?? 'https://login.microsoftonline.com').replace(/\/+$/, ''),
  };
}

/**
 * The mailbox watched for requests: the one named, or in a local run on the sandbox the sandbox's
 * privacy mailbox, so a newcomer sees mail arrive as drafts; "off" watches none.
 */
function intakeMailboxOf(
  raw: Pick<
    RawConfig,
    'DSR_INTAKE_MAILBOX' | 'DSR_INTAKE_MAILBOX_POLL_SECONDS' | 'DSR_INTAKE_MAILBOX_SINCE_DAYS' | 'DSR_CONNECTORS_FILE'
  >,
  /** The local demo's mailbox, watched when the environment names none and no connector file is set. */
  localMailbox: string | undefined,
): { intakeMailbox?: AppConfig['intakeMailbox'] } {
  const address =
    raw.DSR_INTAKE_MAILBOX === 'off'
      ? undefined
      : (raw.DSR_INTAKE_MAILBOX ?? (!raw.DSR_CONNECTORS_FILE ? localMailbox : undefined));
  if (!address) return {};
  return {
    intakeMailbox: {
      address,
      pollMs: raw.DSR_INTAKE_MAILBOX_POLL_SECONDS * 1000,
      sinceDays: raw.DSR_INTAKE_MAILBOX_SINCE_DAYS,
    },
  };
}

/** `.env` is optional and never overrides what the environment already says. */
export async function loadDotEnv(path = '.env'): Promise<void> {
  if (!existsSync(path)) return;
  const dotenv = await import('dotenv');
  dotenv.config({ path, quiet: true });
}

/** Configuration for a process about to start: an invalid one is explained and ends the process. */
export async function configOrExit(demo?: LocalDemo): Promise<AppConfig> {
  await loadDotEnv();
  try {
    return loadConfig(process.env, demo);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

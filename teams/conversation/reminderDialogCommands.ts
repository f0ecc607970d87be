import type { TurnContext } from 'botbuilder';
import type { TFunction } from 'i18next';
import { DateTime } from 'luxon';
import { shownAsText } from '../../cards/format.js';
import { languageOf, translator } from '../../i18n/index.js';
import type { OrgCalendar } from '../../dsr/deadlines.js';
import type { ReminderKind } from '../../dsr/reminders/schedule.js';
import type { Intent } from './intents.js';
import type { UpcomingReminder } from './reminderCommands.js';
import { actorOf } from '../turnActor.js';
import type { DsrServices } from '../services.js';

/** Cases per answer: a Teams message stays readable, and "page N" shows the rest. */
export const CASES_PER_PAGE = 15;

/** Dates named one by one before the rest are counted ("and 3 more"). */
const DATES_SHOWN = 4;

/** Reminders no more than this many days apart, at least three of them, read as "every working day". */
const DAILY_GAP_DAYS = 3;
const DAILY_RUN = 3;

/** The kinds in the order a reader weighs them: what is late first. */
const KIND_ORDER: ReminderKind[] = ['overdue', 'due', 'outside', 'approval', 'identity', 'receipt'];

interface CaseReminders {
  caseId: string;
  subjectName: string;
  reminders: UpcomingReminder[];
}

/** Every reminder under its case, cases in the order their first reminder comes. */
export function byCase(upcoming: readonly UpcomingReminder[]): CaseReminders[] {
  const cases = new Map<string, CaseReminders>();
  const sorted = [...upcoming].sort((a, b) => a.occasion.at.getTime() - b.occasion.at.getTime());
  for (const reminder of sorted) {
    const entry = cases.get(reminder.caseId) ?? {
      caseId: reminder.caseId,
      subjectName: reminder.subjectName,
      reminders: [],
    };
    entry.reminders.push(reminder);
    cases.set(reminder.caseId, entry);
  }
  return [...cases.values()];
}

/**
 * One case's reminders in a line: per kind, its dates ("on 3 Mar, 10 Mar and 13 Mar"), or a run
 * of daily ones as "every working day from … to …", so a case overdue for weeks stays one entry.
 */
export function caseLine(
  entry: CaseReminders,
  t: TFunction,
  calendar: OrgCalendar,
  locale: string | undefined,
): string {
  const language = languageOf(locale);
  const day = (at: Date) =>
    DateTime.fromJSDate(at)
      .setZone(calendar.timeZone)
      .setLocale(language === 'en' ? 'en-GB' : language)
      .toLocaleString({ day: 'numeric', month: 'short' });
  const list = new Intl.ListFormat(language, { type: 'conjunction' });
  const parts = KIND_ORDER.flatMap((kind) => {
    const dates = entry.reminders.filter((r) => r.occasion.kind === kind).map((r) => r.occasion.at);
    if (dates.length === 0) return [];
    const daily =
      dates.length >= DAILY_RUN &&
      dates.every((at, n) => n === 0 || at.getTime() - dates[n - 1]!.getTime() <= DAILY_GAP_DAYS * 86_400_000);
    if (daily) return [t(`reminders.daily.${kind}`, { from: day(dates[0]!), to: day(dates.at(-1)!) })];
    const named = dates.slice(0, DATES_SHOWN).map(day);
    const rest = dates.length - named.length;
    const shown = list.format(rest > 0 ? [...named, t('reminders.more', { count: rest })] : named);
    return [t(`reminders.on.${kind}`, { count: dates.length, dates: shown })];
  });
  return t('reminders.entry', {
    caseId: entry.caseId,
    subject: shownAsText(entry.subjectName, 80),
    reminders: parts.join('; '),
  });
}

/**
 * When a snooze ends, in the organisation's zone, written as a sentence of the reader's language
 * says it ("Tuesday 7 April 2026, 14:00 (GMT+2)", "Dienstag, 7. April 2026, 14:00 Uhr (MESZ)",
 * "mardi 7 avril 2026 à 14:00", "martes 7 de abril de 2026 a las 14:00"): the names from Intl
 * through Luxon, their order and the words between them from the catalogue.
 */
export function snoozedUntil(until: Date, calendar: OrgCalendar, locale: string | undefined): string {
  const language = languageOf(locale);
  const shown = DateTime.fromJSDate(until)
    .setZone(calendar.timeZone)
    .setLocale(language === 'en' ? 'en-GB' : language);
  return translator(locale)('reminders.until', {
    weekday: shown.toFormat('cccc'),
    day: shown.toFormat('d'),
    month: shown.toFormat('LLLL'),
    year: shown.toFormat('yyyy'),
    time: shown.toFormat('HH:mm'),
    zone: shown.toFormat('ZZZZ'),
  });
}

/** "reminders" and "snooze DSR-…": for the privacy team only, since they name cases. */
export class ReminderDialogCommands {
  constructor(private readonly services: DsrServices) {}

  private async allowed(context: TurnContext, action: string): Promise<boolean> {
    const actor = actorOf(context.activity);
    if ((await this.services.cases.rolesOf(actor)).privacyTeam && this.services.reminders) return true;
    await this.services.cases.recordSetting(actor, action, false);
    await context.sendActivity(translator(context.activity.locale)('reminders.onlyTeam'));
    return false;
  }

  /** One entry per case, naming the person and the case's reminders in the coming days; paged by case. */
  async upcoming(context: TurnContext, days: number, page = 1): Promise<void> {
    if (!(await this.allowed(context, 'showReminders')) || !this.services.reminders) return;
    const locale = context.activity.locale;
    const t = translator(locale);
    const cases = byCase(await this.services.reminders.upcoming(days));
    if (cases.length === 0) {
      await context.sendActivity(t('reminders.none', { count: days }));
      return;
    }
    const pages = Math.ceil(cases.length / CASES_PER_PAGE);
    if (page > pages) {
      await context.sendActivity(t('reminders.onlyPages', { pages, days }));
      return;
    }
    const shown = cases.slice((page - 1) * CASES_PER_PAGE, page * CASES_PER_PAGE);
    const lines = shown.map((entry) => `- ${caseLine(entry, t, this.services.calendar, locale)}`);
    const heading =
      pages === 1
        ? t('reminders.heading', { count: days })
        : t('reminders.headingPaged', { count: days, page, pages, cases: cases.length });
    const more = page < pages ? `\n\n${t('reminders.next', { days, page: page + 1 })}` : '';
    await context.sendActivity(`${heading}\n\n${lines.join('\n')}${more}`);
  }

  async snooze(context: TurnContext, intent: Extract<Intent, { kind: 'snooze' }>): Promise<void> {
    if (!(await this.allowed(context, 'snoozeReminders')) || !this.services.reminders) return;
    const t = translator(context.activity.locale);
    const actor = actorOf(context.activity);
    if (!intent.caseId || !intent.reason) {
      await context.sendActivity(t('reminders.snoozeHow'));
      return;
    }
    const dsrCase = await this.services.cases.viewCase(actor, intent.caseId);
    if (!dsrCase) {
      await context.sendActivity(t('reminders.notFound', { caseId: intent.caseId }));
      return;
    }
    const until = DateTime.fromJSDate(this.services.clock.now()).plus({ days: intent.days }).toJSDate();
    await this.services.reminders.snooze(actor, dsrCase.id, until, intent.reason);
    await this.services.cases.recordSetting(
      actor,
      'snoozeReminders',
      true,
      // The trail outlives the case's personal data, and a reason may name the person.
      { until: until.toISOString(), reasonLength: intent.reason.length },
      dsrCase.id,
    );
    await context.sendActivity(
      t('reminders.snoozed', {
        caseId: dsrCase.id,
        until: snoozedUntil(until, this.services.calendar, context.activity.locale),
        reason: shownAsText(intent.reason, 300),
      }),
    );
  }
}

import type { TurnContext } from 'botbuilder';
import { DateTime } from 'luxon';
import { formatInstant } from '../cards/format.js';
import { counted } from '../dsr/counted.js';
import type { Intent } from './intents.js';
import type { UpcomingReminder } from './reminderCommands.js';
import { actorOf } from './turnActor.js';
import type { DsrServices } from './services.js';

/** Entries per answer: a Teams message stays readable, and "page N" shows the rest. */
const PAGE_SIZE = 30;

const KIND_LABELS = {
  due: 'deadline reminder',
  outside: 'waiting for an outside party',
  overdue: 'overdue reminder',
  approval: 'waiting for approval',
  identity: 'paused for identity',
  receipt: 'confirm receipt (CCPA)',
} as const;

/** "reminders" and "snooze DSR-…": for the privacy team only, since they name cases. */
export class ReminderDialogCommands {
  constructor(private readonly services: DsrServices) {}

  private async allowed(context: TurnContext, action: string): Promise<boolean> {
    const actor = actorOf(context.activity);
    if ((await this.services.cases.rolesOf(actor)).privacyTeam && this.services.reminders) return true;
    await this.services.cases.recordSetting(actor, action, false);
    await context.sendActivity('Only a member of the privacy team can see or change the reminders.');
    return false;
  }

  async upcoming(context: TurnContext, days: number, page = 1): Promise<void> {
    if (!(await this.allowed(context, 'showReminders')) || !this.services.reminders) return;
    const upcoming = await this.services.reminders.upcoming(days);
    if (upcoming.length === 0) {
      await context.sendActivity(`No reminders are due in the next ${counted(days, 'day')}.`);
      return;
    }
    const pages = Math.ceil(upcoming.length / PAGE_SIZE);
    if (page > pages) {
      await context.sendActivity(
        `There ${pages === 1 ? 'is only one page' : `are only ${pages} pages`} of reminders in the next ${counted(days, 'day')}; try **reminders ${days} days page ${pages}**.`,
      );
      return;
    }
    const shown = upcoming.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    // Grouped by case, in the order each case's first reminder comes.
    const byCase = new Map<string, UpcomingReminder[]>();
    for (const reminder of shown) byCase.set(reminder.caseId, [...(byCase.get(reminder.caseId) ?? []), reminder]);
    const groups = [...byCase.values()].map((reminders) => {
      const first = reminders[0]!;
      const lines = reminders.map(
        (r) =>
          `- ${formatInstant(r.occasion.at.toISOString(), this.services.calendar)}: ${KIND_LABELS[r.occasion.kind]}`,
      );
      return [`**${first.caseId}** (${first.subjectName})`, ...lines].join('\n');
    });
    const heading =
      pages === 1
        ? `Reminders in the next ${counted(days, 'day')}:`
        : `Reminders in the next ${counted(days, 'day')}, page ${page} of ${pages} (${upcoming.length} in all):`;
    const more = page < pages ? `\n\nNext: **reminders ${days} days page ${page + 1}**.` : '';
    await context.sendActivity(`${heading}\n\n${groups.join('\n\n')}${more}`);
  }

  async snooze(context: TurnContext, intent: Extract<Intent, { kind: 'snooze' }>): Promise<void> {
    if (!(await this.allowed(context, 'snoozeReminders')) || !this.services.reminders) return;
    const actor = actorOf(context.activity);
    if (!intent.caseId || !intent.reason) {
      await context.sendActivity(
        'Say which case and why, for example: "snooze DSR-2026-0001 for 3 days because waiting for HR".',
      );
      return;
    }
    const dsrCase = await this.services.cases.viewCase(actor, intent.caseId);
    if (!dsrCase) {
      await context.sendActivity(`I cannot find ${intent.caseId}.`);
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
      `Reminders for ${dsrCase.id} are snoozed until ${formatInstant(until.toISOString(), this.services.calendar)} (${intent.reason}). Overdue reminders still go out, and the daily digest still lists it.`,
    );
  }
}

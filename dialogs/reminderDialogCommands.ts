import type { TurnContext } from 'botbuilder';
import { DateTime } from 'luxon';
import { formatInstant } from '../cards/format.js';
import type { Intent } from './intents.js';
import { actorOf } from './turnActor.js';
import type { DsrServices } from './services.js';

const KIND_LABELS = {
  due: 'deadline reminder',
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

  async upcoming(context: TurnContext, days: number): Promise<void> {
    if (!(await this.allowed(context, 'showReminders')) || !this.services.reminders) return;
    const upcoming = await this.services.reminders.upcoming(days);
    if (upcoming.length === 0) {
      await context.sendActivity(`No reminders are due in the next ${days} days.`);
      return;
    }
    const lines = upcoming
      .slice(0, 30)
      .map(
        (r) =>
          `- ${formatInstant(r.occasion.at.toISOString(), this.services.calendar)}: ${r.caseId}, ${KIND_LABELS[r.occasion.kind]}`,
      );
    const more = upcoming.length > 30 ? `\n\n${upcoming.length - 30} more not shown.` : '';
    await context.sendActivity(`Reminders in the next ${days} days:\n\n${lines.join('\n')}${more}`);
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
    await this.services.cases.recordSetting(actor, 'snoozeReminders', true, {
      caseId: dsrCase.id,
      until: until.toISOString(),
      reason: intent.reason,
    });
    await context.sendActivity(
      `Reminders for ${dsrCase.id} are snoozed until ${formatInstant(until.toISOString(), this.services.calendar)} (${intent.reason}). Overdue reminders still go out, and the daily digest still lists it.`,
    );
  }
}

import type { Actor } from '../../dsr/case.js';
import type { Occasion } from '../../dsr/reminders/schedule.js';

export interface UpcomingReminder {
  occasion: Occasion;
  caseId: string;
  subjectName: string;
}

/** What the privacy team can ask of the reminders; the bot layer implements it. */
export interface ReminderCommands {
  upcoming(days: number): Promise<UpcomingReminder[]>;
  snooze(actor: Actor, caseId: string, until: Date, reason: string): Promise<void>;
}

import type { Logger } from 'pino';
import type { CaseService } from '../dsr/caseService.js';
import type { Clock } from '../dsr/clock.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import type { CaseNotifier } from './notifier.js';
import type { TeamDirectory } from './team.js';
import type { ReminderCommands } from './reminderCommands.js';

/** What the conversations need from the rest of the product, passed in by the composition root. */
export interface DsrServices {
  cases: CaseService;
  clock: Clock;
  calendar: OrgCalendar;
  log: Logger;
  notifier: CaseNotifier;
  team: TeamDirectory;
  /** Absent where reminders are not wired in (dialog tests). */
  reminders?: ReminderCommands;
}

import type { Logger } from 'pino';
import type { CaseService } from '../dsr/caseService.js';
import type { Clock } from '../dsr/clock.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import type { CaseNotifier } from './notifier.js';
import type { TeamDirectory } from './team.js';
import type { ReminderCommands } from './conversation/reminderCommands.js';
import type { LetterService } from '../dsr/letters/letterService.js';

/** Letters to the data subject, and the signed links their .eml and printable copies open at. */
export interface LetterDesk {
  service: LetterService;
  /** A link only `userId` can open, to `letter/<caseId>/<kind>.<eml|html>`. */
  link(caseId: string, file: string, userId: string): string;
}

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
  /** Absent where letters are not wired in (dialog tests). */
  letters?: LetterDesk;
}

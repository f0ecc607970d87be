import { pino } from 'pino';
import type { OrgCalendar } from '../../dsr/deadlines.js';
import { CaseService } from '../../dsr/caseService.js';
import { StaticRoleDirectory } from '../../dsr/roles.js';
import type { LowdbCaseStore } from '../../storage/lowdbStore.js';
import type { DsrServices } from '../../teams/services.js';

/**
 * The services a dialog test talks to: the case service on the given store at a fixed time, and a
 * notifier and team that deliver nothing, since these tests read only the dialog's own replies.
 */
export function dialogServices(store: LowdbCaseStore, now: Date, calendar: OrgCalendar): DsrServices {
  const cases = new CaseService(store, new StaticRoleDirectory([]), { now: () => now }, calendar);
  const notifier = {
    caseCreated: () => Promise.resolve(),
    caseNews: () => Promise.resolve(),
    approvalWaiting: () => Promise.resolve(),
    waitingPlace: () => Promise.resolve(undefined),
    usePrivacyChannel: () => Promise.resolve(0),
    rememberUser: () => Promise.resolve(),
    heardFrom: () => Promise.resolve(),
    tellUser: () => Promise.resolve(false),
    sendToUser: () => Promise.resolve(false),
    privacyChannelId: () => Promise.resolve(undefined),
  };
  const team = {
    members: () => Promise.resolve([]),
    remember: () => Promise.resolve(),
    namesOf: () => Promise.resolve(new Map<string, string>()),
  };
  return { cases, clock: { now: () => now }, calendar, log: pino({ level: 'silent' }), notifier, team };
}

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../app/config.js';
import { triageCard } from '../../cards/triageCard.js';
import type { DsrCase } from '../../dsr/case.js';
import { CaseService } from '../../dsr/caseService.js';
import type { OrgCalendar } from '../../dsr/deadlines.js';
import { OLD_DATE_QUESTION, validateIntake } from '../../dsr/intake.js';
import { DEFAULT_REMINDER_SETTINGS, ReminderSchedule } from '../../dsr/reminders/schedule.js';
import { StaticRoleDirectory } from '../../dsr/roles.js';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';
import { cardText } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';

const berlin: OrgCalendar = {
  timeZone: 'Europe/Berlin',
  holidays: [],
  workingDays: [1, 2, 3, 4, 5],
  publicHolidays: { country: 'DE', region: 'BE' },
  identityRequestDays: 7,
};
const alex = { id: 'alex', name: 'Alex Wilber' };
const megan = { id: 'megan', name: 'Megan Bowen' };
const adele = { id: 'adele', name: 'Adele Vance' };

describe('the legal clock of a case', () => {
  let dir: string;
  let store: LowdbCaseStore;
  let service: CaseService;
  let now: Date;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-clock-'));
    store = new LowdbCaseStore(dir);
    await store.open();
    now = new Date('2026-03-03T09:00:00Z');
    service = new CaseService(store, new StaticRoleDirectory(['megan', 'adele']), { now: () => now }, berlin);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function file(fields: Record<string, string> = {}): Promise<DsrCase> {
    const result = validateIntake(
      { subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org', requestTypes: 'access', ...fields },
      now,
      berlin.timeZone,
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    return (await service.createCase(alex, result.request)).case;
  }

  async function act(dsrCase: DsrCase, action: Parameters<CaseService['act']>[3], who = megan): Promise<DsrCase> {
    const result = await service.act(who, dsrCase.id, dsrCase.version, action);
    assert.ok(result.ok, !result.ok ? result.message : '');
    return result.case;
  }

  function text(dsrCase: DsrCase): string {
    const card = triageCard(dsrCase, now, berlin, [megan, adele]);
    assert.deepEqual(cardProblems(card), []);
    return cardText(card);
  }

  it('stops the clock between the day proof was asked for and the day it arrived, in whole days', async () => {
    let dsrCase = await file();
    assert.equal(dsrCase.dueAt, '2026-04-07T21:59:59.999Z', 'one month is Good Friday 3 April; Easter Monday follows');
    now = new Date('2026-03-05T14:00:00Z');
    dsrCase = await act(dsrCase, { kind: 'pauseClock', reason: 'A copy of an ID document' });
    now = new Date('2026-03-10T16:00:00Z');
    dsrCase = await act(dsrCase, { kind: 'resumeClock', arrivedOn: '2026-03-09' });
    assert.deepEqual(
      dsrCase.identityRequests.map((r) => [r.arrivedOn, r.daysAdded]),
      [['2026-03-09', 4]],
    );
    // 3 April plus 4 days is Tuesday 7 April; not moved by the hours of either day.
    assert.equal(dsrCase.dueAt, '2026-04-07T21:59:59.999Z');
    const shown = text(dsrCase);
    assert.match(shown, /Proof of identity asked for on Thu 5 Mar 2026, arrived on Mon 9 Mar 2026: 4 days added/);
    assert.match(shown, /Art\. 12\(6\)/);
    assert.match(shown, /Public holidays of Germany, Berlin/);
  });

  it('adds nothing when the proof arrives the day it was asked for', async () => {
    let dsrCase = await file();
    now = new Date('2026-03-04T08:00:00Z');
    dsrCase = await act(dsrCase, { kind: 'pauseClock', reason: 'ID' });
    now = new Date('2026-03-04T20:00:00Z');
    dsrCase = await act(dsrCase, { kind: 'resumeClock' });
    assert.equal(dsrCase.identityRequests[0]?.daysAdded, 0);
    assert.equal(dsrCase.dueAt, '2026-04-07T21:59:59.999Z');
  });

  it('refuses an arrival before the request for proof or in the future, and changes nothing', async () => {
    let dsrCase = await file();
    now = new Date('2026-03-05T10:00:00Z');
    dsrCase = await act(dsrCase, { kind: 'pauseClock', reason: 'ID' });
    for (const arrivedOn of ['2026-03-04', '2026-03-06', '5 March']) {
      const refused = await service.act(megan, dsrCase.id, dsrCase.version, { kind: 'resumeClock', arrivedOn });
      assert.equal(!refused.ok && refused.refusal, 'invalid-input', arrivedOn);
    }
    assert.notEqual((await store.getCase(dsrCase.id))!.pause, null);
  });

  it('flags a request for proof made later than DSR_IDENTITY_REQUEST_DAYS after receipt, and only then', async () => {
    const prompt = await file();
    now = new Date('2026-03-09T10:00:00Z');
    assert.doesNotMatch(text(await act(prompt, { kind: 'pauseClock', reason: 'ID' })), /without undue delay/);
    now = new Date('2026-03-03T09:00:00Z');
    const late = await file();
    now = new Date('2026-03-12T10:00:00Z');
    assert.match(
      text(await act(late, { kind: 'pauseClock', reason: 'ID' })),
      /first asked for 9 days after receipt, later than the 7 days .*without undue delay \(GDPR Art\. 12\(2\)\)/,
    );
  });

  it('shows the extension with its new date, and warns until the extension notice is sent', async () => {
    let dsrCase = await file();
    const refused = await service.act(megan, dsrCase.id, dsrCase.version, { kind: 'extend', reason: '  ' });
    assert.equal(!refused.ok && refused.refusal, 'invalid-input');
    dsrCase = await act(dsrCase, { kind: 'extend', reason: 'Records in six systems' });
    assert.equal(dsrCase.dueAt, '2026-06-03T21:59:59.999Z');
    assert.match(text(dsrCase), /New due date Wed 3 Jun 2026/);
    assert.match(text(dsrCase), /extension notice has not been sent.*by Tue 7 Apr 2026 \(GDPR Art\. 12\(3\)\)/);
  });

  it('refuses a request after its data was found, on a legal ground, but not after the response', async () => {
    let dsrCase = await file({ identityCheck: 'known-contact-details' });
    dsrCase = await act(dsrCase, { kind: 'verifyIdentity' });
    const checks = ['personIdentified', 'receiptRecorded', 'meetsRequirements', 'noConflict', 'informationAvailable'];
    dsrCase = await act(dsrCase, { kind: 'approve', checks } as never);
    assert.equal(dsrCase.status, 'approved');
    const declined = await act(dsrCase, {
      kind: 'decline',
      reason: 'manifestly-unfounded',
      explanation: 'Fourth copy this month',
    });
    assert.equal(declined.status, 'declined');
    assert.match(text(declined), /Manifestly unfounded or excessive \(Art\. 12\(5\)\)/);
  });

  it('records a request received long ago once the date is confirmed, overdue at once', async () => {
    now = new Date('2026-03-03T09:00:00Z');
    const unconfirmed = validateIntake(
      { subjectName: 'Maria', subjectEmails: 'm@example.org', requestTypes: 'access', receivedDate: '2024-11-20' },
      now,
      berlin.timeZone,
    );
    assert.equal(!unconfirmed.ok && unconfirmed.errors.receivedDate, OLD_DATE_QUESTION);
    const dsrCase = await file({ receivedDate: '2024-11-20', receivedConfirmed: 'true' });
    assert.equal(dsrCase.receivedAt, '2024-11-19T23:00:00.000Z');
    assert.ok(dsrCase.dueAt < now.toISOString());
    assert.match(text(dsrCase), /after its legal due date: overdue from the start/);
    assert.match(text(dsrCase), /overdue/);
  });

  it('tracks the CCPA confirmation of receipt with its own date and reminder', async () => {
    const gdpr = await file();
    assert.equal(gdpr.receiptConfirmation, undefined);
    let ccpa = await file({ regulation: 'CCPA' });
    // Tuesday 3 March: ten business days later is Tuesday 17 March (in Berlin time here).
    assert.deepEqual(ccpa.receiptConfirmation, { dueAt: '2026-03-17T22:59:59.999Z', sentAt: null });
    assert.match(
      text(ccpa),
      /Confirm receipt to the person by Tue 17 Mar 2026: 10 business days \(11 CCR § 7021\(a\)\)/,
    );
    const schedule = new ReminderSchedule(DEFAULT_REMINDER_SETTINGS, berlin);
    const first = schedule.between(ccpa, now, new Date('2026-03-20T00:00:00Z')).find((o) => o.kind === 'receipt');
    assert.equal(first?.at.toISOString(), '2026-03-16T08:00:00.000Z', 'the working day three days before');
    now = new Date('2026-03-10T09:00:00Z');
    ccpa = await act(ccpa, { kind: 'confirmReceipt' });
    assert.equal(ccpa.receiptConfirmation?.sentAt, now.toISOString());
    assert.equal(
      schedule.between(ccpa, now, new Date('2026-04-01T00:00:00Z')).some((o) => o.kind === 'receipt'),
      false,
    );
    const again = await service.act(megan, ccpa.id, ccpa.version, { kind: 'confirmReceipt' });
    assert.equal(!again.ok && again.refusal, 'invalid-input');
  });
});

describe('the holiday calendar setting', () => {
  it('stops the start with the variable and the gap when the country or region is unknown', () => {
    assert.throws(
      () => loadConfig({ DSR_HOLIDAY_COUNTRY: 'DE', DSR_HOLIDAY_REGION: 'XX' }),
      (error: Error) =>
        error instanceof ConfigError &&
        /DSR_HOLIDAY_REGION: expected "XX" is not a region of DE \(one of .*BY/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ DSR_HOLIDAY_COUNTRY: 'QQ' }),
      /DSR_HOLIDAY_COUNTRY: expected "QQ" is not a country/,
    );
    assert.throws(
      () => loadConfig({ DSR_HOLIDAY_REGION: 'BY' }),
      /DSR_HOLIDAY_REGION: expected DSR_HOLIDAY_COUNTRY set/,
    );
    assert.deepEqual(loadConfig({ DSR_HOLIDAY_COUNTRY: 'DE', DSR_HOLIDAY_REGION: 'BY' }).calendar.publicHolidays, {
      country: 'DE',
      region: 'BY',
    });
  });
});

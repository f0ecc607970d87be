import assert from 'node:assert/strict';
import type { AuditEvent } from '../../dsr/audit.js';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { alex, megan, type TeamsUser } from '../support/people.js';

describe('reminder commands for the privacy team', () => {
  let bot: BotHarness;

  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  async function fileCase(user: TeamsUser): Promise<string> {
    const replies = await bot.say(user, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const result = await bot.execute(user, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
  }

  it('shows the privacy team what will be sent, grouped by case and a page at a time, and no one else', async () => {
    const first = await fileCase(alex);
    const second = await fileCase(alex);
    const shown = String((await bot.say(megan, 'reminders 60 days'))[0]?.text);
    assert.match(shown, /page 1 of \d+ \(\d+ in all\)/);
    assert.match(
      shown,
      new RegExp(`\\*\\*${first}\\*\\* \\(Maria Garcia\\)\\n- .*: (deadline reminder|waiting for approval)`),
    );
    assert.equal(shown.split('\n').filter((line) => line.startsWith('- ')).length, 30, 'thirty entries a page');
    assert.equal(shown.match(new RegExp(`\\*\\*${first}\\*\\*`, 'g'))?.length, 1, 'each case once on a page');
    const total = Number(/\((\d+) in all\)/.exec(shown)![1]);
    const pages = Math.ceil(total / 30);
    const last = String((await bot.say(megan, `reminders 60 days page ${pages}`))[0]?.text);
    assert.equal(last.split('\n').filter((line) => line.startsWith('- ')).length, total - 30 * (pages - 1));
    assert.match(last, new RegExp(`${second}`));
    assert.match(String((await bot.say(megan, `reminders 60 days page ${pages + 1}`))[0]?.text), /only \d+ pages/);
    const refused = await bot.say(alex, 'reminders');
    assert.match(String(refused[0]?.text), /Only a member of the privacy team/);
    assert.doesNotMatch(String(refused[0]?.text), /Maria Garcia/);
  });

  it('words a single day in the singular', async () => {
    const none = String((await bot.say(megan, 'reminders 1 day'))[0]?.text);
    assert.match(none, /^No reminders are due in the next 1 day\.$|^Reminders in the next 1 day[:,]/);
  });

  it('tells the privacy team about "reminders" and "snooze" in help', async () => {
    const help = String((await bot.say(megan, 'help'))[0]?.text);
    assert.match(help, /\*\*reminders\*\*/);
    assert.match(help, /\*\*snooze DSR-/);
  });

  it("hides a snoozed case's reminders until the snooze ends, and puts the snooze on the case's trail", async () => {
    const caseId = await fileCase(alex);
    const before = String((await bot.say(megan, 'reminders 3 days'))[0]?.text);
    assert.match(before, /No reminders|waiting for approval/);
    const all = String((await bot.say(megan, 'reminders 40 days'))[0]?.text);
    assert.match(all, new RegExp(caseId));
    await bot.say(megan, `snooze ${caseId} for 10 days because waiting for HR records`);
    const after = String((await bot.say(megan, 'reminders 9 days'))[0]?.text);
    assert.doesNotMatch(after, new RegExp(caseId), 'nothing of the case is listed while it is snoozed');
    const later = String((await bot.say(megan, 'reminders 40 days'))[0]?.text);
    assert.match(later, new RegExp(caseId), 'what comes after the snooze is listed');
    const trail = String((await bot.say(megan, `audit ${caseId}`)).map((a) => JSON.stringify(a)).join('\n'));
    assert.match(trail, /snooze/i);
  });

  it('snoozes a case with a reason and records who did it', async () => {
    const caseId = await fileCase(alex);
    const missing = await bot.say(megan, `snooze ${caseId}`);
    assert.match(String(missing[0]?.text), /Say which case and why/);
    const done = await bot.say(megan, `snooze ${caseId} for 5 days because waiting for HR records`);
    assert.match(
      String(done[0]?.text),
      new RegExp(`Reminders for ${caseId} are snoozed until .*waiting for HR records`),
    );
    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents()) events.push(event);
    const snooze = events.find((e) => e.action === 'snoozeReminders');
    assert.equal(snooze?.outcome, 'applied');
    assert.equal(snooze?.caseId, caseId, "the snooze is on the case's trail");
    assert.equal(snooze?.actorId, megan.aadObjectId);
  });
});

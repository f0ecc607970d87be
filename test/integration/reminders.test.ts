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

  it('shows the privacy team one entry per case, naming the person, and no one else', async () => {
    const first = await fileCase(alex);
    const second = await fileCase(alex);
    const shown = String((await bot.say(megan, 'reminders 60 days'))[0]?.text);
    assert.match(shown, /^Reminders in the next 60 days, by case:/);
    const entries = shown.split('\n').filter((line) => line.startsWith('- '));
    assert.equal(entries.length, 2, 'one entry per case, however many reminders each has');
    const entry = entries.find((line) => line.includes(first))!;
    assert.match(entry, new RegExp(`^- \\*\\*${first}\\*\\*, Maria Garcia: `));
    // Its deadline reminders by date, and the daily reminders while it waits for approval as one run.
    assert.match(entry, /deadline reminders on \d{1,2} \w{3}, \d{1,2} \w{3}/);
    assert.match(entry, /waiting for approval, a reminder every working day from \d{1,2} \w{3} to \d{1,2} \w{3}/);
    assert.match(entry, /overdue reminders every working day from/);
    assert.ok(entries.some((line) => line.includes(second)));
    assert.match(String((await bot.say(megan, 'reminders 60 days page 2'))[0]?.text), /only 1 pages/);
    const refused = await bot.say(alex, 'reminders');
    assert.match(String(refused[0]?.text), /Only a member of the privacy team/);
    assert.doesNotMatch(String(refused[0]?.text), /Maria Garcia/);
  });

  it('pages by case, fifteen cases a page', async () => {
    const filed: string[] = [];
    for (let n = 0; n < 17; n += 1) filed.push(await fileCase(alex));
    const shown = String((await bot.say(megan, 'reminders 60 days'))[0]?.text);
    assert.match(shown, /by case, page 1 of 2 \(17 cases in all\)/);
    assert.equal(shown.split('\n').filter((line) => line.startsWith('- ')).length, 15);
    assert.match(shown, /Next: \*\*reminders 60 days page 2\*\*/);
    const last = String((await bot.say(megan, 'reminders 60 days page 2'))[0]?.text);
    assert.equal(last.split('\n').filter((line) => line.startsWith('- ')).length, 2);
    for (const caseId of filed) assert.ok(`${shown}${last}`.includes(caseId), `${caseId} is listed once`);
  });

  it('speaks the reader’s language', async () => {
    await fileCase(alex);
    const before = bot.connector.sent(bot.personalConversation(megan)).length;
    await bot.post({ ...bot.base(megan), type: 'message', text: 'reminders 60 days', locale: 'fr-FR' });
    const text = String(bot.connector.sent(bot.personalConversation(megan))[before]?.text);
    assert.match(text, /^Rappels des 60 prochains jours, par dossier :/);
    assert.match(text, /Maria Garcia : .*rappels d'échéance les/);
  });

  it('words a single day in the singular', async () => {
    const none = String((await bot.say(megan, 'reminders 1 day'))[0]?.text);
    assert.match(none, /^No reminders are due in the next 1 day\.$|^Reminders in the next 1 day[:,]/);
  });

  it('tells the privacy team about "reminders" and "snooze" in help, and a requester what is theirs', async () => {
    const help = String((await bot.say(megan, 'help'))[0]?.text);
    assert.match(help, /As a member of the privacy team you can also:/);
    assert.match(help, /\*\*reminders\*\*: the deadline reminders coming up, grouped by case/);
    assert.match(help, /\*\*snooze DSR-/);
    assert.match(help, /\*\*new request\*\*/);
    const requester = String((await bot.say(alex, 'help'))[0]?.text);
    assert.match(requester, /\*\*new request\*\*/);
    assert.match(requester, /\*\*my requests\*\*/);
    assert.doesNotMatch(requester, /reminders|snooze|audit|privacy team you can/);
    assert.match(requester, /you hear from me when yours is decided or answered/);
  });

  it('gives help in the person’s language, with the commands that work in it', async () => {
    const before = bot.connector.sent(bot.personalConversation(megan)).length;
    await bot.post({ ...bot.base(megan), type: 'message', text: 'Hilfe', locale: 'de-DE' });
    const help = String(bot.connector.sent(bot.personalConversation(megan))[before]?.text);
    assert.match(help, /\*\*neue Anfrage\*\*/);
    assert.match(help, /Als Mitglied des Datenschutzteams/);
    assert.match(help, /\*\*reminders\*\*: die anstehenden Fristerinnerungen, nach Fall gruppiert/);
    // The German command the help names is the one the bot understands.
    const form = await bot.post({ ...bot.base(alex), type: 'message', text: 'neue Anfrage', locale: 'de-DE' });
    assert.equal(form.status < 300, true);
    assert.ok(cardOf(bot.connector.sent(bot.personalConversation(alex)).at(-1)), 'the intake form came');
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

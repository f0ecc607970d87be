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

  it('shows the privacy team what will be sent, and no one else', async () => {
    const caseId = await fileCase(alex);
    const shown = await bot.say(megan, 'reminders 40 days');
    assert.match(String(shown[0]?.text), new RegExp(`${caseId}, deadline reminder`));
    assert.match(String(shown[0]?.text), new RegExp(`${caseId}, waiting for approval`));
    const refused = await bot.say(alex, 'reminders');
    assert.match(String(refused[0]?.text), /Only a member of the privacy team/);
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
    assert.equal(snooze?.actorId, megan.aadObjectId);
  });
});

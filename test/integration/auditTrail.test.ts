import assert from 'node:assert/strict';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { adele, alex, megan } from '../support/people.js';

describe('the audit trail as the privacy team reads it, through the real server', function () {
  this.timeout(60_000);
  let bot: BotHarness;
  const flow = new CaseFlow(() => bot);

  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  /** A case whose trail runs over two pages: filed, approved, then twenty presses of a forged button. */
  async function longTrail(): Promise<string> {
    const caseId = await flow.file(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    await bot.say(adele, 'help');
    await flow.approve(caseId, alex);
    for (let n = 0; n < 20; n += 1) await flow.press(adele, 'plan.explode', caseId);
    return caseId;
  }

  it('shows each event in words with names, fifteen to a page, and pages on', async () => {
    const caseId = await longTrail();
    const first = cardOf((await bot.say(megan, `audit ${caseId}`))[0])!;
    const text = cardText(first);
    assert.match(text, new RegExp(`Audit trail of ${caseId}`));
    assert.match(text, /Page 1 of 2, 2\d events in all/);
    assert.match(text, /Alex Wilber filed the request/);
    assert.match(text, /Megan Bowen verified the person's identity/);
    assert.match(text, /Megan Bowen approved the request/);
    assert.doesNotMatch(text, /a1e7c0de|applied|verifyIdentity/, 'no ids, outcomes or action names');
    // Times in the organisation's zone, with its name (Europe/Berlin in the test deployment).
    assert.match(text, /\d{2}:\d{2} (CET|CEST|GMT[+-]\d+)/);

    const actions = first.actions as Array<{ title: string; verb: string; data: Record<string, unknown> }>;
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Next page'],
    );
    const second = cardText(invokeCard(await bot.execute(megan, actions[0]!.verb, actions[0]!.data)));
    assert.match(second, /Page 2 of 2/);
    assert.match(second, /Adele Vance tried to act on the plan, and was refused: what was entered was not valid\./);
    assert.equal(second, cardText(cardOf((await bot.say(megan, `audit ${caseId} page 2`))[0])));

    const beyond = await bot.say(megan, `audit ${caseId} page 7`);
    assert.match(String(beyond[0]?.text), new RegExp(`has 2 pages; try \\*\\*audit ${caseId} page 2\\*\\*`));
  });

  it('speaks the reader’s language', async () => {
    const caseId = await longTrail();
    const activity = { ...bot.base(megan), type: 'message', text: `audit ${caseId}`, locale: 'de-DE' };
    const before = bot.connector.sent(bot.personalConversation(megan)).length;
    await bot.post(activity);
    const text = cardText(cardOf(bot.connector.sent(bot.personalConversation(megan))[before]));
    assert.match(text, new RegExp(`Prüfprotokoll zu ${caseId}`));
    assert.match(text, /Alex Wilber hat die Anfrage erfasst/);
    assert.match(text, /Nächste Seite/);
  });

  it('turns no page for someone outside the privacy team, and records the attempt', async () => {
    const caseId = await longTrail();
    const refused = await bot.execute(alex, 'audit.page', { caseId, page: 2 });
    assert.match(JSON.stringify(refused.body), /Only the privacy team can read the audit trail/);
    assert.doesNotMatch(JSON.stringify(refused.body), /Adele|Megan|Maria/);
    const last = [];
    for await (const event of bot.app.store.auditEvents(caseId)) last.push(event);
    assert.equal(last.at(-1)!.action, 'audit.page');
    assert.equal(last.at(-1)!.outcome, 'refused');
  });
});

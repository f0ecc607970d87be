import assert from 'node:assert/strict';
import type { Connector, SystemFindings } from '../../dsr/discovery.js';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { CaseFlow } from '../support/caseFlow.js';
import { megan, alex } from '../support/people.js';

const MARIA = 'maria.garcia@example.org';
const CARD = 'plan-card';

/** A system that holds one contact of Maria's and exports it; `gate` holds its records back. */
function exportingSystem(id: string, displayName: string, gate?: Promise<void>): Connector {
  const findings: SystemFindings = {
    systemId: id,
    displayName,
    status: 'found',
    counts: { contact: 1 },
    records: [{ kind: 'contact', id: `${id}-1`, fields: { name: 'Maria Garcia' }, matchedOn: ['email'] }],
    queries: [],
    at: new Date().toISOString(),
    durationMs: 1,
  };
  return {
    info: { id, displayName, capabilities: ['find', 'export'], manualSteps: {} },
    connected: true,
    find: () => Promise.resolve({ ...findings, at: new Date().toISOString() }),
    exportRecords: () =>
      Promise.resolve([
        {
          kind: 'contact',
          records: async function* () {
            await gate;
            yield { id: `${id}-1`, name: 'Maria Garcia', email: MARIA };
          },
        },
      ]),
  };
}

describe('the package build shows how far it has come on the card that asked for it', () => {
  let bot: BotHarness;
  let letGo: () => void;
  afterEach(async () => {
    letGo();
    await bot.stop();
  });

  const flow = new CaseFlow(() => bot, CARD);
  const updates = () =>
    bot.connector.calls
      .filter((c) => c.method === 'PUT' && c.activityId === CARD)
      .map((c) => cardOf(c.body))
      .filter((card) => card !== undefined);

  async function start(): Promise<void> {
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    bot = await new BotHarness(
      {},
      {
        // The last system answers only when the test lets it, so the build is seen midway.
        connectors: [
          exportingSystem('crm', 'Dynamics 365 Customer Engagement'),
          exportingSystem('bc', 'Dynamics 365 Business Central'),
          exportingSystem('hr', 'Dynamics 365 Human Resources', gate),
        ],
        // The card moves at most every 200 ms, so the test sees it move without a long wait.
        changeRun: { progressEvery: { records: 200, ms: 200 } },
      },
    ).start();
    await bot.say(megan, 'help');
  }

  it('counts the systems written while it builds, then shows the step done', async function () {
    this.timeout(60_000);
    await start();
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: MARIA,
      requestTypes: 'access',
    });
    const before = updates().length;
    const pressed = invokeCard(await flow.press(megan, 'plan.preparePackage', caseId, { stepId: 'package' }));
    assert.match(cardText(pressed), /Preparing the package; it will come to you in a private chat/);

    // The two systems that answered are written; the third is still being read.
    const midway = await bot.connector.waitFor(
      () =>
        updates()
          .slice(before)
          .find((card) => /Building the package: 2 of 3 systems\./.test(cardText(card))),
      20_000,
    );
    assert.match(cardText(midway), /Prepare the package for the data subject\*\* · by the bot: Running/);
    assert.deepEqual(cardProblems(midway), []);

    letGo();
    const done = await bot.connector.waitFor(
      () =>
        updates()
          .slice(before)
          .find((card) => /Prepare the package for the data subject\*\* · by the bot: Done/.test(cardText(card))),
      20_000,
    );
    assert.doesNotMatch(cardText(done), /Building the package/);
    assert.equal(updates().at(-1), done, 'the end is the last the card shows');
    // The package itself still comes to the private chat.
    await bot.connector.waitFor(
      () => bot.connector.sent(bot.personalConversation(megan)).find((a) => /package for/.test(String(a.text))),
      20_000,
    );
  });

  it('counts them in the language of the one who asked', async function () {
    this.timeout(60_000);
    await start();
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: MARIA,
      requestTypes: 'access',
    });
    const before = updates().length;
    await flow.press(megan, 'plan.preparePackage', caseId, { stepId: 'package' }, 'de-DE');
    const midway = await bot.connector.waitFor(
      () =>
        updates()
          .slice(before)
          .find((card) => /Das Paket wird erstellt: 2 von 3 Systemen\./.test(cardText(card))),
      20_000,
    );
    assert.match(cardText(midway), /Paket für die betroffene Person zusammenstellen\*\* · /);
    letGo();
    // The plan that replaces the progress at the end is in her language too.
    await bot.connector.waitFor(
      () =>
        updates()
          .slice(before)
          .find((card) =>
            /Paket für die betroffene Person zusammenstellen\*\* · durch den Bot: Erledigt/.test(cardText(card)),
          ),
      20_000,
    );
    assert.ok(
      !updates()
        .slice(before)
        .some((card) => /by the bot: Done/.test(cardText(card))),
    );
  });
});

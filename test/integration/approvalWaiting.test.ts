import assert from 'node:assert/strict';
import { pino } from 'pino';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { FakeChangeSystem, fakeInfo } from '../support/fakeChangeSystem.js';
import { adele, alex, isaiah, megan, PRIVACY_TEAM_IDS, type TeamsUser } from '../support/people.js';

/** The id Teams gave the plan card in the case's thread, as a press sends it in replyToId. */
const PLAN_CARD_ID = '1767225600123';

describe('telling the other privacy officers that a preview waits for them, through the real server', function () {
  this.timeout(60_000);
  let bot: BotHarness;
  let logLines: string[];
  const flow = new CaseFlow(() => bot, PLAN_CARD_ID);

  beforeEach(async () => {
    const crm = new FakeChangeSystem(fakeInfo('crm', 'Dynamics 365 Customer Engagement'), [
      {
        kind: 'contact',
        id: 'c1',
        fields: { name: 'Maria Garcia', emailaddress1: 'maria@old.example' },
        etag: 1,
        order: 1,
      },
    ]);
    // Isaiah is on the team too, but has never written to the bot in 1:1.
    logLines = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    bot = await new BotHarness(
      { DSR_PRIVACY_TEAM_IDS: [...PRIVACY_TEAM_IDS, isaiah.aadObjectId].join(',') },
      { connectors: [crm.connector()] },
      log,
    ).start();
    await bot.say(megan, 'help');
    await bot.say(adele, 'help');
  });
  afterEach(() => bot.stop());

  const notices = (user: TeamsUser) =>
    bot.connector
      .sent(bot.personalConversation(user))
      .map((activity) => cardOf(activity))
      .filter((card) => card !== undefined && JSON.stringify(card).includes('"team.waiting"'));

  async function previewed(): Promise<{ caseId: string; hash: string }> {
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria@old.example',
      requestTypes: 'delete',
    });
    assert.match(await flow.card(megan, 'plan.preview', caseId, { stepId: 'delete:crm' }), /Preview ready/);
    const hash = (await flow.step(caseId, 'delete:crm'))!.preview!.hash;
    await bot.connector.waitFor(() => (notices(adele).length > 0 ? true : undefined), 20_000);
    return { caseId, hash };
  }

  it('tells every other officer once, in their 1:1 chat, with a button to the preview; never the one who made it', async () => {
    const { caseId } = await previewed();
    const [notice] = notices(adele);
    assert.match(
      cardText(notice),
      new RegExp(`Megan Bowen previewed the erasure in Dynamics 365 Customer Engagement for ${caseId}`),
    );
    assert.match(cardText(notice), /Data subject: Maria Garcia/);
    const open = (notice!.actions as Array<{ type: string; title: string; url?: string }>).find(
      (a) => a.type === 'Action.OpenUrl',
    );
    // The card's own message in the case's thread (Learn, "Deep link to navigate to channel conversation").
    assert.equal(
      open?.url,
      `https://teams.microsoft.com/l/message/${encodeURIComponent('19:privacy-requests@thread.tacv2')}/${PLAN_CARD_ID}?tenantId=tenant-1&parentMessageId=2`,
    );
    assert.equal(notices(megan).length, 0, 'the one who made the preview is not asked to approve it');
    assert.equal(bot.connector.sent(bot.personalConversation(isaiah)).length, 0, 'no 1:1 chat yet: skipped');
    const skipped = logLines.filter((line) => line.includes('has no 1:1 chat with the bot yet; not told what waits'));
    assert.equal(skipped.length, 1);
    assert.equal((JSON.parse(skipped[0]!) as { caseId: string }).caseId, caseId);
    assert.doesNotMatch(skipped[0]!, /Isaiah|Maria|a1e7c0de/, 'the case id only');

    // Teams sends the same press again, and a second instance reports the same preview: one message still.
    assert.match(await flow.card(megan, 'plan.preview', caseId, { stepId: 'delete:crm' }), /Preview ready/);
    const dsrCase = (await bot.app.store.getCase(caseId))!;
    const waiting = { kind: 'step', stepId: 'delete:crm', hash: dsrCase.plan!.steps[0]!.preview!.hash } as const;
    await bot.app.services.notifier.approvalWaiting(dsrCase, waiting, { reference: {} });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(notices(adele).length, 1, 'no duplicate on retry');
  });

  it('shows the live state when pressed: waiting, then approved by whom', async () => {
    const { caseId, hash } = await previewed();
    const [notice] = notices(adele);
    const status = (notice!.actions as Array<{ type: string; verb?: string; data?: Record<string, unknown> }>).find(
      (a) => a.verb === 'team.waiting',
    )!;
    const refresh = (notice!.refresh as { action: { verb: string } }).action;
    assert.equal(refresh.verb, status.verb, 'the card refreshes itself when shown while it waits');

    const waiting = cardText(invokeCard(await bot.execute(adele, status.verb!, status.data!)));
    assert.match(waiting, /waits for a second privacy officer's approval/);

    assert.match(
      await flow.card(adele, 'plan.approve', caseId, { stepId: 'delete:crm', previewHash: hash }),
      /Approved/,
    );
    const after = invokeCard(await bot.execute(adele, status.verb!, status.data!));
    assert.match(cardText(after), /Approved by Adele Vance; it can now be applied\./);
    assert.equal(after.refresh, undefined, 'a settled card stops refreshing');
    assert.ok(
      (after.actions as Array<{ type: string }>).every((a) => a.type === 'Action.OpenUrl'),
      'only the button that opens it is left',
    );
  });

  it('opens the plan in the chat with the Approve button, which still checks the preview it names', async () => {
    const { caseId, hash } = await previewed();
    const [notice] = notices(adele);
    const actions = notice!.actions as Array<{
      type: string;
      title: string;
      verb?: string;
      data?: Record<string, unknown>;
    }>;
    const open = actions.find((a) => a.title === 'Show the plan')!;
    assert.equal(actions[0], open, 'the first button: what she came for');
    const plan = invokeCard(await bot.execute(adele, open.verb!, open.data!));
    assert.match(cardText(plan), new RegExp(`Plan for ${caseId}`));
    assert.ok(JSON.stringify(plan).includes(hash), 'the Approve button carries the preview hash');
    // Approving still names the preview: a changed one is refused, the one shown is approved.
    assert.doesNotMatch(
      await flow.card(adele, 'plan.approve', caseId, { stepId: 'delete:crm', previewHash: 'f'.repeat(64) }),
      /^Approved/,
    );
    assert.equal((await flow.step(caseId, 'delete:crm'))!.approval, undefined, 'nothing approved');
    // Someone outside the team who gets hold of the card sees nothing of the case.
    const outsider = await bot.execute(alex, open.verb!, open.data!);
    assert.doesNotMatch(JSON.stringify(outsider.body), /Maria/);
  });

  it('shows nothing to someone outside the privacy team, and refuses a forged card', async () => {
    const { caseId, hash } = await previewed();
    const data = { caseId, waiting: 'step', stepId: 'delete:crm', hash };
    const outsider = await bot.execute(alex, 'team.waiting', data);
    assert.match(JSON.stringify(outsider.body), /Only the privacy team can open this/);
    assert.doesNotMatch(JSON.stringify(outsider.body), /Maria/);
    const forged = await bot.execute(adele, 'team.waiting', { ...data, hash: 'not-a-hash' });
    assert.match(JSON.stringify(forged.body), /does not say what waits for approval/);
    // A link that is not a Teams message link never comes back as a button.
    const phished = invokeCard(
      await bot.execute(adele, 'team.waiting', { ...data, link: 'https://attacker.example/' }),
    );
    assert.doesNotMatch(JSON.stringify(phished), /attacker/);
  });

  it('speaks the language the officer last wrote in', async () => {
    await bot.post({ ...bot.base(adele), type: 'message', text: 'Hilfe', locale: 'de-DE' });
    const { caseId } = await previewed();
    const [notice] = notices(adele);
    assert.match(
      cardText(notice),
      new RegExp(
        `Megan Bowen hat die Vorschau für die Löschung in Dynamics 365 Customer Engagement in ${caseId} erstellt`,
      ),
    );
    assert.match(cardText(notice), /Aktuellen Stand zeigen/);
  });
});

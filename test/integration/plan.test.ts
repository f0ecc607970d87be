import assert from 'node:assert/strict';
import { TRIAGE_CHECKS } from '../../dsr/case.js';
import type { AuditEvent } from '../../dsr/audit.js';
import type { ExportManifest } from '../../storage/exportPackage/index.js';
import { bcSeed, crmSeed, subjects } from '../../sandbox/index.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sweepPackages } from '../../dsr/runs/packageRun.js';
import { BotHarness, cardOf, cardText, invokeCard, type PostResult } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { CaseFlow } from '../support/caseFlow.js';
import { parseCsv, readZip } from '../support/packageReaders.js';
import { adele, alex, isaiah, megan, type TeamsUser } from '../support/people.js';

const CHANNEL = '19:privacy-requests@thread.tacv2';
const THREAD = `${CHANNEL};messageid=2`;
const allChecks = Object.fromEntries(TRIAGE_CHECKS.map((check) => [check, 'true']));
const maria = subjects.mariaGarcia;

function press(bot: BotHarness, user: TeamsUser, verb: string, data: Record<string, unknown>): Promise<PostResult> {
  return bot.post({
    ...bot.base(user, THREAD),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: 'card-1',
    value: { action: { type: 'Action.Execute', verb, data } },
  });
}

const statusOf = (result: PostResult) => (result.body as { statusCode: number }).statusCode;

describe('the plan: from findings to the response', () => {
  let bot: BotHarness;
  afterEach(() => bot.stop());

  const version = async (caseId: string) => (await bot.app.store.getCase(caseId))!.version;
  const act = async (user: TeamsUser, verb: string, caseId: string, extra: Record<string, unknown> = {}) =>
    press(bot, user, verb, { caseId, version: await version(caseId), ...extra });

  async function foundCase(requestTypes = 'access,delete'): Promise<string> {
    const replies = await bot.say(alex, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const filed = await bot.execute(alex, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: 'Maria Garcia',
      subjectEmails: maria.email,
      requestTypes,
    });
    const caseId = /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(filed)))![0];
    await bot.execute(megan, 'triage.verifyIdentity', { caseId, version: await version(caseId) }, THREAD);
    await bot.execute(adele, 'triage.approve', { caseId, version: await version(caseId), ...allChecks }, THREAD);
    await act(megan, 'discovery.find', caseId);
    // The search ends by updating its card with the findings saved on the case.
    await bot.connector.waitFor(
      () => bot.connector.calls.find((c) => c.method === 'PUT' && /Findings for/.test(JSON.stringify(c.body))),
      20_000,
    );
    // The sandbox's other Maria Garcia is found by her name alone; Megan sees she is someone else.
    assert.equal(await new CaseFlow(() => bot, 'card-1').setAsideCandidates(megan, caseId), 3);
    return caseId;
  }

  it('plans Maria Garcia’s access and erasure, delivers the package privately, and responds once all is settled', async function () {
    this.timeout(60_000);
    bot = await new BotHarness().start();
    await bot.say(megan, 'help');
    const caseId = await foundCase();

    const findings = invokeCard(await act(megan, 'discovery.show', caseId));
    assert.match(cardText(findings), /Make the plan/);

    for (const user of [alex, isaiah]) {
      const refused = await act(user, 'plan.create', caseId);
      assert.notEqual(statusOf(refused), 200, `${user.name} may not make the plan`);
    }
    const planned = invokeCard(await act(megan, 'plan.create', caseId));
    const text = cardText(planned);
    assert.deepEqual(cardProblems(planned, { 'plan.preparePackage': ['caseId', 'version', 'stepId'] }), []);
    assert.match(text, /Prepare the package for the data subject\*\* · by the bot: To do/);
    assert.match(
      text,
      /Delete the person's data in Dynamics 365 Customer Engagement\*\* · by the bot: Waiting for approval/,
    );
    // Nothing was found in Human Resources: its steps are folded into one line.
    assert.match(text, /\*\*Dynamics 365 Human Resources\*\*[\s\S]*?Do not apply: copy, erasure\./);
    assert.doesNotMatch(text, /Human Resources\*\* · by the bot: Not applicable/);
    assert.match(text, /Export system-generated logs \(Data Log Export\)\*\* · by hand: To do/);
    assert.match(text, /servicetrust\.microsoft\.com/);
    assert.match(text, /Social Engagement\*\* · by hand: To do/);
    assert.doesNotMatch(text, /Respond/);
    const saved = (await bot.app.store.getCase(caseId))!;
    assert.equal(saved.status, 'actions');

    for (const user of [alex, isaiah]) {
      for (const [verb, extra] of [
        ['plan.preparePackage', { stepId: 'package' }],
        ['plan.tick', { stepId: 'access:logs' }],
        ['plan.respond', {}],
        ['plan.show', {}],
      ] as const) {
        assert.notEqual(statusOf(await act(user, verb, caseId, extra)), 200, `${user.name} may not ${verb}`);
      }
    }

    // As if a previous process had started the package and stopped midway.
    const megansId = { id: megan.aadObjectId, name: megan.name };
    await bot.app.services.cases.act(megansId, caseId, await version(caseId), { kind: 'startStep', stepId: 'package' });
    assert.match(cardText(invokeCard(await act(megan, 'plan.show', caseId))), /Running/);
    const preparing = invokeCard(await act(megan, 'plan.preparePackage', caseId, { stepId: 'package' }));
    assert.match(cardText(preparing), /private chat/);
    const delivered = await bot.connector.waitFor(
      () => bot.connector.sent(bot.personalConversation(megan)).find((a) => /package for/.test(String(a.text))),
      30_000,
    );
    assert.equal(
      bot.connector.calls.some(
        (c) => c.conversationId?.startsWith(CHANNEL) && /downloads\/package/.test(JSON.stringify(c.body)),
      ),
      false,
      'the link never goes into the channel',
    );
    const link = /\((https?:[^)]+)\)/.exec(String(delivered.text))![1]!.replace('localhost', '127.0.0.1');
    assert.equal((await fetch(link.replace(`u=${megan.aadObjectId}`, `u=${adele.aadObjectId}`))).status, 403);
    const response = await fetch(link);
    assert.equal(response.status, 200);
    const zip = await readZip(Buffer.from(await response.arrayBuffer()));
    const manifest = JSON.parse(zip.get('manifest.json')!.toString('utf8')) as ExportManifest;
    const kinds = (system: string) =>
      Object.fromEntries(manifest.systems.find((s) => s.system === system)!.kinds.map((k) => [k.kind, k.records]));
    const activities = crmSeed.activities.filter((a) => a._regardingobjectid_value === maria.crmContactId).length;
    const invoices = bcSeed.salesInvoices.filter((i) => i.customerId === maria.bcCustomerId).length;
    assert.equal(kinds('crm').contact, 1);
    assert.equal(kinds('crm').activity, activities);
    assert.equal(kinds('bc')['sales invoice'], invoices);
    assert.ok(manifest.exclusions.some((e) => e.system === 'social'));
    // Marketing interactions come from their own API, and are in the package like every other kind.
    assert.equal(
      kinds('crm')['marketing interaction'],
      crmSeed.interactions.filter((i) => i.ContactId === maria.crmContactId).length,
    );
    assert.ok(!manifest.exclusions.some((e) => e.system === 'crm'), JSON.stringify(manifest.exclusions));
    for (const system of manifest.systems) {
      for (const kind of system.kinds) {
        for (const file of kind.files) {
          const content = zip.get(file.path)!.toString('utf8');
          const rows =
            file.format === 'json'
              ? (JSON.parse(content) as unknown[]).length
              : Math.max(0, parseCsv(content).length - 1);
          assert.equal(rows, kind.records, file.path);
        }
      }
    }

    let current = (await bot.app.store.getCase(caseId))!;
    assert.equal(current.plan!.steps.find((s) => s.id === 'package')!.state, 'done');
    for (const step of current.plan!.steps.filter((s) => s.mode === 'guided' && s.state === 'todo')) {
      const ticked = invokeCard(
        await act(megan, 'plan.tick', caseId, {
          stepId: step.id,
          [`note.${step.id}`]: 'Done in the portal',
          evidence: 'https://contoso.sharepoint.com/sites/privacy/evidence.xlsx',
        }),
      );
      assert.match(cardText(ticked), /Marked done/);
    }
    current = (await bot.app.store.getCase(caseId))!;
    const waiting = current.plan!.steps.filter((s) => s.state === 'waiting-approval');
    assert.ok(waiting.length > 0, 'erasure is left, waiting for approval');
    const early = invokeCard(await act(megan, 'plan.respond', caseId));
    assert.match(cardText(early), /still open/);
    assert.equal((await bot.app.store.getCase(caseId))!.status, 'actions');

    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    const actions = events.filter((e) => e.outcome === 'applied').map((e) => e.action);
    for (const expected of ['createPlan', 'startStep', 'failStep', 'completeStep', 'tickStep', 'downloadPackage'])
      assert.ok(actions.includes(expected), expected);
    assert.doesNotMatch(JSON.stringify(events), /Maria|example\.org/);
  });

  it('sends the package link to a member whose 1:1 chat only ever had the app installed in it, and updates the card that asked for it', async function () {
    this.timeout(60_000);
    bot = await new BotHarness().start();
    // Teams tells the bot of the install with a conversation update; Megan never writes there.
    const installed = await bot.post({
      ...bot.base(megan),
      type: 'conversationUpdate',
      membersAdded: [{ id: megan.id, aadObjectId: megan.aadObjectId }],
    });
    assert.ok(installed.status < 300, String(installed.status));
    assert.match(String(bot.connector.sent(bot.personalConversation(megan))[0]?.text), /Hello!/);
    const caseId = await foundCase();
    await act(megan, 'plan.create', caseId);
    assert.match(
      cardText(invokeCard(await act(megan, 'plan.preparePackage', caseId, { stepId: 'package' }))),
      /private chat/,
    );
    const delivered = await bot.connector.waitFor(
      () => bot.connector.sent(bot.personalConversation(megan)).find((a) => /package for/.test(String(a.text))),
      30_000,
    );
    assert.match(String(delivered.text), /Download it/);
    // The card that asked for the package shows it done, with buttons bound to the case as it now is.
    const updated = await bot.connector.waitFor(
      () =>
        bot.connector.calls.find(
          (c) =>
            c.method === 'PUT' &&
            /Prepare the package for the data subject\*\* · by the bot: Done/.test(JSON.stringify(c.body)),
        ),
      30_000,
    );
    assert.match(JSON.stringify(updated.body), new RegExp(`"version":${await version(caseId)}\\b`));
  });

  it('offers "Respond" once every step is done or explained, and the package expires with its link', async function () {
    this.timeout(60_000);
    let now = new Date();
    bot = await new BotHarness({}, { clock: { now: () => now } }).start();
    await bot.say(adele, 'help');
    const caseId = await foundCase('access');
    await act(adele, 'plan.create', caseId);
    await act(adele, 'plan.preparePackage', caseId, { stepId: 'package' });
    const delivered = await bot.connector.waitFor(
      () => bot.connector.sent(bot.personalConversation(adele)).find((a) => /package for/.test(String(a.text))),
      30_000,
    );
    const link = /\((https?:[^)]+)\)/.exec(String(delivered.text))![1]!.replace('localhost', '127.0.0.1');

    let card = invokeCard(await act(adele, 'plan.show', caseId));
    assert.doesNotMatch(cardText(card), /\bRespond\b/);
    const guided = (await bot.app.store.getCase(caseId))!.plan!.steps.filter((s) => s.mode === 'guided');
    assert.ok(guided.some((s) => s.id === 'access:logs'));
    for (const step of guided.filter((s) => s.state === 'todo')) {
      card = invokeCard(
        await act(adele, 'plan.tick', caseId, {
          stepId: step.id,
          note: 'Checked',
          link: 'https://files.example/evidence',
        }),
      );
    }
    assert.match(cardText(card), /Every step is done or explained/);
    // The response carries the person's link, so the reviewed package is released first: the plan
    // says so and offers no Respond until then, and a Respond pressed anyway is refused.
    assert.match(cardText(card), /Release the reviewed package, then the response can go out/);
    assert.doesNotMatch(cardText(card), /\bRespond\b/);
    const unreleased = invokeCard(await act(adele, 'plan.respond', caseId));
    assert.match(cardText(unreleased), /Release the reviewed package first/);
    assert.match(await new CaseFlow(() => bot).releasePackage(caseId), /Released/);
    assert.match(cardText(invokeCard(await act(adele, 'plan.show', caseId))), /\bRespond\b/);
    // Respond shows the response letter and waits for it to be sent: nothing is answered yet.
    const letterCard = invokeCard(await act(adele, 'plan.respond', caseId));
    assert.deepEqual(cardProblems(letterCard), []);
    const draft = cardText(letterCard);
    assert.match(draft, /Response for Maria Garcia/);
    assert.match(draft, /Dynamics 365 Customer Engagement/);
    assert.match(draft, /Purposes: Customer service/);
    assert.match(draft, /supervisory authority/);
    assert.equal((await bot.app.store.getCase(caseId))!.status, 'actions');
    // Without a mailbox (the tests give the bot no Graph connection) the team downloads the letter.
    const emlUrl = (letterCard.actions as Array<{ title: string; url?: string }>).find(
      (a) => a.title === 'Download .eml',
    )!.url!;
    const eml = await fetch(emlUrl);
    assert.equal(eml.status, 200);
    assert.equal(eml.headers.get('content-type'), 'message/rfc822');
    assert.match(await eml.text(), /^To: maria\.garcia@example\.org/m);
    const edited = invokeCard(
      await act(adele, 'letter.update', caseId, { letter: 'response', note: 'Your package follows by post.' }),
    );
    assert.match(cardText(edited), /Your package follows by post\./);
    const sent = invokeCard(
      await act(adele, 'letter.markSent', caseId, {
        letter: 'response',
        channel: 'email-client',
        note: 'Your package follows by post.',
      }),
    );
    assert.match(cardText(sent), /Response sent and recorded\. The case is responded/);
    const saved = (await bot.app.store.getCase(caseId))!;
    assert.equal(saved.status, 'responded');
    assert.match(saved.response!.summary, /Export system-generated logs \(Data Log Export\): done \(Checked\)/);
    const [letter] = saved.letters!;
    assert.equal(letter!.channel, 'email-client');
    assert.match(letter!.html, /Your package follows by post\./);
    assert.match(letter!.sha256, /^[0-9a-f]{64}$/);
    const trail: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) trail.push(event);
    const responding = trail.find((e) => e.action === 'respond' && e.outcome === 'applied')!;
    assert.equal(responding.detail.sha256, letter!.sha256);
    assert.ok(trail.some((e) => e.action === 'downloadLetter'));
    await bot.connector.waitFor(() =>
      bot.connector.sent(bot.personalConversation(alex)).find((a) => /was answered/.test(String(a.text))),
    );

    now = new Date(now.getTime() + 16 * 60 * 1000);
    const late = await fetch(link);
    assert.equal(late.status, 403);
    const packages = join(bot.dataDir, 'packages');
    assert.equal((await readdir(packages)).length, 1);
    await sweepPackages(packages, 15 * 60 * 1000, new Date(Date.now() + 16 * 60 * 1000));
    assert.deepEqual(await readdir(packages), []);
  });
});

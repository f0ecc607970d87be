import assert from 'node:assert/strict';
import { SET_ASIDE_INPUT, setAsideValue } from '../../cards/findingsCard.js';
import { TRIAGE_CHECKS } from '../../dsr/case.js';
import type { Connector, SystemFindings } from '../../dsr/discovery.js';
import { bcSeed, crmSeed, subjects } from '../../sandbox/index.js';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { adele, alex, megan, type TeamsUser } from '../support/people.js';

const CHANNEL = '19:privacy-requests@thread.tacv2';
const THREAD = `${CHANNEL};messageid=2`;
const allChecks = Object.fromEntries(TRIAGE_CHECKS.map((check) => [check, 'true']));
const maria = subjects.mariaGarcia;

async function fileCase(bot: BotHarness, user: TeamsUser, name: string, email: string): Promise<string> {
  const replies = await bot.say(user, 'new request');
  const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
  const result = await bot.execute(user, 'intake.submit', {
    intakeId: actions[0]!.data.intakeId,
    subjectName: name,
    subjectEmails: email,
    requestTypes: 'access,delete',
  });
  return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
}

async function version(bot: BotHarness, caseId: string): Promise<number> {
  return (await bot.app.store.getCase(caseId))!.version;
}

async function approve(bot: BotHarness, caseId: string): Promise<Record<string, unknown>> {
  await bot.execute(megan, 'triage.verifyIdentity', { caseId, version: await version(bot, caseId) }, THREAD);
  const approved = await bot.execute(
    adele,
    'triage.approve',
    { caseId, version: await version(bot, caseId), ...allChecks },
    THREAD,
  );
  return invokeCard(approved);
}

/** Presses a button on the card with the given message id, as Teams does. */
function press(bot: BotHarness, user: TeamsUser, verb: string, data: Record<string, unknown>, cardId: string) {
  return bot.post({
    ...bot.base(user, THREAD),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: cardId,
    value: { action: { type: 'Action.Execute', verb, data } },
  });
}

function updatesOf(bot: BotHarness, cardId: string): Array<Record<string, unknown>> {
  return bot.connector.calls
    .filter((c) => c.method === 'PUT' && c.activityId === cardId)
    .map((c) => cardOf(c.body)!)
    .filter((card) => card !== undefined);
}

describe('discovery: "Find data" on an approved case', () => {
  let bot: BotHarness;
  afterEach(() => bot.stop());

  it('searches every system of the sandbox and shows the findings with the seeded counts', async function () {
    this.timeout(30_000);
    bot = await new BotHarness().start();
    const caseId = await fileCase(bot, alex, 'Maria Garcia', maria.email);
    const approved = await approve(bot, caseId);
    assert.match(cardText(approved), /Find data/);
    assert.deepEqual(cardProblems(approved, { 'discovery.find': ['caseId', 'version'] }), []);

    const started = await press(
      bot,
      megan,
      'discovery.find',
      { caseId, version: await version(bot, caseId) },
      'card-1',
    );
    const progress = invokeCard(started);
    assert.match(cardText(progress), /0 of 8 systems done/);
    assert.deepEqual(cardProblems(progress), []);

    const final = await bot.connector.waitFor(
      () => updatesOf(bot, 'card-1').find((card) => /Findings for/.test(cardText(card))),
      20_000,
    );
    const text = cardText(final);
    const activities = crmSeed.activities.filter((a) => a._regardingobjectid_value === maria.crmContactId).length;
    const interactions = crmSeed.interactions.filter((i) => i.ContactId === maria.crmContactId).length;
    const invoices = bcSeed.salesInvoices.filter((i) => i.customerId === maria.bcCustomerId).length;
    assert.match(
      text,
      new RegExp(
        `Customer Engagement\\*\\*: Found \\(1 contact, 1 account with the person as primary contact, ${activities} activit(y|ies) \\([^)]*\\), 2 email or meeting participants, 1 note, ${interactions} marketing interactions\\)`,
      ),
    );
    assert.match(text, new RegExp(`Business Central\\*\\*: Found \\(1 customer, ${invoices} sales invoices\\)`));
    assert.match(text, /Finance and Operations\*\*: Found \(2 customers\)/);
    assert.match(text, /Human Resources\*\*: Nothing found/);
    assert.match(text, /Social Engagement\*\*: Not connected: search by hand/);
    assert.match(text, /Service Trust Portal/);
    assert.deepEqual(cardProblems(final, { 'discovery.setAside': ['caseId', 'version', 'findingsAt'] }), []);
    // Eight systems answering within moments update the card at the runs' pace, not once each
    // (each update counts against the conversation's Teams limits).
    const progressed = updatesOf(bot, 'card-1').filter((card) => /[1-8] of 8 systems done/.test(cardText(card)));
    assert.ok(progressed.length < 8, `${progressed.length} progress updates`);

    const saved = (await bot.app.store.getCase(caseId))!;
    assert.equal(saved.status, 'discovery');
    const fno = saved.findings!.systems.find((s) => s.systemId === 'fno')!;
    assert.deepEqual(fno.counts, { customer: 2 });

    const demf = fno.records.find((r) => r.fields.dataAreaId === 'demf')!;
    const marked = await press(
      bot,
      megan,
      'discovery.setAside',
      {
        caseId,
        version: saved.version,
        findingsAt: saved.findings!.updatedAt,
        [`${SET_ASIDE_INPUT}0`]: setAsideValue('fno', demf.id),
        // An unticked toggle sends "false", as the renderers do.
        [`${SET_ASIDE_INPUT}1`]: 'false',
      },
      'card-1',
    );
    assert.match(cardText(invokeCard(marked)), /Marked 1 record as not this person/);
    assert.match(cardText(invokeCard(marked)), /DE-0042.*\(not this person\)/);

    const back = invokeCard(await press(bot, megan, 'triage.refresh', { caseId }, 'card-1'));
    assert.match(cardText(back), /Show findings/);
    const shown = invokeCard(
      await press(bot, megan, 'discovery.show', { caseId, version: await version(bot, caseId) }, 'card-1'),
    );
    // The record set aside no longer counts as hers.
    assert.match(cardText(shown), /Finance and Operations\*\*: Found \(1 customer\)/);
    assert.match(cardText(shown), /DE-0042.*\(not this person\)/);
  });

  it('answers at once and keeps serving others while a slow system is searched; a failure offers a retry', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let fail = true;
    const findings = (id: string, status: SystemFindings['status']): SystemFindings => ({
      systemId: id,
      displayName: id === 'slow' ? 'Slow system' : 'Flaky system',
      status,
      counts: status === 'found' ? { contact: 1 } : {},
      records:
        status === 'found'
          ? [{ kind: 'contact', id: `${id}-1`, fields: { name: 'Maria Garcia' }, matchedOn: ['email' as const] }]
          : [],
      queries: [],
      at: new Date().toISOString(),
      durationMs: 1,
      ...(status === 'failed' ? { error: 'Flaky system failed with 503.' } : {}),
    });
    const connectors: Connector[] = [
      {
        info: { id: 'slow', displayName: 'Slow system', capabilities: ['find'], manualSteps: {} },
        connected: true,
        find: async () => {
          await gate;
          return findings('slow', 'found');
        },
      },
      {
        info: { id: 'flaky', displayName: 'Flaky system', capabilities: ['find'], manualSteps: {} },
        connected: true,
        find: () => Promise.resolve(findings('flaky', fail ? 'failed' : 'found')),
      },
    ];
    bot = await new BotHarness({}, { connectors }).start();
    const caseId = await fileCase(bot, alex, 'Maria Garcia', maria.email);
    await approve(bot, caseId);

    const started = await press(
      bot,
      megan,
      'discovery.find',
      { caseId, version: await version(bot, caseId) },
      'card-2',
    );
    assert.match(cardText(invokeCard(started)), /0 of 2 systems done/);
    // The flaky system's answer shows while the slow one is still searching.
    const partial = await bot.connector.waitFor(() =>
      updatesOf(bot, 'card-2').find((card) => /1 of 2 systems done/.test(cardText(card))),
    );
    assert.match(cardText(partial), /Still searching: Slow system/);
    const again = await press(bot, megan, 'discovery.find', { caseId, version: await version(bot, caseId) }, 'card-2');
    assert.match(JSON.stringify(again.body), /still running/);
    const status = await bot.say(alex, 'status');
    assert.match(JSON.stringify(status), new RegExp(caseId));

    release();
    const final = await bot.connector.waitFor(() =>
      updatesOf(bot, 'card-2').find((card) => /Findings for/.test(cardText(card))),
    );
    assert.match(cardText(final), /Flaky system\*\*: Could not search/);
    assert.match(cardText(final), /Retry this system/);

    fail = false;
    const before = updatesOf(bot, 'card-2').length;
    await press(
      bot,
      megan,
      'discovery.retry',
      { caseId, version: await version(bot, caseId), systemId: 'flaky' },
      'card-2',
    );
    const retried = await bot.connector.waitFor(() =>
      updatesOf(bot, 'card-2')
        .slice(before)
        .find((card) => /Findings for/.test(cardText(card))),
    );
    assert.match(cardText(retried), /Flaky system\*\*: Found \(1 contact\)/);
    assert.match(cardText(retried), /Slow system\*\*: Found \(1 contact\)/);
  });

  it('refuses "Find data" to someone outside the privacy team', async () => {
    bot = await new BotHarness().start();
    const caseId = await fileCase(bot, alex, 'Maria Garcia', maria.email);
    await approve(bot, caseId);
    const refused = await press(bot, alex, 'discovery.find', { caseId, version: await version(bot, caseId) }, 'card-3');
    assert.equal((refused.body as { statusCode: number }).statusCode, 403);
  });
});

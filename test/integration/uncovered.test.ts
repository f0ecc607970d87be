import assert from 'node:assert/strict';
import { startSandboxBot } from '../support/sandboxBot.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import type { BotHarness } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { adele, alex, megan } from '../support/people.js';

const FAST_RETRY = { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };

/** A system whose search failed stays on the plan and in the response: nothing drops out unsaid. */
describe('a system the bot could not search', () => {
  let sandbox: Sandbox;
  let bot: BotHarness;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(async () => {
    sandbox.reset();
    bot = await startSandboxBot(sandbox, FAST_RETRY);
  });
  afterEach(() => {
    sandbox.clearSwitches();
    return bot.stop();
  });

  const flow = new CaseFlow(() => bot);

  it('blocks the response with a step per right until it is searched again or done by hand, and names it in the response', async function () {
    this.timeout(60_000);
    sandbox.setSwitches({ bc: { fail: { status: 503 } } });
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: subjects.mariaGarcia.email,
      requestTypes: 'access,delete',
    });
    const plan = await flow.card(megan, 'plan.show', caseId);
    assert.match(
      plan,
      /Search Dynamics 365 Business Central again, or provide a copy of the person's data there by hand/,
    );
    assert.match(plan, /Search Dynamics 365 Business Central again, or delete the person's data there by hand/);
    assert.match(plan, /The search of Dynamics 365 Business Central failed/);
    assert.match(plan, /Show the findings/);
    const stored = (await bot.app.store.getCase(caseId))!.plan!.steps;
    assert.ok(!stored.find((s) => s.id === 'package')!.systemName.includes('Business Central'));

    // Searched again once the system answers: the plan is made again, and Business Central's steps are the bot's.
    sandbox.clearSwitches();
    const findings = await flow.card(megan, 'discovery.show', caseId);
    assert.match(findings, /Make the plan again/);
    await flow.press(megan, 'discovery.retry', caseId, { systemId: 'bc' });
    for (let tries = 0; ; tries++) {
      const bc = (await bot.app.store.getCase(caseId))!.findings!.systems.find((s) => s.systemId === 'bc')!;
      if (bc.status === 'found') break;
      assert.ok(tries < 100, 'Business Central is searched again');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await flow.setAsideCandidates(megan, caseId);
    assert.match(await flow.card(megan, 'plan.create', caseId), /The plan is ready/);
    const again = (await bot.app.store.getCase(caseId))!.plan!.steps;
    assert.equal(again.find((s) => s.id === 'delete:bc')!.mode, 'automated');
    assert.ok(again.find((s) => s.id === 'package')!.systemName.includes('Business Central'));
  });

  it('takes a note for what was done by hand, and the response says the system was not searched and why', async function () {
    this.timeout(60_000);
    sandbox.setSwitches({ fno: { fail: { status: 503 } } });
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: subjects.mariaGarcia.email,
      requestTypes: 'access',
    });
    const stepId = 'access:fno';
    assert.match(await flow.card(megan, 'plan.respond', caseId), /still open/);
    assert.match(await flow.card(megan, 'plan.tick', caseId, { stepId }), /say in a note what was done/);
    assert.equal((await flow.step(caseId, stepId))!.state, 'todo');
    assert.match(
      await flow.card(megan, 'plan.tick', caseId, {
        stepId,
        note: 'Exported by hand from the Person search report',
        evidence: 'https://contoso.sharepoint.com/sites/privacy/evidence.xlsx',
      }),
      /Marked done/,
    );
    // The rest is settled by hand for this test: the package step and the guided steps.
    for (const step of (await bot.app.store.getCase(caseId))!.plan!.steps)
      if (step.mode === 'guided' && step.state === 'todo')
        await flow.card(megan, 'plan.tick', caseId, {
          stepId: step.id,
          note: 'Done as the guide says',
          evidence: 'https://contoso.sharepoint.com/sites/privacy/evidence.xlsx',
        });
    await bot.app.services.cases.act({ id: megan.aadObjectId, name: megan.name }, caseId, await flow.version(caseId), {
      kind: 'startStep',
      stepId: 'package',
    });
    await bot.app.services.cases.act({ id: megan.aadObjectId, name: megan.name }, caseId, await flow.version(caseId), {
      kind: 'completeStep',
      stepId: 'package',
    });
    // The package stands in for one built and reviewed: the response waits for its release.
    const officer = (user: typeof megan) => ({ id: user.aadObjectId, name: user.name });
    for (const [user, action] of [
      [megan, { kind: 'openReview', snapshotId: 'snapshot-1', records: 1 }],
      [megan, { kind: 'submitReview' }],
    ] as const)
      await bot.app.services.cases.act(officer(user), caseId, await flow.version(caseId), action);
    const hash = (await bot.app.store.getCase(caseId))!.review!.submitted!.hash;
    await bot.app.services.cases.act(officer(adele), caseId, await flow.version(caseId), {
      kind: 'approveReview',
      hash,
    });
    await bot.app.services.cases.act(officer(megan), caseId, await flow.version(caseId), {
      kind: 'releasePackage',
      packageId: 'package-1',
      records: 1,
      bytes: 100,
      token: 'x'.repeat(43),
      expiresAt: '2099-01-01T00:00:00Z',
    });
    const response = await flow.card(megan, 'plan.respond', caseId);
    // The letter tells the person which systems were searched by hand, never that nothing was there.
    assert.match(
      response,
      /We could not search [^.]*Dynamics 365 Finance and Operations[^.]* automatically; our staff searched there by hand/,
    );
    assert.doesNotMatch(response, /We could not yet complete our work in/);
    assert.doesNotMatch(response, /found nothing about you in:[^.]*Finance and Operations/);
    // Once the letter has gone, the team's own record keeps how each system was covered.
    await flow.card(megan, 'letter.markSent', caseId, { letter: 'response', channel: 'post' });
    const summary = (await bot.app.store.getCase(caseId))?.response?.summary ?? '';
    assert.match(summary, /Systems the bot could not search, and how they were covered:/);
    assert.match(
      summary,
      /Dynamics 365 Finance and Operations: the search failed \(.*503.*\); done by hand: Exported by hand from the Person search report\./,
    );
  });
});

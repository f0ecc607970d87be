import assert from 'node:assert/strict';
import sinon from 'sinon';
import { DateTime } from 'luxon';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import type { AuditEvent } from '../../dsr/audit.js';
import { cardText, invokeCard, type BotHarness } from '../support/botHarness.js';
import { CASE_THREAD, CaseFlow, PRIVACY_CHANNEL } from '../support/caseFlow.js';
import { cardProblems } from '../support/cardRules.js';
import { adele, alex, megan } from '../support/people.js';
import { startSandboxBot } from '../support/sandboxBot.js';

const FAST_RETRY = { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };
const EVIDENCE = 'https://contoso.sharepoint.com/sites/privacy/DSR/maria-logs.zip';
const DAY = 86_400_000;

/**
 * The plan card as a privacy officer works it: several steps done by hand marked done at once,
 * evidence where the guide asks for it, steps waiting for an outside party, and every bad input
 * refused with nothing changed.
 */
describe('the compact plan: steps done by hand, evidence and outside parties', () => {
  let sandbox: Sandbox;
  let bot: BotHarness;
  let time: sinon.SinonFakeTimers;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(async () => {
    sandbox.reset();
    // The whole bot reads one clock (cases, reminders, outbox), which the reminder test moves on.
    time = sinon.useFakeTimers({ now: new Date(), toFake: ['Date'], shouldAdvanceTime: true });
    bot = await startSandboxBot(sandbox, FAST_RETRY);
  });
  afterEach(async () => {
    sinon.restore();
    await bot.stop();
  });

  const flow = new CaseFlow(() => bot);
  const planned = () =>
    flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: subjects.mariaGarcia.email,
      requestTypes: 'access,delete',
    });
  const steps = async (caseId: string) => (await bot.app.store.getCase(caseId))!.plan!.steps;
  const audit = async (caseId: string) => {
    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    return events;
  };

  it('marks several guided steps done with one note and one press, and asks for evidence where the guide does', async function () {
    this.timeout(60_000);
    const caseId = await planned();
    const plan = invokeCard(await flow.press(megan, 'plan.show', caseId));
    assert.deepEqual(
      cardProblems(plan, { 'plan.tick': ['caseId', 'version'], 'plan.wait': ['caseId', 'version'] }),
      [],
    );
    const text = cardText(plan);
    // Grouped by system, with the steps done by hand chosen in one list.
    assert.match(text, /\*\*Social Engagement\*\* · 0 of \d+ done/);
    assert.match(text, /Export system-generated logs \(Data Log Export\) \(evidence needed\)/);
    assert.match(
      text,
      /Needs a link to the evidence \(the guide: Part 2, Accessing and exporting system-generated logs\)/,
    );
    const guided = (await steps(caseId)).filter((s) => s.mode === 'guided' && s.state === 'todo');
    assert.ok(guided.length >= 3, 'logs and Social Engagement are done by hand');
    const withEvidence = guided.filter((s) => s.evidence);
    const noEvidence = guided.filter((s) => !s.evidence);
    assert.ok(withEvidence.some((s) => s.id === 'access:logs'));
    assert.ok(noEvidence.length >= 2);

    // A step that needs evidence, chosen without it: refused, and nothing is ticked, not even the others.
    const all = guided.map((s) => s.id).join(',');
    const refused = await flow.card(megan, 'plan.tick', caseId, { steps: all, note: 'Done in the portals' });
    assert.match(refused, /needs a link to the evidence, as the guide asks \(Part \d, /);
    assert.match(refused, /nothing was changed/);
    // Evidence that is not an https address is refused the same way.
    for (const link of ['http://intranet/evidence.zip', 'javascript:alert(1)', 'file:///C:/evidence.zip', 'https://']) {
      assert.match(
        await flow.card(megan, 'plan.tick', caseId, { steps: all, note: 'Done', evidence: link }),
        /must be an https link/,
        link,
      );
    }
    assert.match(
      await flow.card(megan, 'plan.tick', caseId, { steps: all, note: 'x'.repeat(1001), evidence: EVIDENCE }),
      /Keep the note within 1000 characters/,
    );
    assert.match(
      await flow.card(megan, 'plan.tick', caseId, { steps: `${all},delete:nowhere`, evidence: EVIDENCE }),
      /not part of this plan/,
    );
    assert.match(await flow.card(megan, 'plan.tick', caseId, { steps: '' }), /Choose at least one step/);
    assert.ok((await steps(caseId)).filter((s) => guided.some((g) => g.id === s.id)).every((s) => s.state === 'todo'));

    // One note, one link, one press: every chosen step is done, each with who and when.
    const done = await flow.card(megan, 'plan.tick', caseId, {
      steps: all,
      note: 'Exported and handed over',
      evidence: EVIDENCE,
    });
    assert.match(done, new RegExp(`Marked done: ${guided.length} steps\\.`));
    assert.match(done, /Done by Megan Bowen, .*Note: Exported and handed over/);
    const after = await steps(caseId);
    for (const step of guided) {
      const saved = after.find((s) => s.id === step.id)!;
      assert.equal(saved.state, 'done', step.id);
      assert.equal(saved.completed?.note, 'Exported and handed over');
      assert.equal(saved.completed?.link, EVIDENCE);
    }
    const ticks = (await audit(caseId)).filter((e) => e.action === 'tickStep' && e.outcome === 'applied');
    assert.equal(ticks.length, 1, 'one press, one change');
    assert.doesNotMatch(
      JSON.stringify(ticks),
      /Exported and handed over|contoso/,
      'the note and link stay on the case',
    );
  });

  it('refuses a selection from a card the plan has moved on from, changing nothing', async function () {
    this.timeout(60_000);
    const caseId = await planned();
    const guided = (await steps(caseId)).filter((s) => s.mode === 'guided' && !s.evidence && s.state === 'todo');
    const stale = await flow.version(caseId);
    // Adele marks one step done meanwhile.
    await flow.card(adele, 'plan.tick', caseId, { steps: guided[0]!.id });
    const current = await flow.version(caseId);
    const result = await bot.execute(
      megan,
      'plan.tick',
      { caseId, version: stale, steps: guided.map((s) => s.id).join(','), note: 'From an old card' },
      CASE_THREAD,
    );
    assert.match(cardText(invokeCard(result)), /The plan changed since this card was made, so nothing was changed/);
    assert.equal(await flow.version(caseId), current);
    assert.equal((await steps(caseId)).find((s) => s.id === guided[1]!.id)!.state, 'todo');
  });

  it('lets a step wait for an outside party until a day, and reminds the assignee and the channel once it passes', async function () {
    this.timeout(60_000);
    // The privacy channel is known, so each case has its thread there.
    await bot.say(megan, '<at>DSR Assistant</at> use this channel', PRIVACY_CHANNEL);
    const caseId = await planned();
    await bot.app.services.cases.act({ id: megan.aadObjectId, name: megan.name }, caseId, await flow.version(caseId), {
      kind: 'assign',
      assignee: { id: megan.aadObjectId, name: megan.name },
    });
    const dsrCase = (await bot.app.store.getCase(caseId))!;
    const zone = bot.app.services.calendar.timeZone;
    const today = DateTime.fromJSDate(new Date()).setZone(zone);
    const due = DateTime.fromISO(dsrCase.dueAt).setZone(zone).toISODate()!;
    const expectedBy = today.plus({ days: 10 }).toISODate()!;
    const data = { steps: 'access:logs', party: 'Microsoft Data Log Export' };

    for (const [extra, message] of [
      [{ expectedBy: today.minus({ days: 1 }).toISODate()! }, /The expected date is in the past/],
      [
        { expectedBy: DateTime.fromISO(due).plus({ days: 5 }).toISODate()! },
        /after the legal deadline .*give a reason/,
      ],
      [{ expectedBy: 'next week' }, /Give the expected date as a day/],
      [{ expectedBy, party: '' }, /Name who the steps wait for/],
      [{ expectedBy, reason: 'r'.repeat(501) }, /Keep the reason within 500 characters/],
    ] as const) {
      assert.match(await flow.card(megan, 'plan.wait', caseId, { ...data, ...extra }), message);
    }
    assert.equal((await flow.step(caseId, 'access:logs'))!.state, 'todo', 'bad input changes nothing');

    // After the deadline is possible with a reason, which the plan shows.
    const late = DateTime.fromISO(due).plus({ days: 5 }).toISODate()!;
    assert.match(
      await flow.card(megan, 'plan.wait', caseId, { ...data, expectedBy: late, reason: 'Microsoft may take 30 days' }),
      /now waits for an outside party/,
    );
    const shown = await flow.card(megan, 'plan.show', caseId);
    assert.match(shown, /Waiting for an outside party/);
    assert.match(shown, /Waiting for Microsoft Data Log Export, expected by /);
    assert.match(shown, /Why after the deadline: Microsoft may take 30 days/);

    // Moved to ten days from now, the reminder comes the working day after that day, not before.
    await flow.card(megan, 'plan.wait', caseId, { ...data, expectedBy });
    const reminded = () =>
      bot.connector.calls.filter((c) => /Waiting for an outside party: /.test(JSON.stringify(c.body ?? {})));
    time.setSystemTime(Date.now() + 5 * DAY);
    await bot.app.reminders.tick();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(reminded().length, 0, 'nothing before the expected day passes');
    time.setSystemTime(DateTime.fromISO(expectedBy, { zone }).plus({ days: 3, hours: 12 }).toJSDate());
    await bot.app.reminders.tick();
    await bot.connector.waitFor(() => (reminded().length >= 2 ? true : undefined), 15_000);
    const texts = reminded().map((c) => JSON.stringify(c.body));
    assert.ok(texts.some((t) => t.includes('Export system-generated logs (Data Log Export)')));
    assert.ok(texts.some((t) => t.includes('Microsoft Data Log Export')));
    const targets = reminded().map((c) => c.conversationId ?? '');
    assert.ok(
      targets.some((id) => id.startsWith(PRIVACY_CHANNEL)),
      'the case thread in the channel',
    );
    assert.ok(targets.includes(`personal-${megan.aadObjectId}`), 'the assignee');
    assert.match(await flow.card(megan, 'plan.show', caseId), /now overdue/);

    // Marking it done (with the export as evidence) ends the wait.
    await flow.card(megan, 'plan.tick', caseId, { steps: 'access:logs', evidence: EVIDENCE });
    const settled = (await flow.step(caseId, 'access:logs'))!;
    assert.equal(settled.state, 'done');
    assert.equal(settled.waiting, undefined);
  });
});

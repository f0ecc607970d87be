import assert from 'node:assert/strict';
import { verifyChain } from '../../dsr/audit.js';
import { TRIAGE_CHECKS } from '../../dsr/case.js';
import { BotHarness, cardOf, cardText, invokeCard, type PostResult } from '../support/botHarness.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { adele, alex, isaiah, megan, type TeamsUser } from '../support/people.js';

const CHANNEL = '19:privacy-requests@thread.tacv2';
const allChecks = Object.fromEntries(TRIAGE_CHECKS.map((check) => [check, 'true']));

describe('several bot instances on one PostgreSQL database', function () {
  skipWithoutDatabase(this);
  let schema: string;
  let bots: BotHarness[];

  beforeEach(async () => {
    schema = freshSchema();
    const env = { DSR_DATABASE_URL: testDatabaseUrl()!, DSR_DATABASE_SCHEMA: schema };
    // Started together, as a scale-out starts them: the migration must happen once.
    bots = await Promise.all([0, 1, 2].map(() => new BotHarness(env).start()));
  });
  afterEach(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await dropSchema(schema);
  });

  const instance = (i: number) => bots[i % bots.length]!;

  /** Opens the intake form on one instance and submits it on another, as a load balancer may route it. */
  async function fileCase(user: TeamsUser, via: [number, number] = [0, 1]): Promise<string> {
    const replies = await instance(via[0]).say(user, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const result = await instance(via[1]).execute(user, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access,delete',
    });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
  }

  function triageAct(i: number, user: TeamsUser, verb: string, caseId: string, version: number, extra = {}) {
    return instance(i).execute(user, `triage.${verb}`, { caseId, version, ...extra }, `${CHANNEL};messageid=2`);
  }

  async function version(caseId: string): Promise<number> {
    return (await bots[0]!.app.store.getCase(caseId))!.version;
  }

  it('applies exactly one of many simultaneous approvals sent to every instance', async () => {
    const caseId = await fileCase(alex);
    await triageAct(2, megan, 'verifyIdentity', caseId, await version(caseId));
    const v = await version(caseId);
    const results: PostResult[] = await Promise.all(
      Array.from({ length: 12 }, (_, i) => triageAct(i, i % 2 ? megan : adele, 'approve', caseId, v, allChecks)),
    );
    const applied = results.filter((r) => /Approved\. The requester has been told/.test(cardText(invokeCard(r))));
    assert.equal(applied.length, 1);
    for (const bot of bots) assert.equal((await bot.app.store.getCase(caseId))!.status, 'approved');

    const approvals = [];
    for await (const event of bots[1]!.app.store.auditEvents(caseId)) {
      if (event.action === 'approve' && event.outcome === 'applied') approvals.push(event);
    }
    assert.equal(approvals.length, 1);
    // The requester hears about it once, from whichever instance applied it; news travels through
    // the outbox, so wait for it, then give a duplicate the time to show up.
    const told = () =>
      bots.flatMap((bot) =>
        bot.connector.sent(bot.personalConversation(alex)).filter((a) => /was approved/.test(String(a.text))),
      );
    await bots[0]!.connector.waitFor(() => (told().length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(told().length, 1);
  });

  it('keeps one audit chain and distinct case ids while every instance takes intakes at once', async () => {
    const people = [alex, isaiah, megan, adele];
    const ids = await Promise.all(
      Array.from({ length: 9 }, (_, i) => fileCase(people[i % people.length]!, [i % 3, (i + 1) % 3])),
    );
    assert.equal(new Set(ids).size, 9);
    for (const id of ids) await triageAct(Number(id.slice(-1)), megan, 'assignSelf', id, await version(id));

    const verified = await bots[2]!.say(megan, 'verify audit');
    assert.match(String(verified[0]?.text), /intact/i);
    const verdict = await verifyChain(bots[0]!.app.store.auditEvents(), bots[0]!.app.store.auditKeys);
    assert.equal(verdict.intact, true);
    assert.ok(verdict.events >= 18, `creations and assignments are all in the trail (${verdict.events})`);
  });
});

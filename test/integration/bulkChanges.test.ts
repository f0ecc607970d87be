import assert from 'node:assert/strict';
import type { AuditEvent } from '../../dsr/audit.js';
import type { PlanStep } from '../../dsr/plan.js';
import { BotHarness, cardText, invokeCard, type PostResult } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { cardProblems } from '../support/cardRules.js';
import { FakeChangeSystem, fakeInfo } from '../support/fakeChangeSystem.js';
import { adele, alex, isaiah, megan, type TeamsUser } from '../support/people.js';

const statusOf = (result: PostResult) => (result.body as { statusCode: number }).statusCode;

interface CardButton {
  title: string;
  verb?: string;
  data?: Record<string, unknown>;
  actions?: CardButton[];
}

/** Every Action.Execute on a card, wherever it sits (body action sets or the card's actions). */
function buttons(card: unknown): CardButton[] {
  const found: CardButton[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const item = node as Record<string, unknown>;
      if (item.type === 'Action.Execute') found.push(item as unknown as CardButton);
      Object.values(item).forEach(walk);
    }
  };
  walk(card);
  return found;
}

function crmSystem(): FakeChangeSystem {
  return new FakeChangeSystem(fakeInfo('crm', 'Dynamics 365 Customer Engagement'), [
    {
      kind: 'contact',
      id: 'c1',
      fields: { name: 'Maria Garcia', emailaddress1: 'maria@old.example' },
      etag: 1,
      order: 1,
    },
    { kind: 'activity', id: 'a1', fields: { subject: 'Call' }, etag: 1, order: 0 },
  ]);
}

function bcSystem(): FakeChangeSystem {
  return new FakeChangeSystem(fakeInfo('bc', 'Dynamics 365 Business Central'), [
    { kind: 'customer', id: 'b1', fields: { name: 'Maria Garcia', email: 'maria@old.example' }, etag: 1, order: 1 },
  ]);
}

describe('"Approve all previews" and "Apply all approved" on the plan, through the real server', function () {
  this.timeout(60_000);
  let bot: BotHarness;
  let crm: FakeChangeSystem;
  let bc: FakeChangeSystem;
  const flow = new CaseFlow(() => bot);
  const STEPS = ['delete:crm', 'delete:bc'];

  beforeEach(async () => {
    crm = crmSystem();
    bc = bcSystem();
    bot = await new BotHarness({}, { connectors: [crm.connector(), bc.connector()] }).start();
    await bot.say(megan, 'help');
    await bot.say(adele, 'help');
  });
  afterEach(() => bot.stop());

  const step = async (caseId: string, stepId: string): Promise<PlanStep> => (await flow.step(caseId, stepId))!;
  const approvals = async (caseId: string) => Promise.all(STEPS.map(async (id) => (await step(caseId, id)).approval));

  /** A case whose two deletions `previewer` previewed; `requester` filed it. */
  async function previewed(requester: TeamsUser, previewer: TeamsUser): Promise<string> {
    const caseId = await flow.planned(requester, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria@old.example',
      requestTypes: 'delete',
    });
    for (const stepId of STEPS)
      assert.match(await flow.card(previewer, 'plan.preview', caseId, { stepId }), /Preview ready/);
    return caseId;
  }

  /** The "Approve all" button of the plan as `user` sees it, if offered. */
  async function approveAllButton(user: TeamsUser, caseId: string): Promise<CardButton | undefined> {
    const plan = invokeCard(await flow.press(user, 'plan.show', caseId));
    return buttons(plan).find((b) => b.verb === 'plan.approveAll');
  }

  async function audit(caseId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    return events;
  }

  it('approves every preview with one press, each bound to its own hash, then starts them all with one press', async () => {
    const caseId = await previewed(alex, megan);
    const plan = invokeCard(await flow.press(adele, 'plan.show', caseId));
    assert.deepEqual(cardProblems(plan, { 'plan.approveAll': ['caseId', 'version', 'previews'] }), []);
    const button = buttons(plan).find((b) => b.verb === 'plan.approveAll')!;
    assert.equal(button.title, 'Approve all previews (2)');
    const hashes = await Promise.all(STEPS.map(async (id) => (await step(caseId, id)).preview!.hash));
    assert.deepEqual(button.data!.previews, [`delete:crm#${hashes[0]}`, `delete:bc#${hashes[1]}`]);

    // Adele approves from her 1:1 chat, where the notice opened the plan.
    const fromChat = await bot.post({
      ...bot.base(adele),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: 'adele-plan',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'plan.approveAll',
          data: { caseId, version: await flow.version(caseId), previews: button.data!.previews },
        },
      },
    });
    const answered = cardText(invokeCard(fromChat));
    assert.match(answered, /Approved: 2 previews\. Apply them when ready\./);
    // The card Megan previewed on, in the case's thread, shows the approved plan: Apply is there.
    const updated = await bot.connector.waitFor(
      () =>
        bot.connector.calls.find(
          (c) =>
            c.method === 'PUT' && c.activityId === 'plan-card' && /Apply all approved/.test(JSON.stringify(c.body)),
        ),
      10_000,
    );
    assert.match(JSON.stringify(updated.body), /approved by Adele Vance/);
    for (const [n, approval] of (await approvals(caseId)).entries()) {
      assert.equal(approval?.byId, adele.aadObjectId);
      assert.equal(approval?.previewHash, hashes[n], 'each approval is bound to its own preview');
    }
    // One audited approval per step, each with the hash it approved.
    const approved = (await audit(caseId)).filter((e) => e.action === 'approveStep' && e.outcome === 'applied');
    assert.deepEqual(
      approved.map((e) => e.actorId),
      [adele.aadObjectId, adele.aadObjectId],
    );
    // The card Adele pressed answers with the next thing: applying them.
    assert.match(answered, /Apply all approved \(2\)/);
    assert.doesNotMatch(answered, /Approve all previews/);

    // Megan applies both with one press, on the card's version.
    const megansPlan = invokeCard(await flow.press(megan, 'plan.show', caseId));
    assert.deepEqual(cardProblems(megansPlan, { 'plan.applyAll': ['caseId', 'version'] }), []);
    const stale = (await flow.version(caseId)) - 1;
    const refused = cardText(
      invokeCard(
        await bot.execute(
          megan,
          'plan.applyAll',
          { caseId, version: stale },
          '19:privacy-requests@thread.tacv2;messageid=2',
        ),
      ),
    );
    assert.match(refused, /This case changed since you looked at it/);
    assert.deepEqual([crm.applied, bc.applied], [[], []], 'a stale card starts nothing');

    assert.match(await flow.card(megan, 'plan.applyAll', caseId), /Running: 2 steps/);
    for (const stepId of STEPS) await bot.app.runner.settled(caseId, stepId);
    for (const stepId of STEPS) assert.equal((await step(caseId, stepId)).state, 'done');
    assert.deepEqual([crm.applied.sort(), bc.applied], [['a1', 'c1'], ['b1']]);
    // A second press finds nothing left to start.
    assert.match(await flow.card(megan, 'plan.applyAll', caseId), /No approved step waits to be applied/);
  });

  it('is not offered to the one who made the previews, and refuses her press: nothing is approved', async () => {
    const caseId = await previewed(alex, megan);
    assert.equal(await approveAllButton(megan, caseId), undefined, 'Megan previewed both');
    const offered = (await approveAllButton(adele, caseId))!;
    const before = (await audit(caseId)).length;
    const answered = await flow.card(megan, 'plan.approveAll', caseId, { previews: offered.data!.previews });
    assert.match(answered, /Not approved, nothing changed for: .*you made this preview/);
    assert.doesNotMatch(answered, /Approved: /);
    assert.deepEqual(await approvals(caseId), [undefined, undefined]);
    const refusals = (await audit(caseId)).slice(before).filter((e) => e.outcome !== 'applied');
    assert.equal(refusals.length, 2, 'each refused approval is on the trail');
  });

  it('refuses the requester (on the team), the requester outside it and anyone outside the team', async () => {
    // Megan filed this one; Adele previewed it, so only someone else on the team may approve.
    const caseId = await previewed(megan, adele);
    assert.equal(await approveAllButton(megan, caseId), undefined, 'not offered to who filed it');
    const hashes = await Promise.all(STEPS.map(async (id) => (await step(caseId, id)).preview!.hash));
    const previews = STEPS.map((id, n) => `${id}#${hashes[n]}`);
    assert.match(
      await flow.card(megan, 'plan.approveAll', caseId, { previews }),
      /you filed this request, so another member of the privacy team decides it/,
    );
    assert.deepEqual(await approvals(caseId), [undefined, undefined]);

    const other = await previewed(alex, megan);
    const otherPreviews = await Promise.all(STEPS.map(async (id) => `${id}#${(await step(other, id)).preview!.hash}`));
    // Alex filed it but is not on the privacy team; Isaiah is not on it either.
    assert.equal(statusOf(await flow.press(alex, 'plan.approveAll', other, { previews: otherPreviews })), 403);
    assert.equal(statusOf(await flow.press(isaiah, 'plan.approveAll', other, { previews: otherPreviews })), 404);
    assert.equal(statusOf(await flow.press(alex, 'plan.applyAll', other)), 403);
    assert.deepEqual(await approvals(other), [undefined, undefined]);
  });

  it('approves only the steps whose preview is the one the card showed, and names the rest', async () => {
    const caseId = await previewed(alex, megan);
    const shown = (await approveAllButton(adele, caseId))!.data!.previews as string[];
    // A record arrives in Customer Engagement and Megan previews its deletion again: a new hash.
    crm.records.set('a2', { kind: 'activity', id: 'a2', fields: { subject: 'Call again' }, etag: 1, order: 0 });
    const first = (await step(caseId, 'delete:crm')).preview!.hash;
    await flow.card(megan, 'plan.preview', caseId, { stepId: 'delete:crm' });
    assert.notEqual((await step(caseId, 'delete:crm')).preview!.hash, first);

    const answered = await flow.card(adele, 'plan.approveAll', caseId, { previews: shown });
    assert.match(answered, /Approved: 1 preview\./);
    assert.match(
      answered,
      /Not approved, nothing changed for: Delete the person's data in Dynamics 365 Customer Engagement \(a newer preview was made since this card was shown/,
    );
    const [crmApproval, bcApproval] = await approvals(caseId);
    assert.equal(crmApproval, undefined, 'the newer preview waits for its own approval');
    assert.equal(bcApproval?.byId, adele.aadObjectId);
  });

  it('refuses a tampered list: a forged hash approves nothing, an unreadable list changes nothing', async () => {
    const caseId = await previewed(alex, megan);
    const forged = STEPS.map((id) => `${id}#${'0'.repeat(64)}`);
    assert.match(
      await flow.card(adele, 'plan.approveAll', caseId, { previews: forged }),
      /Not approved, nothing changed for: .*a newer preview was made/,
    );
    const version = await flow.version(caseId);
    for (const previews of [
      'delete:crm',
      [],
      ['delete:crm'],
      [`delete:crm#${'a'.repeat(63)}`],
      [42],
      Array.from({ length: 51 }, (_, n) => `step${n}#${'a'.repeat(64)}`),
    ]) {
      const answered = await flow.card(adele, 'plan.approveAll', caseId, { previews });
      assert.match(answered, /This card does not name the previews to approve/, JSON.stringify(previews));
    }
    // A step the bot does not change data in (the package) cannot be slipped into the list.
    const bcHash = (await step(caseId, 'delete:bc')).preview!.hash;
    assert.match(
      await flow.card(adele, 'plan.approveAll', caseId, { previews: [`package#${bcHash}`] }),
      /Not approved, nothing changed for: .*not a step the bot changes data in/,
    );
    assert.deepEqual(await approvals(caseId), [undefined, undefined]);
    assert.equal(await flow.version(caseId), version, 'nothing changed');
  });

  it('offers "Mark done" with every open guided step chosen, and still asks for the evidence the guide needs', async () => {
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria@old.example',
      requestTypes: 'access',
    });
    const plan = invokeCard(await flow.press(megan, 'plan.show', caseId));
    const dsrCase = (await bot.app.store.getCase(caseId))!;
    const open = dsrCase.plan!.steps.filter((s) => s.mode === 'guided' && s.state !== 'not-applicable');
    const choice = JSON.stringify(plan).match(/"id":"steps"[^]*?"value":"([^"]*)"/);
    assert.ok(choice, 'the bulk form has its selection');
    assert.deepEqual(choice[1]!.split(',').sort(), open.map((s) => s.id).sort(), 'every open guided step is chosen');
    assert.match(cardText(plan), /Every open step is chosen: untick any not done yet/);
    // Pressed as it comes, without the evidence a chosen step needs: refused, nothing marked done.
    const needing = open.find((s) => s.evidence);
    assert.ok(needing, 'a step the guide asks evidence for');
    const version = await flow.version(caseId);
    assert.match(
      await flow.card(megan, 'plan.tick', caseId, { steps: choice[1], note: 'Done as the guide says' }),
      /needs a link to the evidence, as the guide asks .*; nothing was changed\./,
    );
    assert.equal(await flow.version(caseId), version, 'nothing changed');
    const marked = await flow.card(megan, 'plan.tick', caseId, {
      steps: choice[1],
      note: 'Done as the guide says',
      evidence: 'https://contoso.sharepoint.com/sites/privacy/export.zip',
    });
    assert.match(marked, new RegExp(`Marked done: ${open.length} steps?\\.`));
  });
});

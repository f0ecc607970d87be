import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileChangeLedger } from '../../storage/fileChangeLedger.js';
import type { AuditEvent } from '../../dsr/audit.js';
import type { PlanStep } from '../../dsr/plan.js';
import { BotHarness, cardText, invokeCard, type PostResult } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { cardProblems } from '../support/cardRules.js';
import { FakeChangeSystem, fakeInfo, type FakeRecord } from '../support/fakeChangeSystem.js';
import { adele, alex, megan, type TeamsUser } from '../support/people.js';

const contact = (id: string, email: string): FakeRecord => ({
  kind: 'contact',
  id,
  fields: { name: 'Maria Garcia', emailaddress1: email, donotcontact: 'false' },
  etag: 1,
  order: 1,
});
const activity = (id: string): FakeRecord => ({
  kind: 'activity',
  id,
  fields: { subject: `Call ${id}` },
  etag: 1,
  order: 0,
});

function ceSystem(): FakeChangeSystem {
  return new FakeChangeSystem(
    fakeInfo('crm', 'Dynamics 365 Customer Engagement'),
    [contact('c1', 'maria@old.example'), activity('a1'), activity('a2'), activity('a3'), activity('a4')],
    { restrictModes: ['flag', 'isolate'] },
  );
}

function bcSystem(): FakeChangeSystem {
  const bc = new FakeChangeSystem(fakeInfo('bc', 'Dynamics 365 Business Central'), [
    { kind: 'customer', id: 'b1', fields: { name: 'Maria Garcia' }, etag: 1, order: 1 },
    { kind: 'sales quote', id: 'b2', fields: { name: 'Quote 1' }, etag: 1, order: 0 },
  ]);
  bc.retained.push({
    kind: 'ledger entry',
    id: 'le1',
    label: 'Posted invoice 103',
    reason: 'Posted ledger entries are kept for the tax retention period',
  });
  bc.guided.push({ text: 'Run the "Delete Canceled Interaction Log Entries" batch job.' });
  return bc;
}

const statusOf = (result: PostResult) => (result.body as { statusCode: number }).statusCode;

describe('the steps that change data: preview, approval, per-record runs', () => {
  let bot: BotHarness;
  let crm: FakeChangeSystem;
  let bc: FakeChangeSystem;
  afterEach(async () => {
    now = undefined;
    crm?.unhang();
    await bot?.stop();
  });

  let now: Date | undefined;
  const clock = { now: () => now ?? new Date() };

  async function start(dataDir?: string, changeRun: { targetTimeoutMs?: number } = {}): Promise<BotHarness> {
    bot = await new BotHarness(
      {},
      {
        connectors: [crm.connector(), bc.connector()],
        clock,
        // Progress is written every second record, never by time, so the count below is exact.
        changeRun: { progressEvery: { records: 2, ms: 3_600_000 }, ...changeRun },
      },
    ).start(dataDir);
    await bot.say(megan, 'help');
    await bot.say(adele, 'help');
    return bot;
  }

  const flow = new CaseFlow(() => bot);
  const press = (user: TeamsUser, verb: string, caseId: string, extra: Record<string, unknown> = {}) =>
    flow.press(user, verb, caseId, extra);
  const card = (user: TeamsUser, verb: string, caseId: string, extra: Record<string, unknown> = {}) =>
    flow.card(user, verb, caseId, extra);
  const step = async (caseId: string, stepId: string): Promise<PlanStep> => (await flow.step(caseId, stepId))!;
  const plannedCase = (requester: TeamsUser, requestTypes: string) =>
    flow.planned(requester, { subjectName: 'Maria Garcia', subjectEmails: 'maria@old.example', requestTypes });

  async function approveAndApply(user: TeamsUser, caseId: string, stepId: string): Promise<PlanStep> {
    const { hash, byId } = (await step(caseId, stepId)).preview!;
    // Whoever made the preview never approves it: the other privacy officer does.
    const approver = byId === megan.aadObjectId ? adele : megan;
    assert.match(await card(approver, 'plan.approve', caseId, { stepId, previewHash: hash }), /Approved/);
    assert.match(await card(user, 'plan.apply', caseId, { stepId }), /Running/);
    await bot.app.runner.settled(caseId, stepId);
    return step(caseId, stepId);
  }

  async function audit(caseId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    return events;
  }

  it('rectifies after a preview approved by someone other than the requester, and voids the approval on new findings', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(megan, 'rectify');

    const plan = invokeCard(await press(adele, 'plan.show', caseId));
    assert.match(
      cardText(plan),
      /Correct the person's data in Dynamics 365 Customer Engagement\*\* · by the bot: Waiting for approval/,
    );
    assert.match(cardText(plan), /emailaddress1 \(now: maria@old\.example\)/, 'the old value is shown');
    assert.deepEqual(cardProblems(plan, { 'plan.preview': ['caseId', 'version', 'stepId', 'kinds'] }), []);

    const stepId = 'rectify:crm';
    const kinds = ['contact', 'activity'];
    for (const [extra, message] of [
      [{ field0: 'emailaddress1', value0: '' }, /Give the new value/],
      [{ field0: 'email address!', value0: 'x@new.example' }, /A field is named as the system names it/],
      [{}, /Enter at least one correction/],
      [{ field0: 'emailaddress1', value0: 'x'.repeat(501) }, /under 500 characters/],
    ] as const) {
      assert.match(await card(adele, 'plan.preview', caseId, { stepId, kinds, ...extra }), message);
    }
    assert.equal((await step(caseId, stepId)).preview, undefined, 'bad input changes nothing');

    const previewCard = invokeCard(
      await press(adele, 'plan.preview', caseId, {
        stepId,
        kinds,
        [`field0.${stepId}`]: 'emailaddress1',
        [`value0.${stepId}`]: 'maria.garcia@new.example',
      }),
    );
    assert.deepEqual(cardProblems(previewCard, { 'plan.approve': ['caseId', 'version', 'stepId', 'previewHash'] }), []);
    const preview = cardText(previewCard);
    assert.match(preview, /Will change: 1 contact/);
    assert.match(preview, /emailaddress1: "maria@old\.example" → "maria\.garcia@new\.example"/);
    const first = (await step(caseId, stepId)).preview!;

    // Megan filed the request: she may not approve what it changes.
    const own = await card(megan, 'plan.approve', caseId, { stepId, previewHash: first.hash });
    assert.match(own, /another member of the privacy team must decide/);
    // Nor may anyone outside the privacy team.
    assert.notEqual(statusOf(await press(alex, 'plan.approve', caseId, { stepId, previewHash: first.hash })), 200);
    assert.equal((await step(caseId, stepId)).approval, undefined);

    // The findings change (a record set aside as someone else's): the preview is void, so is an approval of it.
    await press(adele, 'discovery.notThisPerson', caseId, { systemId: 'crm', recordId: 'a1' });
    assert.match(await card(adele, 'plan.approve', caseId, { stepId, previewHash: first.hash }), /findings changed/);
    assert.match(await card(adele, 'plan.apply', caseId, { stepId }), /cannot be started|preview/i);
    assert.equal(crm.applied.length, 0);

    // Filing the request does not stop Megan from preparing the change; Adele, who did neither, approves it.
    await card(megan, 'plan.preview', caseId, {
      stepId,
      kinds,
      field0: 'emailaddress1',
      value0: 'maria.garcia@new.example',
    });
    const done = await approveAndApply(adele, caseId, stepId);
    assert.equal(done.state, 'done');
    assert.equal(crm.records.get('c1')!.fields.emailaddress1, 'maria.garcia@new.example');
    assert.deepEqual(crm.applied, ['c1']);
    // The clicked card is updated in place as the run ends.
    await bot.connector.waitFor(() =>
      bot.connector.calls.find(
        (c) => c.method === 'PUT' && c.activityId === 'plan-card' && /by the bot: Done/.test(JSON.stringify(c.body)),
      ),
    );
    assert.match(await card(adele, 'plan.show', caseId), /1 record changed/);

    const applied = (await audit(caseId)).filter((e) => e.outcome === 'applied').map((e) => e.action);
    for (const action of ['previewStep', 'approveStep', 'startStep', 'completeStep'])
      assert.ok(applied.includes(action), action);
    const refused = (await audit(caseId)).filter((e) => e.outcome === 'refused').map((e) => e.action);
    assert.ok(refused.includes('approveStep'));
    assert.doesNotMatch(JSON.stringify(await audit(caseId)), /maria|Garcia/i, 'the trail holds no record contents');
  });

  it('shows who previewed, approved and applied, offers Approve only to another officer, and keeps the total when a preview adds work by hand', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(alex, 'delete');
    const total = /(\d+) of (\d+) steps? left/;
    const [, , before] = total.exec(await card(megan, 'plan.show', caseId))!;
    const stepId = 'delete:bc';
    const approves = (json: unknown) => JSON.stringify(json).includes('"verb":"plan.approve"');

    // Megan made the preview: her card offers no Approve and says why; the server refuses it anyway.
    const own = invokeCard(await press(megan, 'plan.preview', caseId, { stepId }));
    assert.equal(approves(own), false);
    assert.match(cardText(own), /You made this preview, so another member of the privacy team approves it/);
    assert.match(cardText(own), new RegExp(`Previewed by ${megan.name}, `));
    assert.equal(approves(invokeCard(await press(megan, 'plan.show', caseId))), false);
    const hash = (await step(caseId, stepId)).preview!.hash;
    assert.match(await card(megan, 'plan.approve', caseId, { stepId, previewHash: hash }), /another member/);

    // Adele sees the same step live, with Approve, when Teams refreshes the card in her view.
    const refreshed = invokeCard(
      await bot.execute(adele, 'plan.refresh', { caseId, version: 1 }, '19:privacy-requests@thread.tacv2;messageid=2'),
    );
    assert.equal(approves(refreshed), true);
    assert.match(cardText(refreshed), new RegExp(`Previewed by ${megan.name}`));
    assert.deepEqual(cardProblems(refreshed, { 'plan.approve': ['caseId', 'version', 'stepId', 'previewHash'] }), []);
    assert.ok((refreshed as { refresh?: unknown }).refresh, 'a card older than the case keeps refreshing');
    const megansRefresh = invokeCard(
      await bot.execute(
        megan,
        'plan.refresh',
        { caseId, version: await flow.version(caseId) },
        '19:privacy-requests@thread.tacv2;messageid=2',
      ),
    );
    assert.equal(approves(megansRefresh), false);
    assert.equal((megansRefresh as { refresh?: unknown }).refresh, undefined, 'an unchanged card stops refreshing');

    const done = await approveAndApply(megan, caseId, stepId);
    assert.equal(done.state, 'done');
    const shown = await card(adele, 'plan.show', caseId);
    assert.match(
      shown,
      new RegExp(`Previewed by ${megan.name}, .* · approved by ${adele.name}, .* · applied by ${megan.name}, `),
    );
    // Business Central's batch job was added by hand to the plan: the total stays what it was.
    assert.ok(await step(caseId, 'delete:bc:by-hand'));
    assert.match(shown, /Finish by hand in Dynamics 365 Business Central/);
    const [, left, after] = total.exec(shown)!;
    assert.equal(after, before);
    assert.ok(Number(left) >= 1, 'the step is open until its work by hand is done');
  });

  it("goes from one preview to the next deletion still to preview, each checked on the server like the plan's button", async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(alex, 'delete');
    type Action = { title: string; verb?: string; data?: Record<string, unknown> };
    const next = (card: Record<string, unknown>) =>
      (card.actions as Action[]).find((action) => action.title.startsWith('Preview next'));

    const first = invokeCard(await press(megan, 'plan.preview', caseId, { stepId: 'delete:crm' }));
    const button = next(first)!;
    assert.equal(button.title, 'Preview next: Dynamics 365 Business Central');
    assert.deepEqual(cardProblems(first, { 'plan.preview': ['caseId', 'version', 'stepId'] }), []);

    // Someone outside the team pressing it is refused and nothing is previewed.
    const outsider = await bot.execute(alex, button.verb!, button.data!);
    assert.doesNotMatch(JSON.stringify(outsider.body), /Preview ready/);
    assert.equal((await step(caseId, 'delete:bc')).preview, undefined);

    const second = invokeCard(await bot.execute(megan, button.verb!, button.data!));
    assert.match(cardText(second), /Preview: Delete the person's data in Dynamics 365 Business Central/);
    assert.match(cardText(second), /Preview ready/);
    assert.ok((await step(caseId, 'delete:bc')).preview, 'the next step has its preview');
    assert.equal(next(second), undefined, 'nothing is left to preview');
    // Adele still approves each preview by its own hash; the one who made them cannot.
    const hash = (await step(caseId, 'delete:bc')).preview!.hash;
    assert.match(
      await card(megan, 'plan.approve', caseId, { stepId: 'delete:bc', previewHash: hash }),
      /another member/,
    );
  });

  it('reports records changed since the preview and leaves them as they are', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    crm.records.set('c2', contact('c2', 'm.garcia@old.example'));
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(alex, 'rectify');
    const stepId = 'rectify:crm';
    await card(megan, 'plan.preview', caseId, {
      stepId,
      kinds: ['contact'],
      field0: 'emailaddress1',
      value0: 'new@example.org',
    });
    crm.editElsewhere('c2', 'emailaddress1', 'edited@elsewhere.example');
    const ended = await approveAndApply(megan, caseId, stepId);
    assert.equal(ended.state, 'failed');
    assert.match(ended.error!, /1 record changed since the preview .*preview again/);
    assert.equal(crm.records.get('c2')!.fields.emailaddress1, 'edited@elsewhere.example', 'not overwritten');
    assert.equal(crm.records.get('c1')!.fields.emailaddress1, 'new@example.org', 'the others went ahead');
    const shown = await card(megan, 'plan.show', caseId);
    assert.match(shown, /Preview again/);
    assert.doesNotMatch(shown, /\bRetry\b/);
    assert.match(await card(megan, 'plan.apply', caseId, { stepId }), /preview again/i);
  });

  it('keeps other systems going when one fails, and its retry neither repeats nor skips records', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    bc.failing.add('b1');
    crm.stubborn.add('a2');
    await start();
    const caseId = await plannedCase(alex, 'delete');
    for (const stepId of ['delete:crm', 'delete:bc']) {
      const preview = await card(megan, 'plan.preview', caseId, { stepId });
      if (stepId === 'delete:bc') {
        assert.match(preview, /Kept as it is: 1 record\b/);
        assert.match(preview, /Posted invoice 103: Posted ledger entries are kept/);
      }
    }
    const bcFailed = await approveAndApply(megan, caseId, 'delete:bc');
    const crmChecked = await approveAndApply(megan, caseId, 'delete:crm');

    assert.equal(bcFailed.state, 'failed');
    assert.match(
      bcFailed.error!,
      /Business Central: The service answered 503\. 1 of 2 records are done; Retry continues/,
    );
    // A deletion is done only when a second search finds nothing: a2 is still there.
    assert.equal(crmChecked.state, 'failed');
    assert.match(crmChecked.error!, /1 record \(activity\) still found after the deletion/);
    const failedCard = invokeCard(await press(megan, 'plan.show', caseId));
    assert.match(cardText(failedCard), /Retry/);
    assert.deepEqual(cardProblems(failedCard, { 'plan.apply': ['caseId', 'version', 'stepId'] }), []);
    const progress = (await audit(caseId)).filter(
      (e) => e.action === 'stepProgress' && e.detail.stepId === 'delete:crm',
    );
    assert.equal(progress.length, 2, 'five records, progress written after the second and the fourth');
    assert.doesNotMatch(await card(megan, 'plan.respond', caseId), /Response for Maria Garcia/);

    bc.failing.clear();
    crm.stubborn.clear();
    for (const stepId of ['delete:bc', 'delete:crm']) {
      assert.match(await card(megan, 'plan.apply', caseId, { stepId }), /Running/);
      await bot.app.runner.settled(caseId, stepId);
    }
    assert.equal((await step(caseId, 'delete:crm')).state, 'done');
    const bcDone = await step(caseId, 'delete:bc');
    assert.equal(bcDone.state, 'done');
    assert.match(bcDone.reason!, /1 record kept: Posted ledger entries/);
    assert.deepEqual(bc.applied, ['b2', 'b1', 'b1'], 'b2 once, b1 failed then applied');
    assert.deepEqual(crm.applied.filter((id) => id !== 'a2').sort(), ['a1', 'a3', 'a4', 'c1']);
    assert.equal(crm.records.size, 0);
    // Business Central's batch job is left to a person, and the plan waits for it.
    const followUp = await step(caseId, 'delete:bc:by-hand');
    assert.equal(followUp.state, 'todo');
    assert.match(await card(megan, 'plan.show', caseId), /Delete Canceled Interaction Log Entries/);
    assert.match(await card(megan, 'plan.respond', caseId), /still open/);
    await card(megan, 'plan.tick', caseId, { stepId: 'delete:bc:by-hand', note: 'Batch job run' });
    const text = await card(megan, 'plan.show', caseId);
    assert.match(text, /Every step is done or explained/);
    const responded = await card(megan, 'plan.respond', caseId);
    assert.match(responded, /Response for Maria Garcia/);
    assert.match(responded, /Dynamics 365 Business Central: 2 records erased\. 1 record kept: Posted invoices/);
  });

  it('words how a step ended, and what a deletion leaves by hand, in the reader’s language', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    crm.undeletable.add('activity');
    bc = bcSystem();
    bc.failing.add('b1');
    await start(undefined, { targetTimeoutMs: 300 });
    const caseId = await plannedCase(alex, 'delete');
    // What the deletion leaves by hand, on the preview card in French.
    const preview = await flow.cardIn('fr-FR', megan, 'plan.preview', caseId, { stepId: 'delete:crm' });
    assert.match(
      preview,
      /4 enregistrements \(activity\) que la suppression laisse : Trouvés par la recherche, mais Dynamics 365 Customer Engagement ne peut pas les supprimer via le bot/,
    );
    assert.doesNotMatch(preview, /the deletion leaves|Found by the search/);

    // A system's own failure on the plan card in German; the step keeps the English for the letter.
    await card(megan, 'plan.preview', caseId, { stepId: 'delete:bc' });
    const failed = await approveAndApply(megan, caseId, 'delete:bc');
    assert.match(failed.error!, /The service answered 503\. 1 of 2 records are done; Retry continues/);
    const german = await flow.cardIn('de-DE', megan, 'plan.show', caseId);
    assert.match(
      german,
      /Dynamics 365 Business Central: The service answered 503\. 1 von 2 Datensätzen ist erledigt; „Erneut versuchen“ macht dort weiter\./,
    );
    assert.doesNotMatch(german, /Retry continues/);

    // A system that does not answer in time, in the bot's own words.
    bc.failing.clear();
    bc.hang('b1');
    assert.match(await card(megan, 'plan.apply', caseId, { stepId: 'delete:bc' }), /Running/);
    await bot.app.runner.settled(caseId, 'delete:bc');
    bc.unhang();
    assert.equal((await step(caseId, 'delete:bc')).state, 'failed');
    assert.match(
      await flow.cardIn('fr-FR', megan, 'plan.show', caseId),
      /Dynamics 365 Business Central : Le système n’a pas répondu à temps\. 1 enregistrement sur 2 est traité ; « Réessayer » reprend/,
    );

    // Done, with the record the law keeps: the reason is the system's, the sentence around it German.
    assert.match(await card(megan, 'plan.apply', caseId, { stepId: 'delete:bc' }), /Running/);
    await bot.app.runner.settled(caseId, 'delete:bc');
    const done = await step(caseId, 'delete:bc');
    assert.equal(done.state, 'done');
    assert.match(done.reason!, /^1 record kept: Posted ledger entries/);
    assert.match(
      await flow.cardIn('de-DE', megan, 'plan.show', caseId),
      /1 Datensatz aufbewahrt: Posted ledger entries are kept for the tax retention period/,
    );
  });

  it('reports a deletion cut short by a restart as resumable, never done, and resumes without repeating', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(alex, 'delete');
    const stepId = 'delete:crm';
    await card(megan, 'plan.preview', caseId, { stepId });
    const hash = (await step(caseId, stepId)).preview!.hash;
    await card(adele, 'plan.approve', caseId, { stepId, previewHash: hash });
    crm.hang('a3');
    await card(megan, 'plan.apply', caseId, { stepId });
    await crm.hanging;
    const dataDir = bot.dataDir;
    await bot.stop({ keepData: true });
    // As if the process had died instead: its lease stays until it runs out.
    now = new Date();
    const ledger = new FileChangeLedger(join(dataDir, 'ledger'));
    await ledger.claimLease(caseId, stepId, 'a process that died', now, new Date(now.getTime() + 60_000));

    await start(dataDir);
    assert.equal((await step(caseId, stepId)).state, 'running', 'never marked done early');
    const leased = cardText(invokeCard(await press(megan, 'plan.show', caseId)));
    assert.doesNotMatch(leased, /Resume/, 'not while the lease of the other process runs');
    assert.match(await card(megan, 'plan.resume', caseId, { stepId }), /not waiting to be resumed/);
    now = new Date(now.getTime() + 61_000);
    const shown = invokeCard(await press(megan, 'plan.show', caseId));
    assert.match(cardText(shown), /The bot stopped while running this step/);
    assert.match(cardText(shown), /Resume/);
    assert.doesNotMatch(cardText(shown), /Every step is done/);
    assert.deepEqual(cardProblems(shown, { 'plan.resume': ['caseId', 'version', 'stepId'] }), []);
    assert.match(await card(megan, 'plan.respond', caseId), /still open/);

    crm.hangOn = undefined;
    assert.match(await card(megan, 'plan.resume', caseId, { stepId }), /Resumed/);
    await bot.app.runner.settled(caseId, stepId);
    assert.equal((await step(caseId, stepId)).state, 'done');
    assert.deepEqual([...crm.applied].sort(), ['a1', 'a2', 'a3', 'a4', 'c1'], 'each record applied once');
    assert.equal(crm.records.size, 0);
    assert.match(await card(megan, 'plan.resume', caseId, { stepId }), /not waiting to be resumed/);
  });

  it('isolates only records already in a package step that is done', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(alex, 'access,restrict');
    const stepId = 'restrict:crm';
    await card(megan, 'plan.preview', caseId, { stepId, mode: 'isolate' });
    const hash = (await step(caseId, stepId)).preview!.hash;
    await card(adele, 'plan.approve', caseId, { stepId, previewHash: hash });
    assert.match(await card(megan, 'plan.apply', caseId, { stepId }), /prepare the package with them first/);
    assert.equal(crm.applied.length, 0);
  });

  it('stores the isolated copy and records where and its checksum before the first record is removed', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(alex, 'restrict');
    const stepId = 'restrict:crm';
    await card(megan, 'plan.preview', caseId, { stepId, mode: 'isolate' });
    const { hash } = (await step(caseId, stepId)).preview!;
    await card(adele, 'plan.approve', caseId, { stepId, previewHash: hash });
    crm.hang('c1');
    assert.match(await card(megan, 'plan.apply', caseId, { stepId }), /Running/);
    await crm.hanging;
    // The run waits at the first record: the copy is already stored and on the case.
    assert.deepEqual(crm.applied, []);
    const running = await step(caseId, stepId);
    const copy = running.isolatedCopy!;
    assert.ok(copy, 'the isolated copy is recorded on the step');
    const stored = await readFile(join(bot.dataDir, 'packages', copy.location));
    assert.equal(createHash('sha256').update(stored).digest('hex'), copy.sha256);
    assert.equal(stored.length, copy.bytes);
    const started = (await audit(caseId)).find((e) => e.action === 'startStep' && e.outcome === 'applied')!;
    assert.equal(started.detail.isolatedCopy, copy.location);
    assert.equal(started.detail.isolatedCopySha256, copy.sha256);
    assert.doesNotMatch(JSON.stringify(started), /Maria|maria@/i, 'no personal data in the trail');
    crm.unhang();
    await bot.app.runner.settled(caseId, stepId);
    assert.equal((await step(caseId, stepId)).state, 'done');
    assert.deepEqual(crm.applied, ['c1']);
    // The delivered package goes with its link; the isolated copy stays.
    assert.ok((await readFile(join(bot.dataDir, 'packages', copy.location))).length > 0);
  });

  it('removes nothing when the isolated copy cannot be stored, and says so', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(alex, 'restrict');
    const stepId = 'restrict:crm';
    await card(megan, 'plan.preview', caseId, { stepId, mode: 'isolate' });
    const { hash } = (await step(caseId, stepId)).preview!;
    await card(adele, 'plan.approve', caseId, { stepId, previewHash: hash });
    // The store's folder for isolated copies cannot be made: a file stands in its place.
    await mkdir(join(bot.dataDir, 'packages'), { recursive: true });
    await writeFile(join(bot.dataDir, 'packages', 'isolated'), 'in the way');
    const before = await step(caseId, stepId);
    assert.match(
      await card(megan, 'plan.apply', caseId, { stepId }),
      /isolated copy of the records could not be stored, so nothing was isolated or removed/,
    );
    assert.deepEqual(crm.applied, []);
    const after = await step(caseId, stepId);
    assert.equal(after.state, before.state);
    assert.deepEqual(after.approval, before.approval, 'still approved, ready to try again');
    assert.equal(after.isolatedCopy, undefined);
    assert.ok(!(await audit(caseId)).some((e) => e.action === 'startStep'));
  });

  it('restricts with the chosen mode, records the before-state, and lifts it back', async function () {
    this.timeout(60_000);
    crm = ceSystem();
    bc = bcSystem();
    await start();
    const caseId = await plannedCase(alex, 'restrict');
    const stepId = 'restrict:crm';
    const plan = await card(megan, 'plan.show', caseId);
    assert.match(plan, /Extract to the package, then remove from processing/);
    assert.match(await card(megan, 'plan.preview', caseId, { stepId, mode: 'erase' }), /Choose how to restrict/);

    assert.match(await card(megan, 'plan.preview', caseId, { stepId, mode: 'flag' }), /donotcontact: "false" → "true"/);
    const flagged = (await step(caseId, stepId)).preview!;
    assert.deepEqual(flagged.request, { right: 'restrict', mode: 'flag' });

    // Isolation removes the records from processing: the person's package is made and handed over first.
    await card(megan, 'plan.preview', caseId, { stepId, mode: 'isolate' });
    const done = await approveAndApply(megan, caseId, stepId);
    assert.equal(done.state, 'done');
    assert.ok(done.packageId, 'the package of the isolated records is on the step');
    await bot.connector.waitFor(() =>
      bot.connector.sent(bot.personalConversation(megan)).find((a) => /package for/.test(String(a.text))),
    );
    assert.equal(crm.records.get('c1')!.fields.donotcontact, 'true');
    assert.match(await card(megan, 'plan.show', caseId), /Lift restriction/);

    assert.match(await card(megan, 'plan.lift', caseId, { stepId }), /restriction is lifted/);
    assert.equal(crm.records.get('c1')!.fields.donotcontact, 'false');
    assert.deepEqual(crm.lifted, ['c1']);
    assert.match(await card(megan, 'plan.lift', caseId, { stepId }), /already lifted/);
    assert.ok((await audit(caseId)).some((e) => e.action === 'liftStep' && e.outcome === 'applied'));
  });
});

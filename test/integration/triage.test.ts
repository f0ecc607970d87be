import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRIAGE_CHECKS } from '../../dsr/case.js';
import type { AuditEvent } from '../../dsr/audit.js';
import { verifyChain } from '../../dsr/audit.js';
import { BotHarness, cardOf, cardText, invokeCard, type PostResult } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { adele, alex, megan, type TeamsUser } from '../support/people.js';

const CHANNEL = '19:privacy-requests@thread.tacv2';
const outsider: TeamsUser = { id: '29:eve', aadObjectId: 'e0000000-0000-4000-8000-00000000000e', name: 'Eve Outsider' };
const allChecks = Object.fromEntries(TRIAGE_CHECKS.map((check) => [check, 'true']));

describe('triage and approval in the privacy channel', () => {
  let bot: BotHarness;

  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  async function fileCase(user: TeamsUser, subjectName = 'Maria Garcia'): Promise<string> {
    const replies = await bot.say(user, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const result = await bot.execute(user, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName,
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access,delete',
    });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
  }

  async function useChannel(user: TeamsUser) {
    return bot.say(user, '<at>DSR Assistant</at> use this channel', `${CHANNEL};messageid=1`);
  }

  function triageAct(user: TeamsUser, verb: string, caseId: string, version: number, extra = {}): Promise<PostResult> {
    return bot.execute(user, `triage.${verb}`, { caseId, version, ...extra }, `${CHANNEL};messageid=2`);
  }

  async function version(caseId: string): Promise<number> {
    return (await bot.app.store.getCase(caseId))!.version;
  }

  async function trail(caseId?: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    return events;
  }

  function triageThreads(): Array<Record<string, unknown>> {
    return bot.connector.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations').map((c) => c.body);
  }

  it('lets only the privacy team choose the channel, and posts each new case there as a thread', async () => {
    const refused = await useChannel(alex);
    assert.match(String(refused[0]?.text), /Only a member of the privacy team/);
    const accepted = await useChannel(megan);
    assert.match(String(accepted[0]?.text), /now receives every new data subject request/);

    const caseId = await fileCase(alex);
    const thread = await bot.connector.waitFor(() => triageThreads()[0]);
    assert.deepEqual((thread.channelData as { channel: { id: string } }).channel, { id: CHANNEL });
    const card = cardOf(thread.activity as Record<string, unknown>);
    assert.match(cardText(card), new RegExp(`New request ${caseId}`));
    for (const action of [
      'Assign to me',
      'Assign to…',
      'Identity verified',
      'Ask for proof of identity',
      'Approve',
      'Decline',
      'Extend deadline',
      'Add note',
    ]) {
      assert.ok(cardText(card).split('\n').includes(action), `the triage card offers "${action}"`);
    }
    assert.deepEqual(
      cardProblems(card, { 'triage.approve': ['caseId', 'version'], 'triage.assign': ['caseId', 'version'] }),
      [],
    );
    const settings = (await trail()).filter((e) => e.action === 'usePrivacyChannel').map((e) => e.outcome);
    assert.deepEqual(settings, ['refused', 'applied']);
  });

  it('gives a privacy team member the live triage card of a case in their own chat, and the requester only its status', async () => {
    const caseId = await fileCase(alex);
    const team = cardText(cardOf((await bot.say(adele, `status ${caseId}`))[0]));
    assert.match(team, new RegExp(`New request ${caseId}`));
    for (const action of ['Identity verified', 'Approve', 'Decline'])
      assert.ok(team.split('\n').includes(action), `the team's card offers "${action}"`);
    const requester = cardText(cardOf((await bot.say(alex, `status ${caseId}`))[0]));
    assert.match(requester, /Maria Garcia/);
    assert.ok(!requester.split('\n').includes('Approve'), 'the requester is offered no decision');
  });

  it('posts the cases that arrived before the channel was chosen', async () => {
    await fileCase(alex);
    assert.equal(triageThreads().length, 0);
    const accepted = await useChannel(megan);
    assert.match(String(accepted[0]?.text), /I posted the request that was waiting/);
    // Proactive messages travel through the outbox, so the thread follows the reply.
    await bot.connector.waitFor(() => triageThreads()[0]);
    assert.equal(triageThreads().length, 1);
  });

  it('approves once identity is verified and every check affirmed, and tells the requester', async () => {
    await useChannel(megan);
    const caseId = await fileCase(alex);
    const early = invokeCard(await triageAct(megan, 'approve', caseId, await version(caseId), allChecks));
    assert.match(cardText(early), /Verify the identity before approving/);

    await triageAct(megan, 'verifyIdentity', caseId, await version(caseId));
    const partial = invokeCard(
      await triageAct(megan, 'approve', caseId, await version(caseId), { noConflict: 'true' }),
    );
    assert.match(cardText(partial), /Affirm every check before approving/);
    assert.equal((await bot.app.store.getCase(caseId))!.status, 'received');

    const approved = invokeCard(await triageAct(megan, 'approve', caseId, await version(caseId), allChecks));
    assert.match(cardText(approved), /Approved by Megan Bowen/);
    assert.equal((await bot.app.store.getCase(caseId))!.status, 'approved');
    const news = await bot.connector.waitFor(() =>
      bot.connector.sent(bot.personalConversation(alex)).find((a) => /was approved/.test(String(a.text))),
    );
    assert.match(String(news.text), new RegExp(caseId));
  });

  it('never lets the requester decide their own case, even on the privacy team', async () => {
    const caseId = await fileCase(megan);
    await triageAct(adele, 'verifyIdentity', caseId, await version(caseId));
    const own = await triageAct(megan, 'approve', caseId, await version(caseId), allChecks);
    assert.match(cardText(invokeCard(own)), /another member of the privacy team must decide/);
    const ownDecline = await triageAct(megan, 'decline', caseId, await version(caseId), { reason: 'not-our-data' });
    assert.match(cardText(invokeCard(ownDecline)), /another member of the privacy team must decide/);
    const byAdele = await triageAct(adele, 'approve', caseId, await version(caseId), allChecks);
    assert.match(cardText(invokeCard(byAdele)), /Approved by Adele Vance/);
  });

  it('refuses and audits what an outsider, a forged card or a stale card tries', async () => {
    const caseId = await fileCase(alex);
    const v = await version(caseId);
    const byOutsider = await triageAct(outsider, 'approve', caseId, v, allChecks);
    assert.equal((byOutsider.body as { statusCode: number }).statusCode, 404);
    const byRequester = await triageAct(alex, 'assignSelf', caseId, v);
    assert.equal((byRequester.body as { statusCode: number }).statusCode, 403);
    const unknownCase = await triageAct(megan, 'approve', 'DSR-2026-9999', 1, allChecks);
    assert.equal((unknownCase.body as { statusCode: number }).statusCode, 404);
    const unknownVerb = await bot.execute(megan, 'triage.deleteEverything', { caseId, version: v });
    assert.equal((unknownVerb.body as { statusCode: number }).statusCode, 400);
    const forged = await triageAct(megan, 'decline', caseId, v, { reason: 'because' });
    assert.equal((forged.body as { statusCode: number }).statusCode, 400);

    await triageAct(megan, 'assignSelf', caseId, v);
    const stale = await triageAct(adele, 'assignSelf', caseId, v);
    assert.match(cardText(invokeCard(stale)), /changed since you looked at it/);
    assert.match(cardText(invokeCard(stale)), /Megan Bowen/);

    const dsrCase = (await bot.app.store.getCase(caseId))!;
    assert.equal(dsrCase.assignee?.name, 'Megan Bowen');
    assert.equal(dsrCase.status, 'received');
    const refusals = (await trail()).filter((e) => e.outcome === 'refused').length;
    assert.ok(refusals >= 6, `every refusal is audited (${refusals})`);

    // The outsider learns nothing: their answer is the one an unknown id gets.
    const answer = (result: PostResult) => JSON.stringify(result.body).replaceAll(/DSR-\d{4}-\d{4}/g, 'DSR-…');
    assert.equal(answer(byOutsider), answer(unknownCase));
    // The case's own trail shows who tried what, and why it was refused.
    const shown = cardText(cardOf((await bot.say(megan, `audit ${caseId}`))[0]));
    // In words, with the names Teams gave each person, and why each was refused.
    assert.match(shown, /Eve Outsider tried to approve the request, and was refused: their role does not allow it\./);
    assert.match(shown, /Alex Wilber tried to assign the case, and was refused: their role does not allow it\./);
    assert.match(
      shown,
      /Megan Bowen tried to act on the triage card, and was refused: what was entered was not valid\./,
    );
    assert.doesNotMatch(shown, new RegExp(`${outsider.aadObjectId}|${alex.aadObjectId}`));
    assert.equal((await verifyChain(bot.app.store.auditEvents(), bot.app.store.auditKeys)).intact, true);
  });

  it('assigns a case to another privacy team member, and to nobody else', async () => {
    await bot.say(adele, 'help');
    const caseId = await fileCase(alex);
    const toOutsider = await triageAct(megan, 'assign', caseId, await version(caseId), {
      assignee: outsider.aadObjectId,
    });
    assert.equal((toOutsider.body as { statusCode: number }).statusCode, 400);
    const toAdele = await triageAct(megan, 'assign', caseId, await version(caseId), { assignee: adele.aadObjectId });
    const card = invokeCard(toAdele);
    assert.match(cardText(card), /Assigned to[\s\S]*Adele Vance/);
    assert.equal((await bot.app.store.getCase(caseId))!.assignee?.id, adele.aadObjectId);
    const refresh = card.refresh as { userIds: string[] };
    assert.deepEqual(refresh.userIds.sort(), [`8:orgid:${adele.aadObjectId}`, `8:orgid:${megan.aadObjectId}`].sort());
  });

  const everyVerb: Array<[string, Record<string, string>]> = [
    ['assignSelf', {}],
    ['assign', { assignee: megan.aadObjectId }],
    ['verifyIdentity', {}],
    ['pause', { reason: 'Waiting' }],
    ['resume', {}],
    ['approve', allChecks],
    ['decline', { reason: 'not-our-data' }],
    ['extend', { reason: 'Many systems' }],
    ['close', {}],
  ];
  for (const [verb, inputs] of everyVerb) {
    it(`refuses "${verb}" from the requester and from an outsider, changing nothing`, async () => {
      const caseId = await fileCase(alex);
      const before = await bot.app.store.getCase(caseId);
      const byRequester = await triageAct(alex, verb, caseId, before!.version, inputs);
      const byOutsider = await triageAct(outsider, verb, caseId, before!.version, inputs);
      assert.ok([400, 403].includes((byRequester.body as { statusCode: number }).statusCode));
      assert.equal((byOutsider.body as { statusCode: number }).statusCode, 404);
      assert.deepEqual(await bot.app.store.getCase(caseId), before);
      const refused = (await trail()).filter(
        (e) => e.outcome === 'refused' && e.action.includes(verb === 'assign' ? 'assign' : ''),
      );
      assert.ok(refused.length >= 2, `both attempts are audited as refused (${refused.length})`);
    });
  }

  it('closes a declined case and tells the requester', async () => {
    const caseId = await fileCase(alex);
    await triageAct(megan, 'decline', caseId, await version(caseId), { declineReason: 'not-our-data' });
    const closed = await triageAct(megan, 'close', caseId, await version(caseId));
    assert.match(cardText(invokeCard(closed)), /Case closed/);
    assert.equal((await bot.app.store.getCase(caseId))!.status, 'closed');
    await bot.connector.waitFor(() =>
      bot.connector.sent(bot.personalConversation(alex)).find((a) => /is closed/.test(String(a.text))),
    );
  });

  it('applies exactly one of many simultaneous approvals', async () => {
    const caseId = await fileCase(alex);
    await triageAct(megan, 'verifyIdentity', caseId, await version(caseId));
    const v = await version(caseId);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => triageAct(i % 2 ? megan : adele, 'approve', caseId, v, allChecks)),
    );
    const applied = results.filter((r) => /Approved\. The requester has been told/.test(cardText(invokeCard(r))));
    assert.equal(applied.length, 1);
    const approvals = (await trail(caseId)).filter((e) => e.action === 'approve' && e.outcome === 'applied');
    assert.equal(approvals.length, 1);
  });

  it('declines with a reason from the list, explained when it is "other"', async () => {
    const caseId = await fileCase(alex);
    const vague = await triageAct(megan, 'decline', caseId, await version(caseId), { reason: 'other' });
    assert.match(cardText(invokeCard(vague)), /Explain the reason/);
    const declined = await triageAct(megan, 'decline', caseId, await version(caseId), {
      reason: 'manifestly-unfounded',
      explanation: 'Fifth identical request this week.',
    });
    assert.match(cardText(invokeCard(declined)), /Declined by Megan Bowen.*Manifestly unfounded/s);
    assert.equal((await bot.app.store.getCase(caseId))!.status, 'declined');
  });

  it('extends the deadline once, with a reason, and shows the new date', async () => {
    const caseId = await fileCase(alex);
    const before = (await bot.app.store.getCase(caseId))!.dueAt;
    const noReason = await triageAct(megan, 'extend', caseId, await version(caseId), { reason: ' ' });
    assert.match(cardText(invokeCard(noReason)), /Give the reason for the extension/);
    const extended = await triageAct(megan, 'extend', caseId, await version(caseId), {
      extendReason: 'Data in 12 systems.',
    });
    assert.match(cardText(invokeCard(extended)), /Deadline extended/);
    const after = (await bot.app.store.getCase(caseId))!.dueAt;
    assert.ok(new Date(after).getTime() - new Date(before).getTime() > 50 * 24 * 3600 * 1000);
    const again = await triageAct(megan, 'extend', caseId, await version(caseId), { reason: 'More.' });
    assert.match(cardText(invokeCard(again)), /already extended once/);
  });

  it('stops the clock while proof of identity is asked for, and records when it arrived', async () => {
    const caseId = await fileCase(alex);
    const paused = await triageAct(megan, 'pause', caseId, await version(caseId), {
      pauseReason: 'Asked for ID copy.',
      extendReason: 'typed into the other form',
    });
    assert.match(cardText(invokeCard(paused)), /The clock stands still until it arrives \(GDPR Art\. 12\(6\)\)/);
    assert.match(cardText(invokeCard(paused)), /Asked for ID copy/);
    const future = await triageAct(megan, 'resume', caseId, await version(caseId), { arrivedOn: '2999-01-01' });
    assert.match(cardText(invokeCard(future)), /cannot have arrived in the future/);
    assert.notEqual((await bot.app.store.getCase(caseId))!.pause, null);
    const resumed = await triageAct(megan, 'resume', caseId, await version(caseId), { arrivedOn: '' });
    assert.match(cardText(invokeCard(resumed)), /Proof arrived: the clock runs again/);
    assert.match(cardText(invokeCard(resumed)), /arrived on .*: 0 days added to the deadline/);
    assert.equal((await bot.app.store.getCase(caseId))!.pause, null);
  });

  it('refreshes a card with the view the viewer may have', async () => {
    const caseId = await fileCase(alex);
    const forTeam = await bot.execute(megan, 'triage.refresh', { caseId }, `${CHANNEL};messageid=3`);
    assert.match(cardText(invokeCard(forTeam)), /Before you approve/);
    const forRequester = await bot.execute(alex, 'triage.refresh', { caseId });
    assert.doesNotMatch(cardText(invokeCard(forRequester)), /Before you approve/);
    const forOutsider = await bot.execute(outsider, 'triage.refresh', { caseId, junk: randomUUID() });
    assert.equal((forOutsider.body as { statusCode: number }).statusCode, 404);
  });

  it('answers a refresh of an unchanged card with the same card, which asks for no further refresh', async () => {
    await bot.say(adele, 'help');
    const caseId = await fileCase(alex);
    const verified = invokeCard(await triageAct(megan, 'verifyIdentity', caseId, await version(caseId)));
    assert.match(cardText(verified), /Identity marked as verified/);
    // The answer to the action is live: the client refreshes it when it is displayed.
    const refresh = (verified.refresh as { action: { verb: string; data: Record<string, unknown> } }).action;
    const first = invokeCard(await bot.execute(megan, refresh.verb, refresh.data, `${CHANNEL};messageid=2`));
    assert.equal(first.refresh, undefined, 'an answered refresh of an unchanged case asks for none');
    const shown = { ...verified };
    delete shown.refresh;
    assert.deepEqual(first, shown, 'nothing the reader sees changes, so nothing they ticked is cleared');
    const second = invokeCard(await bot.execute(megan, refresh.verb, refresh.data, `${CHANNEL};messageid=2`));
    assert.deepEqual(second, first);

    // Once the case changes, the refresh shows the change and stays live for the next one.
    await triageAct(adele, 'assignSelf', caseId, await version(caseId));
    const changed = invokeCard(await bot.execute(megan, refresh.verb, refresh.data, `${CHANNEL};messageid=2`));
    assert.match(cardText(changed), /Adele Vance/);
    assert.doesNotMatch(cardText(changed), /Identity marked as verified/);
    assert.ok(changed.refresh, 'a changed case keeps its card live');
  });

  it("answers a refresh of the requester's unchanged case card with the same card, which asks for no further refresh", async () => {
    const replies = await bot.say(alex, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const recorded = invokeCard(
      await bot.execute(alex, 'intake.submit', {
        intakeId: actions[0]!.data.intakeId,
        subjectName: 'Maria Garcia',
        subjectEmails: 'maria.garcia@example.org',
        requestTypes: 'access',
      }),
    );
    const caseId = /DSR-\d{4}-\d{4}/.exec(cardText(recorded))![0];
    assert.match(cardText(recorded), /Request recorded/);
    const refresh = (recorded.refresh as { action: { verb: string; data: Record<string, unknown> } }).action;
    const first = invokeCard(await bot.execute(alex, refresh.verb, refresh.data));
    assert.equal(first.refresh, undefined, 'an answered refresh of an unchanged case asks for none');
    const shown = { ...recorded };
    delete shown.refresh;
    assert.deepEqual(first, shown, 'the requester sees the same card, title included');
    assert.deepEqual(invokeCard(await bot.execute(alex, refresh.verb, refresh.data)), first);

    // Once the case changes, the refresh shows it and stays live for the next change.
    await triageAct(megan, 'verifyIdentity', caseId, await version(caseId));
    const changed = invokeCard(await bot.execute(alex, refresh.verb, refresh.data));
    assert.doesNotMatch(cardText(changed), /Request recorded/);
    assert.ok(changed.refresh, 'a changed case keeps its card live');
  });
});

describe('the audit trail in chat', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  it('shows a case’s trail and verifies the chain for the privacy team only', async () => {
    const replies = await bot.say(alex, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const created = await bot.execute(alex, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    const caseId = /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(created)))![0];

    const denied = await bot.say(alex, `audit ${caseId}`);
    assert.match(String(denied[0]?.text), /Only the privacy team/);
    const shown = cardText(cardOf((await bot.say(megan, `audit ${caseId}`))[0]));
    assert.match(shown, /Alex Wilber filed the request/);
    assert.doesNotMatch(shown, /Maria|example\.org/);
    const verified = await bot.say(megan, 'verify audit');
    assert.match(String(verified[0]?.text), /intact: \d+ events/);
    // The head as the privacy team reads it in Teams, to give back later.
    const witnessed = /"(verify audit \d+ [0-9a-f]{8})"/.exec(String(verified[0]?.text))![1]!;
    assert.match(String((await bot.say(megan, witnessed))[0]?.text), /intact/);

    // Someone cuts the last event off the trail and its head, behind the bot's back.
    const path = join(bot.dataDir, 'audit.jsonl');
    const whole = await readFile(path, 'utf8');
    const head = await readFile(join(bot.dataDir, 'audit-head.json'), 'utf8');
    const cut = whole.trimEnd().split('\n').slice(0, -1);
    await writeFile(path, `${cut.join('\n')}\n`);
    const last = JSON.parse(cut.at(-1)!) as { seq: number; hash: string };
    await writeFile(join(bot.dataDir, 'audit-head.json'), JSON.stringify({ seq: last.seq, hash: last.hash }));
    assert.match(String((await bot.say(megan, 'verify audit'))[0]?.text), /intact/);
    assert.match(String((await bot.say(megan, witnessed))[0]?.text), /shorter than the head you saw/);
    await writeFile(path, whole);
    await writeFile(join(bot.dataDir, 'audit-head.json'), head);

    // Someone edits the trail on disk: the actor of the case's creation (after the key's introduction).
    await bot.say(megan, `audit ${caseId}`);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    lines[1] = lines[1]!.replace(alex.aadObjectId, megan.aadObjectId);
    await writeFile(path, `${lines.join('\n')}\n`);
    const broken = await bot.say(megan, 'verify audit');
    assert.match(String(broken[0]?.text), /broken at event #2: its content was changed/);
  });
});

describe('exporting a case’s audit trail', () => {
  let bot: BotHarness;
  let now: Date;
  beforeEach(async () => {
    now = new Date();
    bot = await new BotHarness({}, { clock: { now: () => now } }).start();
  });
  afterEach(() => bot.stop());

  async function fileCase(): Promise<string> {
    const replies = await bot.say(alex, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const result = await bot.execute(alex, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
  }

  function linkIn(text: unknown): string {
    return /https?:\/\/\S+/.exec(String(text))![0];
  }

  it('sends a private, expiring CSV link and audits the download', async () => {
    const caseId = await fileCase();
    await bot.say(megan, 'help');
    const inChannel = await bot.say(megan, `export audit ${caseId}`, '19:privacy@thread.tacv2;messageid=9');
    assert.match(String(inChannel[0]?.text), /sent you the link in our 1:1 chat/);
    const privately = await bot.connector.waitFor(() =>
      bot.connector.sent(bot.personalConversation(megan)).find((a) => /audit trail of/.test(String(a.text))),
    );
    assert.equal(
      bot.connector.sent('19:privacy@thread.tacv2;messageid=9').some((a) => /https?:/.test(String(a.text))),
      false,
      'no link is ever posted in the channel',
    );
    const link = linkIn(privately.text).replace('localhost', '127.0.0.1');

    const response = await fetch(link);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', new RegExp(`${caseId}-audit.csv`));
    const rows = (await response.text()).trimEnd().split('\r\n');
    assert.equal(rows[0], 'seq,at,caseId,action,outcome,actorId,actorName,version,detail,prevHash,hash');
    // The id as the trail keeps it, and beside it the name the directory gives now.
    assert.match(rows[1]!, new RegExp(`,${caseId},create,applied,${alex.aadObjectId},Alex Wilber,1,`));
    assert.doesNotMatch(rows.join('\n'), /Maria|example\.org/);

    const forOther = link.replace(`u=${megan.aadObjectId}`, `u=${adele.aadObjectId}`);
    assert.equal((await fetch(forOther)).status, 403);
    const otherCase = link.replace(caseId, 'DSR-2026-0999');
    assert.equal((await fetch(otherCase)).status, 403);

    now = new Date(now.getTime() + 16 * 60 * 1000);
    const late = await fetch(link);
    assert.equal(late.status, 403);
    assert.match(await late.text(), /expired/);

    const downloads: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) {
      if (event.action === 'downloadAuditTrail') downloads.push(event);
    }
    assert.equal(downloads.length, 1);
    assert.equal(downloads[0]!.actorId, megan.aadObjectId);
  });

  it('gives nothing to someone outside the privacy team', async () => {
    const caseId = await fileCase();
    const replies = await bot.say(alex, `export audit ${caseId}`);
    assert.match(String(replies[0]?.text), /Only the privacy team/);
  });
});

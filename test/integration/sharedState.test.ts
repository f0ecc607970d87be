import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationReference } from 'botbuilder';
import { TRIAGE_CHECKS } from '../../dsr/case.js';
import { PostgresOutboxStore } from '../../storage/postgresShared.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
import { BotHarness, cardOf, cardText, invokeCard, type PostResult } from '../support/botHarness.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { adele, alex, megan, type TeamsUser } from '../support/people.js';
import { CaseFlow } from '../support/caseFlow.js';

const CHANNEL = '19:privacy-requests@thread.tacv2';
const THREAD = `${CHANNEL};messageid=2`;
const allChecks = Object.fromEntries(TRIAGE_CHECKS.map((check) => [check, 'true']));
const MONDAY = Date.parse('2026-03-02T08:00:00Z');

describe('what instances share besides cases: reminders, outbox, references, packages', function () {
  skipWithoutDatabase(this);
  this.timeout(90_000);
  let schema: string;
  let packagesDir: string;
  let bots: BotHarness[];
  let now: number;

  async function start(count: number, extra: Record<string, string> = {}): Promise<void> {
    const env = {
      DSR_DATABASE_URL: testDatabaseUrl()!,
      DSR_DATABASE_SCHEMA: schema,
      DSR_PACKAGES_DIR: packagesDir,
      DSR_LINK_SECRET: 'a shared secret every instance of this deployment knows',
      // The test runs the reminder passes itself, on every instance at once.
      DSR_REMINDERS: 'off',
      ...extra,
    };
    const clock = { now: () => new Date(now) };
    bots = await Promise.all(Array.from({ length: count }, () => new BotHarness(env, { clock }).start()));
  }

  beforeEach(async () => {
    schema = freshSchema();
    packagesDir = await mkdtemp(join(tmpdir(), 'dsr-packages-'));
    now = MONDAY;
    bots = [];
  });
  afterEach(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await dropSchema(schema);
    await rm(packagesDir, { recursive: true, force: true });
  });

  const everyDelivery = () => bots.flatMap((bot) => bot.connector.delivered());

  async function fileCase(user: TeamsUser, via: [BotHarness, BotHarness]): Promise<string> {
    const replies = await via[0].say(user, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const result = await via[1].execute(user, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access,delete',
    });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
  }

  async function eventually<T>(find: () => Promise<T | undefined>): Promise<T> {
    for (let tries = 0; tries < 200; tries += 1) {
      const found = await find();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('gave up waiting');
  }

  async function stateOf<T>(key: string): Promise<T | undefined> {
    return (await bots[0]!.app.store.state.read([key]))[key]?.value as T | undefined;
  }

  for (const count of [2, 3]) {
    it(`sends a due reminder once when ${count} instances run the reminder pass together`, async () => {
      await start(count);
      // The first instance takes the reminder pass before the case exists, so it has to learn of
      // the case filed through another instance from the database.
      await bots[0]!.app.reminders.tick();
      await bots[0]!.say(megan, 'use this channel', CHANNEL);
      const caseId = await fileCase(alex, [bots[count - 1]!, bots[1]!]);
      // The triage card opens the case's thread; reminders about the case go there.
      await eventually(() => stateOf(`dsr/thread/${caseId}`));

      // Two days later nobody has decided: the approval reminder is due.
      now = MONDAY + 3 * 86_400_000 + 6 * 3_600_000;
      const reminded = () => everyDelivery().filter((call) => /^Waiting for approval/.test(String(call.body.text)));
      const digests = () => everyDelivery().filter((call) => /Data subject requests:/.test(JSON.stringify(call.body)));
      await Promise.all(bots.map((bot) => bot.app.reminders.tick()));
      await Promise.all(bots.map((bot) => bot.app.reminders.tick()));
      await bots[0]!.connector.waitFor(() => (reminded().length > 0 ? true : undefined), 20_000);
      await Promise.all(bots.map((bot) => bot.app.reminders.tick()));
      // Give a duplicate the time to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(reminded().length, 1);
      assert.match(String(reminded()[0]!.body.text), new RegExp(caseId));
      assert.equal(digests().length, 1, 'the morning digest is posted once too');
    });
  }

  it('sends a message whose sender died with it claimed, once, from another instance after the lease', async () => {
    await start(2);
    await bots[1]!.say(alex, 'help');
    const reference = await stateOf<Partial<ConversationReference>>(`dsr/user/${alex.aadObjectId}`);
    assert.ok(reference?.conversation?.id, 'the reference is readable through the other instance');

    // Instance A records the message and takes it to send, then dies before sending.
    const a = new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema, poolSize: 2 });
    await a.open();
    const outboxOfA = new PostgresOutboxStore(a);
    const id = 'test|orphaned-by-a-dead-instance';
    try {
      await outboxOfA.enqueue(
        {
          id,
          conversationKey: reference.conversation.id,
          destination: { kind: 'conversation', reference: reference },
          activity: { type: 'message', text: 'A message instance A never got to send' },
        },
        new Date(),
      );
      assert.equal(await outboxOfA.claim(id, 'instance-a', new Date(), new Date(Date.now() + 3_000)), true);
      await bots[0]!.stop();
      bots.shift();

      const sent = () =>
        bots[0]!.connector.sent(bots[0]!.personalConversation(alex)).filter((m) => /never got/.test(String(m.text)));
      await bots[0]!.connector.waitFor(() => (sent().length > 0 ? true : undefined), 30_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(sent().length, 1);
      const record = await outboxOfA.get(id);
      assert.equal(record?.status, 'sent');
      assert.equal(record?.attempts, 1);
    } finally {
      await a.close();
    }
  });

  it('tells the requester through the conversation another instance recorded', async () => {
    await start(2);
    const [a, b] = [bots[0]!, bots[1]!];
    const caseId = await fileCase(alex, [a, a]);
    const version = async () => (await a.app.store.getCase(caseId))!.version;
    await b.execute(megan, 'triage.verifyIdentity', { caseId, version: await version() }, THREAD);
    const approved = await b.execute(
      adele,
      'triage.approve',
      { caseId, version: await version(), ...allChecks },
      THREAD,
    );
    assert.match(cardText(invokeCard(approved)), /Approved/);
    const told = () =>
      a.connector.sent(a.personalConversation(alex)).filter((m) => /was approved/.test(String(m.text)));
    await a.connector.waitFor(() => (told().length > 0 ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(told().length, 1);
    assert.equal(b.connector.sent(a.personalConversation(alex)).length, 0, 'B knew alex only through what A stored');
  });

  it('opens a download link made on one instance from another, for its owner only', async () => {
    now = Date.now();
    await start(2);
    const [a, b] = [bots[0]!, bots[1]!];
    const press = (user: TeamsUser, verb: string, data: Record<string, unknown>): Promise<PostResult> =>
      a.post({
        ...a.base(user, THREAD),
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'card-1',
        value: { action: { type: 'Action.Execute', verb, data } },
      });
    await a.say(megan, 'help');
    const caseId = await fileCase(alex, [a, a]);
    const version = async () => (await a.app.store.getCase(caseId))!.version;
    const act = async (user: TeamsUser, verb: string, extra: Record<string, unknown> = {}) =>
      press(user, verb, { caseId, version: await version(), ...extra });
    await act(megan, 'triage.verifyIdentity');
    await act(adele, 'triage.approve', allChecks);
    await act(megan, 'discovery.find');
    await a.connector.waitFor(
      () => a.connector.calls.find((c) => c.method === 'PUT' && /Findings for/.test(JSON.stringify(c.body))),
      30_000,
    );
    // The sandbox's other Maria Garcia, found by the name alone, is set aside first.
    await new CaseFlow(() => a, 'card-1').setAsideCandidates(megan, caseId);
    await act(megan, 'plan.create');
    await act(megan, 'plan.preparePackage', { stepId: 'package' });
    const delivered = await a.connector.waitFor(
      () => a.connector.sent(a.personalConversation(megan)).find((m) => /package for/.test(String(m.text))),
      30_000,
    );
    const link = new URL(/\((https?:[^)]+)\)/.exec(String(delivered.text))![1]!);
    link.hostname = '127.0.0.1';
    link.port = String(b.app.port);
    const opened = await fetch(link);
    assert.equal(opened.status, 200);
    assert.equal(opened.headers.get('content-type'), 'application/zip');
    assert.ok((await opened.arrayBuffer()).byteLength > 0);

    const wrongPerson = new URL(link);
    wrongPerson.searchParams.set('u', adele.aadObjectId);
    assert.equal((await fetch(wrongPerson)).status, 403);
  });
});

import assert from 'node:assert/strict';
import { PostgresChangeLedger } from '../../storage/postgresChangeLedger.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
import { PACKAGE_STEP_ID } from '../../dsr/plan.js';
import { BotHarness } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { FakeChangeSystem, fakeInfo } from '../support/fakeChangeSystem.js';
import { adele, alex, megan } from '../support/people.js';

const LEASE_MS = 60_000;

/**
 * Two instances on one database: a step whose instance died is never read as done, is not taken
 * over while that instance's lease runs, and is finished by the other one afterwards without
 * repeating a record.
 */
describe('a step cut short on one instance, finished on another', function () {
  skipWithoutDatabase(this);
  this.timeout(90_000);
  let schema: string;
  let bots: BotHarness[];
  let now: number;
  let db: PostgresCaseStore;

  beforeEach(() => {
    schema = freshSchema();
    now = Date.now();
    bots = [];
    db = new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema });
  });
  afterEach(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await db.close();
    await dropSchema(schema);
  });

  async function start(overrides: ConstructorParameters<typeof BotHarness>[1] = {}): Promise<[BotHarness, BotHarness]> {
    const env = { DSR_DATABASE_URL: testDatabaseUrl()!, DSR_DATABASE_SCHEMA: schema, DSR_REMINDERS: 'off' };
    const clock = { now: () => new Date(now) };
    for (let i = 0; i < 2; i += 1) bots.push(await new BotHarness(env, { clock, ...overrides }).start());
    await db.open();
    for (const bot of bots) {
      await bot.say(megan, 'help');
      await bot.say(adele, 'help');
    }
    return [bots[0]!, bots[1]!];
  }

  /** As if the instance had died holding the step: its lease stays until it runs out. */
  async function deadInstanceHolds(caseId: string, stepId: string): Promise<void> {
    const ledger = new PostgresChangeLedger(db);
    const held = await ledger.claimLease(
      caseId,
      stepId,
      'an instance that died',
      new Date(now),
      new Date(now + LEASE_MS),
    );
    assert.ok(held);
  }

  it('resumes a deletion on the other instance once the dead one’s lease ran out', async () => {
    const crm = new FakeChangeSystem(fakeInfo('crm', 'Dynamics 365 Customer Engagement'), [
      { kind: 'activity', id: 'a1', fields: { subject: 'Call 1' }, etag: 1, order: 0 },
      { kind: 'activity', id: 'a2', fields: { subject: 'Call 2' }, etag: 1, order: 0 },
      { kind: 'activity', id: 'a3', fields: { subject: 'Call 3' }, etag: 1, order: 0 },
      {
        kind: 'contact',
        id: 'c1',
        fields: { name: 'Maria Garcia', emailaddress1: 'maria@old.example' },
        etag: 1,
        order: 1,
      },
    ]);
    const [first, second] = await start({ connectors: [crm.connector()] });
    const onFirst = new CaseFlow(() => first);
    const onSecond = new CaseFlow(() => second);
    const caseId = await onFirst.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria@old.example',
      requestTypes: 'delete',
    });
    const stepId = 'delete:crm';
    await onFirst.card(megan, 'plan.preview', caseId, { stepId });
    const { hash } = (await onFirst.step(caseId, stepId))!.preview!;
    assert.match(await onSecond.card(adele, 'plan.approve', caseId, { stepId, previewHash: hash }), /Approved/);

    crm.hang('a3');
    assert.match(await onFirst.card(megan, 'plan.apply', caseId, { stepId }), /Running/);
    await crm.hanging;
    await first.stop();
    bots.shift();
    await deadInstanceHolds(caseId, stepId);

    assert.equal((await onSecond.step(caseId, stepId))!.state, 'running', 'never read as done');
    assert.doesNotMatch(await onSecond.card(megan, 'plan.show', caseId), /Resume/);
    assert.match(await onSecond.card(megan, 'plan.resume', caseId, { stepId }), /not waiting to be resumed/);
    assert.match(await onSecond.card(megan, 'plan.apply', caseId, { stepId }), /cannot be started|being run/);

    now += LEASE_MS + 1_000;
    assert.match(await onSecond.card(megan, 'plan.show', caseId), /Resume/);
    crm.hangOn = undefined;
    assert.match(await onSecond.card(megan, 'plan.resume', caseId, { stepId }), /Resumed/);
    await second.app.runner.settled(caseId, stepId);
    assert.equal((await onSecond.step(caseId, stepId))!.state, 'done');
    assert.deepEqual([...crm.applied].sort(), ['a1', 'a2', 'a3', 'c1'], 'each record applied once');
    assert.equal(crm.records.size, 0);
  });

  it('builds the package on the other instance once the dead one’s lease ran out, never twice at once', async () => {
    // Each instance searches its own sandbox, as two instances would the same systems.
    const [first, second] = await start();
    const onFirst = new CaseFlow(() => first);
    const onSecond = new CaseFlow(() => second);
    const caseId = await onFirst.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    const planned = (await second.app.store.getCase(caseId))!;
    const started = await second.app.services.cases.act(
      { id: megan.aadObjectId, name: megan.name },
      caseId,
      planned.version,
      { kind: 'startStep', stepId: PACKAGE_STEP_ID },
    );
    assert.ok(started.ok);
    await first.stop();
    bots.shift();
    await deadInstanceHolds(caseId, PACKAGE_STEP_ID);

    const prepare = () => onSecond.press(megan, 'plan.preparePackage', caseId, { stepId: PACKAGE_STEP_ID });
    assert.match(JSON.stringify((await prepare()).body), /still being prepared/);
    assert.equal((await onSecond.step(caseId, PACKAGE_STEP_ID))!.state, 'running');

    now += LEASE_MS + 1_000;
    await prepare();
    const chat = second.personalConversation(megan);
    await second.connector.waitFor(
      () => second.connector.sent(chat).find((a) => /package for/.test(String(a.text))),
      30_000,
    );
    const step = (await onSecond.step(caseId, PACKAGE_STEP_ID))!;
    assert.equal(step.state, 'done');
    assert.ok(step.packageId);
  });
});

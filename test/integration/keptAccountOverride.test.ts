import assert from 'node:assert/strict';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import { ConnectorRegistry } from '../../connectors/registry.js';
import type { AuditEvent } from '../../dsr/audit.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import { bearer, call } from '../sandbox/helpers.js';
import { BotHarness, cardText, invokeCard } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { CaseFlow } from '../support/caseFlow.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';
import { adele, alex, megan } from '../support/people.js';

const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };
const priya = subjects.priyaNair;
const STEP = 'delete:graph';
const REASON = 'Her employment ended last week; HR confirmed the worker record is only not yet updated.';

/**
 * A kept Entra account (enabled, and of a worker not terminated) is deleted only on a privacy
 * officer's written override, which makes a new preview that another officer approves.
 */
describe('a privacy officer overrides a kept Entra account', function () {
  let sandbox: Sandbox;
  let bot: BotHarness;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox?.close());
  beforeEach(async () => {
    sandbox.reset();
    const settings = sandboxConnectorSettings(sandbox);
    const connectors = ConnectorRegistry.fromConfig(settings.config, {
      source: 'test',
      credentials: settings.credentials,
      caPem: settings.caPem,
      retry: FAST_RETRY,
    });
    bot = await new BotHarness(
      { DSR_REMINDERS: 'off', DSR_KEPT_PERIODS: TEST_KEPT_PERIODS },
      { connectors: connectors.all() },
    ).start();
    await bot.say(megan, 'help');
    await bot.say(adele, 'help');
  });
  afterEach(() => bot.stop());

  const flow = new CaseFlow(() => bot);
  const override = (user: typeof megan, caseId: string, recordId: string, reason: unknown, extra = {}) =>
    flow.card(user, 'plan.override', caseId, {
      stepId: STEP,
      recordId,
      kind: 'user',
      [`overrideReason.${recordId}.${STEP}`]: reason,
      ...extra,
    });
  async function audit(caseId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    return events;
  }
  async function accountStatus(): Promise<number> {
    const headers = await bearer(sandbox, sandbox.resources.graph);
    return (await call(sandbox, `${sandbox.endpoints.graph}users/${priya.entraId}?$select=id`, { headers })).status;
  }
  const planned = (requester: typeof megan) =>
    flow.planned(requester, {
      subjectName: 'Priya Nair',
      subjectEmails: priya.email,
      employeeId: priya.employeeId,
      requestTypes: 'delete',
    });

  it('deletes the account only after a written override and another officer’s approval', async function () {
    this.timeout(120_000);
    const caseId = await planned(alex);
    const keptCard = invokeCard(await flow.press(megan, 'plan.preview', caseId, { stepId: STEP }));
    assert.match(cardText(keptCard), /Override: delete anyway/);
    assert.deepEqual(
      cardProblems(keptCard, { 'plan.override': ['caseId', 'version', 'stepId', 'recordId', 'kind'] }),
      [],
    );
    const before = (await flow.step(caseId, STEP))!;
    assert.equal(before.state, 'retained');
    assert.ok(before.preview!.retained.some((r) => r.kind === 'user' && r.id === priya.entraId));
    const unchanged = async (why: string) => {
      const step = (await flow.step(caseId, STEP))!;
      assert.equal(step.overrides, undefined, why);
      assert.equal(step.preview!.hash, before.preview!.hash, why);
      assert.equal(step.state, 'retained', why);
    };

    // Refused, changing nothing: an outsider, no reason, a reason too long, a stale card, a record not kept.
    const outsider = await flow.press(alex, 'plan.override', caseId, {
      stepId: STEP,
      recordId: priya.entraId,
      kind: 'user',
      [`overrideReason.${priya.entraId}.${STEP}`]: REASON,
    });
    assert.equal(outsider.status, 403);
    assert.match(JSON.stringify(outsider.body), /Only the privacy team/);
    await unchanged('an outsider');
    assert.match(await override(megan, caseId, priya.entraId, '   '), /Write why/);
    await unchanged('an empty reason');
    assert.match(await override(megan, caseId, priya.entraId, 'x'.repeat(501)), /500 characters/);
    await unchanged('a reason too long');
    const stale = await override(megan, caseId, priya.entraId, REASON, { version: (await flow.version(caseId)) - 1 });
    assert.match(stale, /changed since you looked/);
    await unchanged('a stale card');
    const other = 'e1a0b2c3-0006-4d00-8a00-0000000000ff';
    assert.match(await override(megan, caseId, other, REASON), /does not keep that account/);
    await unchanged('a record that is not kept');
    assert.equal(await accountStatus(), 200);

    // Megan overrides: a new preview deletes the account, and her override is on the step.
    const overridden = await override(megan, caseId, priya.entraId, REASON);
    assert.match(overridden, /Override recorded/);
    const step = (await flow.step(caseId, STEP))!;
    assert.equal(step.state, 'waiting-approval');
    assert.notEqual(step.preview!.hash, before.preview!.hash);
    assert.equal(step.preview!.counts.user, 1);
    assert.ok(!step.preview!.retained.some((r) => r.id === priya.entraId));
    assert.deepEqual(
      step.overrides!.map((o) => [o.recordId, o.byId, o.reason]),
      [[priya.entraId, megan.aadObjectId, REASON]],
    );
    assert.ok(!(await bot.app.store.getCase(caseId))!.kept?.some((k) => k.id === priya.entraId));
    const trail = await audit(caseId);
    const recorded = trail.find((e) => e.action === 'previewStep' && e.outcome === 'applied' && e.detail?.overrideOf);
    assert.equal(recorded?.detail?.overrideOf, priya.entraId);
    assert.doesNotMatch(JSON.stringify(trail), /HR confirmed|Priya|Nair/i, 'the trail holds no reason text');

    // Four eyes: Megan wrote the override and cannot approve; Adele approves; it is applied.
    const hash = step.preview!.hash;
    assert.match(
      await flow.card(megan, 'plan.approve', caseId, { stepId: STEP, previewHash: hash }),
      /another member of the privacy team/,
    );
    assert.equal((await flow.step(caseId, STEP))!.approval, undefined);
    assert.match(await flow.card(adele, 'plan.approve', caseId, { stepId: STEP, previewHash: hash }), /Approved/);
    assert.match(await flow.card(adele, 'plan.apply', caseId, { stepId: STEP }), /Running/);
    await bot.app.runner.settled(caseId, STEP);
    assert.equal((await flow.step(caseId, STEP))!.state, 'done');
    assert.equal(await accountStatus(), 404);
  });

  it('refuses the override to the officer who filed the request', async function () {
    this.timeout(120_000);
    const caseId = await planned(megan);
    await flow.card(adele, 'plan.preview', caseId, { stepId: STEP });
    const hash = (await flow.step(caseId, STEP))!.preview!.hash;
    assert.match(await override(megan, caseId, priya.entraId, REASON), /You filed this request/);
    const step = (await flow.step(caseId, STEP))!;
    assert.equal(step.overrides, undefined);
    assert.equal(step.preview!.hash, hash);
    assert.equal(await accountStatus(), 200);
  });
});

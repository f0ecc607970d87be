import assert from 'node:assert/strict';
import { ConnectorRegistry } from '../../connectors/registry.js';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import type { AuditEvent } from '../../dsr/audit.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import { bearer, call } from '../sandbox/helpers.js';
import { BotHarness } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { adele, alex, megan, type TeamsUser } from '../support/people.js';

const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };
const maria = subjects.mariaGarcia;
const jordan = subjects.jordanLee;
const priya = subjects.priyaNair;

/**
 * Each right end to end through the bot's HTTP endpoint, against the real connectors and the
 * sandbox's HTTPS services: what the privacy team presses, what the systems then hold.
 */
describe('the rights carried out in the systems (sandbox)', () => {
  let sandbox: Sandbox;
  let bot: BotHarness;
  let connectors: () => ConnectorRegistry;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(async () => {
    sandbox.reset();
    const settings = sandboxConnectorSettings(sandbox);
    connectors = () =>
      ConnectorRegistry.fromConfig(settings.config, {
        source: 'test',
        credentials: settings.credentials,
        caPem: settings.caPem,
        retry: FAST_RETRY,
      });
    bot = await new BotHarness({}, { connectors: connectors().all() }).start();
    await bot.say(megan, 'help');
    await bot.say(adele, 'help');
  });
  afterEach(() => bot.stop());

  const flow = new CaseFlow(() => bot);
  const card = (user: TeamsUser, verb: string, caseId: string, extra: Record<string, unknown> = {}) =>
    flow.card(user, verb, caseId, extra);
  const step = (caseId: string, stepId: string) => flow.step(caseId, stepId);

  /** Filed by Alex, verified and approved by Megan, searched in every system, planned. */
  const plannedCase = (name: string, identifiers: Record<string, string>, requestTypes: string) =>
    flow.planned(alex, { subjectName: name, requestTypes, ...identifiers });

  /** Megan previews, Adele approves what Megan saw, Megan applies; the run is awaited. */
  async function carryOut(caseId: string, stepId: string, extra: Record<string, unknown> = {}): Promise<string> {
    const preview = await card(megan, 'plan.preview', caseId, { stepId, ...extra });
    const { hash } = (await step(caseId, stepId))!.preview!;
    assert.match(await card(megan, 'plan.approve', caseId, { stepId, previewHash: hash }), /another member/);
    assert.match(await card(adele, 'plan.approve', caseId, { stepId, previewHash: hash }), /Approved/);
    assert.match(await card(megan, 'plan.apply', caseId, { stepId }), /Running/);
    await bot.app.runner.settled(caseId, stepId);
    return preview;
  }

  async function tickGuided(caseId: string): Promise<void> {
    for (const open of (await bot.app.store.getCase(caseId))!.plan!.steps) {
      if (open.mode === 'guided' && open.state === 'todo')
        assert.match(
          await card(megan, 'plan.tick', caseId, {
            stepId: open.id,
            note: 'Done as the guide says',
            evidence: 'https://contoso.sharepoint.com/sites/privacy/evidence.xlsx',
          }),
          /Marked done/,
        );
    }
  }

  async function audit(caseId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    return events;
  }

  const dataverse = async (path: string) =>
    call(sandbox, `${sandbox.endpoints.dataverse}${path}`, {
      headers: await bearer(sandbox, sandbox.resources.dataverse),
    });
  const graph = async (path: string) =>
    call(sandbox, `${sandbox.endpoints.graph}${path}`, { headers: await bearer(sandbox, sandbox.resources.graph) });

  it('erases Maria Garcia everywhere she is, keeps the posted invoices with the reason, and re-finds nothing', async function () {
    this.timeout(90_000);
    const caseId = await plannedCase('Maria Garcia', { subjectEmails: maria.email }, 'delete');

    const bcPreview = await carryOut(caseId, 'delete:bc');
    assert.match(bcPreview, /sales invoice/i, 'the preview names the kept invoices');
    const bc = (await step(caseId, 'delete:bc'))!;
    assert.equal(bc.state, 'done', bc.error);
    assert.match(bc.reason ?? '', /kept/);

    await carryOut(caseId, 'delete:crm');
    const crm = (await step(caseId, 'delete:crm'))!;
    assert.equal(crm.state, 'done', crm.error);
    // What the API cannot delete is named in a step by hand, never dropped between findings and response.
    const byHand = (await step(caseId, 'delete:crm:by-hand'))!;
    assert.equal(byHand.state, 'todo');
    const listed = byHand.instructions.map((i) => i.text).join('\n');
    assert.match(listed, /2 activity party records the deletion leaves: .*maria\.garcia@example\.org/);
    assert.match(
      listed,
      /1 account \(primary contact\) record the deletion leaves: .*primary contact.*Garcia Traducciones/,
    );
    assert.doesNotMatch(listed, /marketing interaction/, 'interactions go with the contact');
    assert.equal((await dataverse(`contacts(${maria.crmContactId})`)).status, 404, 'the contact is gone');
    assert.equal((await dataverse(`activitypointers(${maria.crmEmailIds[0]})`)).status, 404, 'her email is gone');
    // Dependants went before the record they belong to.
    const deletes = sandbox.requests('crm').filter((r) => r.method === 'DELETE' && r.status === 204);
    const contactAt = deletes.findIndex((r) => r.path.includes(maria.crmContactId));
    assert.ok(contactAt > 0 && deletes.slice(0, contactAt).some((r) => r.path.includes(maria.crmEmailIds[0])));

    await carryOut(caseId, 'delete:fno');
    assert.equal((await step(caseId, 'delete:fno'))!.state, 'done');

    // The by-hand follow-ups (Business Central's interaction log batch job, the logs, Social Engagement) wait for a person.
    assert.match(await card(megan, 'plan.show', caseId), /Delete Canceled Interaction Log Entries/);
    assert.match(await card(megan, 'plan.respond', caseId), /still open/);
    await tickGuided(caseId);
    const response = await card(megan, 'plan.respond', caseId);
    assert.match(response, /Response for Maria Garcia/);
    assert.match(response, /Dynamics 365 Business Central: \d+ records? erased\. 2 records kept: Posted invoices/);
    assert.match(
      await card(megan, 'letter.markSent', caseId, { letter: 'response', channel: 'post' }),
      /Response sent and recorded/,
    );

    const kinds = (await audit(caseId)).map((e) => e.action);
    for (const kind of ['previewStep', 'approveStep', 'startStep', 'completeStep', 'respond'])
      assert.ok(
        kinds.some((k) => k.includes(kind)),
        `${kind} in ${kinds.join(', ')}`,
      );
  });

  it("removes Jordan Lee's licences as a restriction and puts them back when it is lifted, then deletes and purges his account", async function () {
    this.timeout(90_000);
    const caseId = await plannedCase(
      'Jordan Lee',
      { subjectEmails: jordan.email, employeeId: jordan.employeeId },
      'restrict,delete',
    );
    const licences = async () => ((await graph(`users/${jordan.entraId}/licenseDetails`)).json.value ?? []).length;
    const licenceNames = async () =>
      ((await graph(`users/${jordan.entraId}/licenseDetails`)).json.value ?? [])
        .map((l) => l.skuPartNumber as string)
        .sort();
    const held = await licences();
    assert.ok(held > 0, 'Jordan starts with licences');

    await carryOut(caseId, 'restrict:graph', { mode: 'flag' });
    assert.equal((await step(caseId, 'restrict:graph'))!.state, 'done');
    // Only the licence assigned to him directly goes; the one his group assigns is a step by hand naming the group.
    assert.deepEqual(await licenceNames(), ['EMS'], 'the direct licence is removed, the group one stays');
    assert.match(
      await card(megan, 'plan.show', caseId),
      /The licence EMS comes from the group "Device management licence"/,
    );
    assert.match(await card(megan, 'plan.lift', caseId, { stepId: 'restrict:graph' }), /lifted/);
    assert.equal(await licences(), held, 'the same licences are back');
    assert.deepEqual(await licenceNames(), ['EMS', 'ENTERPRISEPACK'], 'only what the bot removed was given back');

    await carryOut(caseId, 'delete:graph');
    const deleted = (await step(caseId, 'delete:graph'))!;
    assert.equal(deleted.state, 'done', deleted.error);
    assert.equal((await graph(`users/${jordan.entraId}`)).status, 404);
    assert.equal((await graph(`directory/deletedItems/${jordan.entraId}`)).status, 404, 'purged, not restorable');
  });

  it("keeps Priya Nair's active worker record and says why", async function () {
    this.timeout(60_000);
    const caseId = await plannedCase(
      'Priya Nair',
      { subjectEmails: priya.email, employeeId: priya.employeeId },
      'delete',
    );
    const preview = await card(megan, 'plan.preview', caseId, { stepId: 'delete:hr' });
    assert.match(preview, /worker/i);
    const hr = (await step(caseId, 'delete:hr'))!;
    assert.equal(hr.preview!.targetCount, 0);
    assert.ok(
      hr.preview!.retained.some((r) => r.kind === 'worker' && /not terminated/.test(r.reason)),
      JSON.stringify(hr.preview),
    );
    assert.ok(!sandbox.requests('hr').some((r) => r.method === 'DELETE'), 'nothing deleted');

    // Her Entra account is enabled: kept with the reason, not deleted.
    await card(megan, 'plan.preview', caseId, { stepId: 'delete:graph' });
    const graphStep = (await step(caseId, 'delete:graph'))!;
    assert.equal(graphStep.state, 'retained');
    assert.ok(graphStep.preview!.retained.some((r) => r.kind === 'user' && /account is enabled/.test(r.reason)));
    assert.equal((await graph(`users/${priya.entraId}`)).status, 200);
  });

  it('reports a record edited in Customer Engagement after the preview, and does not overwrite it', async function () {
    this.timeout(60_000);
    const caseId = await plannedCase('Maria Garcia', { subjectEmails: maria.email }, 'rectify');
    const stepId = 'rectify:crm';
    await card(megan, 'plan.preview', caseId, {
      stepId,
      kinds: ['contact'],
      field0: 'telephone1',
      value0: '+34 600 000 111',
    });
    const { hash } = (await step(caseId, stepId))!.preview!;
    assert.match(await card(adele, 'plan.approve', caseId, { stepId, previewHash: hash }), /Approved/);
    // Someone changes the contact in Dynamics meanwhile.
    const edit = await call(sandbox, `${sandbox.endpoints.dataverse}contacts(${maria.crmContactId})`, {
      method: 'PATCH',
      headers: { ...(await bearer(sandbox, sandbox.resources.dataverse)), 'If-Match': '*' },
      body: { telephone1: '+34 600 999 999' },
    });
    assert.ok(edit.status < 300, edit.text);
    await card(megan, 'plan.apply', caseId, { stepId });
    await bot.app.runner.settled(caseId, stepId);
    const ended = (await step(caseId, stepId))!;
    assert.equal(ended.state, 'failed');
    assert.match(ended.error ?? '', /changed since the preview/);
    assert.equal((await dataverse(`contacts(${maria.crmContactId})`)).json.telephone1, '+34 600 999 999');
  });

  it('keeps other systems going when one fails, and its retry deletes each record once', async function () {
    this.timeout(90_000);
    const caseId = await plannedCase('Maria Garcia', { subjectEmails: maria.email }, 'delete');
    sandbox.setSwitches({ crm: { failWrites: { status: 503 } } });
    await carryOut(caseId, 'delete:crm');
    await carryOut(caseId, 'delete:fno');
    assert.equal((await step(caseId, 'delete:crm'))!.state, 'failed');
    assert.equal((await step(caseId, 'delete:fno'))!.state, 'done', 'the other system went on');
    assert.equal((await dataverse(`contacts(${maria.crmContactId})`)).status, 200, 'nothing half-claimed as done');

    sandbox.clearSwitches();
    assert.match(await card(megan, 'plan.apply', caseId, { stepId: 'delete:crm' }), /Running/);
    await bot.app.runner.settled(caseId, 'delete:crm');
    assert.equal((await step(caseId, 'delete:crm'))!.state, 'done');
    const succeeded = sandbox.requests('crm').filter((r) => r.method === 'DELETE' && r.status === 204);
    assert.equal(new Set(succeeded.map((r) => r.path)).size, succeeded.length, 'no record deleted twice');
  });

  it('resumes a deletion cut short by a restart, never reads it as done, and deletes each record once', async function () {
    this.timeout(90_000);
    const caseId = await plannedCase('Maria Garcia', { subjectEmails: maria.email }, 'delete');
    const stepId = 'delete:crm';
    await card(megan, 'plan.preview', caseId, { stepId });
    const { hash } = (await step(caseId, stepId))!.preview!;
    await card(adele, 'plan.approve', caseId, { stepId, previewHash: hash });
    // The deletion's first request (reading which entity set deletes the activity) never answers;
    // the bot is stopped while it waits.
    const before = sandbox.requests('crm').length;
    sandbox.setSwitches({ crm: { hang: { count: 1 } } });
    await card(megan, 'plan.apply', caseId, { stepId });
    await bot.connector.waitFor(() => sandbox.requests('crm').length > before || undefined, 20_000);
    const dataDir = bot.dataDir;
    await bot.stop({ keepData: true });
    sandbox.clearSwitches();

    bot = await new BotHarness({}, { connectors: connectors().all() }).start(dataDir);
    assert.equal((await step(caseId, stepId))!.state, 'running', 'never marked done early');
    const shown = await card(megan, 'plan.show', caseId);
    assert.match(shown, /Resume/);
    assert.match(await card(megan, 'plan.respond', caseId), /still open/);
    assert.match(await card(megan, 'plan.resume', caseId, { stepId }), /Resumed/);
    await bot.app.runner.settled(caseId, stepId);
    const ended = (await step(caseId, stepId))!;
    assert.equal(ended.state, 'done', ended.error);
    assert.equal((await dataverse(`contacts(${maria.crmContactId})`)).status, 404);
    const succeeded = sandbox.requests('crm').filter((r) => r.method === 'DELETE' && r.status === 204);
    assert.equal(new Set(succeeded.map((r) => r.path)).size, succeeded.length, 'no record deleted twice');
  });
});

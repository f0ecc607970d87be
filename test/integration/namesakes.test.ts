import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandboxBot } from '../support/sandboxBot.js';
import { packagePath } from '../../dsr/runs/packageRun.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import { bearer, call } from '../sandbox/helpers.js';
import type { BotHarness } from '../support/botHarness.js';
import { cardText, invokeCard } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { CaseFlow } from '../support/caseFlow.js';
import { parseCsv, readZip } from '../support/packageReaders.js';
import type { ExportManifest } from '../../storage/exportPackage/index.js';
import { setAsideValue } from '../../cards/findingsCard.js';
import { adele, alex, megan } from '../support/people.js';

const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };
const maria = subjects.mariaGarcia;
const namesake = subjects.mariaGarciaNamesake;

/**
 * The sandbox holds two people called Maria Garcia. The data subject's request names her and her
 * email; the other Maria is found by the name alone, and must reach nothing until a person says
 * she is the data subject.
 */
/** Every input of a type on a card, wherever it sits. */
function inputsOf(card: unknown, type: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (element.type === type) found.push(element);
    Object.values(element).forEach(walk);
  };
  walk(card);
  return found;
}

describe('namesakes: exactly the data subject', () => {
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
  afterEach(() => bot.stop());

  const flow = new CaseFlow(() => bot);
  const findings = async (caseId: string, systemId: string) =>
    (await bot.app.store.getCase(caseId))!.findings!.systems.find((s) => s.systemId === systemId)!;
  const idIn = async (caseId: string, systemId: string, key: string) =>
    (await findings(caseId, systemId)).records.find((r) => r.id.endsWith(key))!.id;

  async function searched(requestTypes: string): Promise<string> {
    const caseId = await flow.file(alex, { subjectName: 'Maria Garcia', subjectEmails: maria.email, requestTypes });
    await flow.approve(caseId, alex);
    await flow.find(megan, caseId);
    return caseId;
  }

  async function approveAndRun(caseId: string, stepId: string): Promise<void> {
    await flow.card(megan, 'plan.preview', caseId, { stepId });
    const { hash } = (await flow.step(caseId, stepId))!.preview!;
    assert.match(await flow.card(adele, 'plan.approve', caseId, { stepId, previewHash: hash }), /Approved/);
    assert.match(await flow.card(megan, 'plan.apply', caseId, { stepId }), /Running/);
    await bot.app.runner.settled(caseId, stepId);
  }

  it('shows the other Maria as a candidate with what she matched on, and nothing of her is packaged, previewed or deleted once she is set aside', async function () {
    this.timeout(90_000);
    const caseId = await searched('access,delete');

    const shown = invokeCard(await flow.press(megan, 'discovery.show', caseId));
    const text = cardText(shown);
    assert.match(text, /m\.garcia@example\.com.*\(to confirm, matched on name\)/);
    assert.match(text, /maria\.garcia@example\.org.*\(matched on email and name\)/);
    assert.match(text, /This is Maria/);
    // Every value beside its label, in words: no logical column names, no bare true or false.
    assert.match(text, /Full Name: Maria Garcia · Email: maria\.garcia@example\.org/);
    assert.match(text, /Display Name: Maria Garcia/);
    assert.doesNotMatch(text, /\b(fullname|emailaddress1|displayName|_\w+_value|@odata\.\w+)\b/);
    assert.doesNotMatch(text, /: (true|false)\b/);
    assert.match(text, /email or meeting participants/);
    assert.doesNotMatch(text, /activity party/);
    // One toggle per record that can still be set aside, and one Save for all of them.
    const toggles = inputsOf(shown, 'Input.Toggle');
    assert.ok(toggles.some((toggle) => /m\.garcia@example\.com/.test(String(toggle.title))));
    assert.equal(
      inputsOf(shown, 'Action.Execute').filter((action) => action.verb === 'discovery.setAside').length,
      1,
      'one Save for every record',
    );
    assert.match(text, /Save: not this person/);
    assert.doesNotMatch(text, /Not Maria/, 'no button per record');
    assert.deepEqual(
      cardProblems(shown, {
        'discovery.confirm': ['caseId', 'version', 'systemId', 'recordId'],
        'discovery.setAside': ['caseId', 'version', 'findingsAt'],
        'discovery.review': ['caseId', 'version', 'systemId', 'page'],
      }),
      [],
    );
    // The namesake is not counted: one contact is Maria's.
    assert.match(text, /Customer Engagement\*\*: Found \(1 contact,/);
    assert.equal((await findings(caseId, 'fno')).counts.customer, 2, 'her two customers, not the namesake');

    // Every record, not samples: the namesake's note shows it came through the namesake's contact.
    const review = cardText(
      invokeCard(await flow.press(megan, 'discovery.review', caseId, { systemId: 'crm', page: 0 })),
    );
    assert.match(review, /Page 1 of 2/);
    assert.match(review, /m\.garcia@example\.com.*\(to confirm, matched on name\)/);
    const second = cardText(
      invokeCard(await flow.press(megan, 'discovery.review', caseId, { systemId: 'crm', page: 1 })),
    );
    assert.match(second, /Page 2 of 2/);
    assert.match(second, /Showroom visit.*\(to confirm, through a contact matched on name\)/);

    assert.match(await flow.card(megan, 'plan.create', caseId), /not yet confirmed as the person's or set aside/);
    assert.equal((await bot.app.store.getCase(caseId))!.plan, undefined, 'no plan while a candidate is open');

    // Megan sees the other Maria lives in Sevilla and has another email: not the data subject.
    const crmNamesake = await idIn(caseId, 'crm', namesake.crmContactId);
    const crmValue = setAsideValue('crm', crmNamesake);
    const before = await bot.app.store.getCase(caseId);
    const untouched = async () =>
      assert.deepEqual((await bot.app.store.getCase(caseId))!.findings, before!.findings, 'nothing changed');
    // Only the privacy team sets records aside.
    const refused = await flow
      .card(alex, 'discovery.setAside', caseId, flow.ticks(before!, [crmValue]))
      .catch((error: Error) => error.message);
    assert.match(refused, /privacy team|403/);
    await untouched();
    // A card from before the findings changed: refused, shown again as they stand.
    assert.match(
      await flow.card(megan, 'discovery.setAside', caseId, {
        ...flow.ticks(before!, [crmValue]),
        findingsAt: '2020-01-01T00:00:00.000Z',
      }),
      /The findings changed since this card was shown, so nothing was set aside/,
    );
    await untouched();
    // A record the case does not hold, even beside one it does: nothing at all is set aside.
    assert.match(
      await flow.card(
        megan,
        'discovery.setAside',
        caseId,
        flow.ticks(before!, [crmValue, setAsideValue('crm', 'someone-else')]),
      ),
      /A chosen record is not among this case's findings, so nothing was set aside/,
    );
    assert.match(
      await flow.card(megan, 'discovery.setAside', caseId, flow.ticks(before!, ['no-separator'])),
      /not among this case's findings/,
    );
    assert.match(
      await flow.card(megan, 'discovery.setAside', caseId, flow.ticks(before!, [])),
      /Tick at least one record/,
    );
    await untouched();
    // Megan sees the other Maria lives in Sevilla and has another email: not the data subject.
    const marked = await flow.card(megan, 'discovery.setAside', caseId, flow.ticks(before!, [crmValue]));
    assert.match(marked, /Marked 1 record as not this person\./);
    assert.match(marked, /m\.garcia@example\.com[^\n]*\(not this person\)/);
    const audit = [];
    for await (const event of bot.app.store.auditEvents(caseId))
      if (event.action === 'markNotThisPerson') audit.push(event);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.detail.recordId, crmNamesake);
    assert.equal(audit[0]!.actorId, megan.aadObjectId);
    assert.equal(await flow.setAsideCandidates(megan, caseId), 2, 'Business Central and Finance and Operations');
    assert.match(await flow.card(megan, 'plan.create', caseId), /The plan is ready/);

    // The package holds Maria's records and none of the namesake's.
    await flow.press(megan, 'plan.preparePackage', caseId, { stepId: 'package' });
    for (let tries = 0; (await flow.step(caseId, 'package'))!.state !== 'done'; tries++) {
      assert.ok(tries < 300, 'the package is prepared');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const pkg = (await flow.step(caseId, 'package'))!;
    const zip = await readZip(packagePath(join(bot.dataDir, 'packages'), caseId, pkg.packageId!));
    const content = [...zip.values()].map((b) => b.toString('utf8')).join('\n');
    assert.match(content, /maria\.garcia@example\.org/);
    assert.doesNotMatch(content, /m\.garcia@example\.com|Sevilla|Showroom visit|US-0077|C00031/);

    // A package the person can read: every file explained, every column named, no empty file, nothing of the protocol.
    const manifest = JSON.parse(zip.get('manifest.json')!.toString('utf8')) as ExportManifest;
    assert.deepEqual(
      manifest.systems.filter((system) => system.records > 0).map((system) => system.system),
      ['crm', 'bc', 'fno'],
    );
    const readme = zip.get('README.txt')!.toString('utf8');
    const columns = parseCsv(
      zip
        .get('columns.csv')!
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    ).slice(1);
    for (const system of manifest.systems)
      for (const kind of system.kinds) {
        assert.ok(kind.categories.length > 0 && !kind.categories.includes('other'), `${kind.kind} has its categories`);
        for (const file of kind.files) {
          assert.ok(readme.includes(file.path), `README explains ${file.path}`);
          assert.ok(zip.get(file.path)!.length > 0, `${file.path} is not empty`);
        }
      }
    assert.ok(columns.length > 0);
    for (const [file, column, label] of columns) {
      // A key that is already a plain word (Marketing's "Url") may be its own label.
      assert.ok(label !== column || /^[A-Z][a-z]+$/.test(column!), `${file}: ${column} has a label of its own`);
      assert.doesNotMatch(label!, /^_|_value$|@odata/, `${file}: ${column} reads "${label}"`);
    }
    assert.ok(columns.some(([, column, label]) => column === '_parentcustomerid_value' && label === 'Company Name'));
    for (const [name, file] of zip)
      if (name !== 'manifest.json')
        assert.doesNotMatch(file.toString('utf8'), /@odata\./, `${name}: no OData control information`);

    // Neither preview nor deletion reaches her; her records are all still there afterwards.
    for (const system of ['crm', 'bc', 'fno']) {
      await approveAndRun(caseId, `delete:${system}`);
      const step = (await flow.step(caseId, `delete:${system}`))!;
      assert.equal(step.state, 'done', step.error);
      assert.doesNotMatch(JSON.stringify(step.preview), /m\.garcia@example\.com|Sevilla|US-0077|C00031/);
    }
    const dataverse = await bearer(sandbox, sandbox.resources.dataverse);
    assert.equal(
      (await call(sandbox, `${sandbox.endpoints.dataverse}contacts(${maria.crmContactId})`, { headers: dataverse }))
        .status,
      404,
      "Maria's contact is deleted",
    );
    assert.equal(
      (await call(sandbox, `${sandbox.endpoints.dataverse}contacts(${namesake.crmContactId})`, { headers: dataverse }))
        .status,
      200,
      "the namesake's contact is untouched",
    );
    assert.equal(
      (await call(sandbox, `${sandbox.endpoints.dataverse}annotations(${namesake.crmNoteId})`, { headers: dataverse }))
        .status,
      200,
      "the namesake's note is untouched",
    );
    const deletes = ['crm', 'bc', 'fno'].flatMap((s) =>
      sandbox.requests(s as 'crm').filter((r) => r.method === 'DELETE'),
    );
    assert.ok(deletes.length > 0);
    assert.ok(
      !deletes.some(
        (r) =>
          /c047ac70-0000-4000-8000-000000000006|a0702000-0000-4000-8000-000000000003|US-0077/.test(r.path) ||
          r.path.includes(namesake.bcCustomerId),
      ),
      'no request deleted anything of hers',
    );
  });

  it('takes a candidate into the preview once a privacy team member confirms it is the person, and audits who did', async function () {
    this.timeout(60_000);
    const caseId = await searched('delete');
    const bcNamesake = await idIn(caseId, 'bc', namesake.bcCustomerId);
    // Say the data subject did once use that other address: Megan knows it is her.
    assert.match(
      await flow.card(megan, 'discovery.confirm', caseId, { systemId: 'bc', recordId: bcNamesake }),
      /Confirmed as the person’s record/,
    );
    assert.match(
      await flow.card(megan, 'discovery.confirm', caseId, { systemId: 'bc', recordId: bcNamesake }),
      /already confirmed/,
    );
    assert.equal(
      (await findings(caseId, 'bc')).records.find((r) => r.id === bcNamesake)!.confirmed?.byId,
      megan.aadObjectId,
    );
    await flow.setAsideCandidates(megan, caseId);
    await flow.press(megan, 'plan.create', caseId);

    await flow.card(megan, 'plan.preview', caseId, { stepId: 'delete:bc' });
    const preview = (await flow.step(caseId, 'delete:bc'))!.preview!;
    assert.equal(preview.counts.customer, 2, "Maria's customer and the confirmed one");
    const events = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    const confirmed = events.find((e) => e.action === 'confirmPerson');
    assert.ok(confirmed, events.map((e) => e.action).join(', '));
    assert.equal(confirmed.actorId, megan.aadObjectId);
    assert.doesNotMatch(JSON.stringify(confirmed), /m\.garcia@example\.com|Maria/, 'the trail names no one');
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sinon from 'sinon';
import { LOCAL_DEMO } from '../../local/demo.js';
import { threadKey } from '../../teams/proactiveNotifier.js';
import type { AuditEvent } from '../../dsr/audit.js';
import { validateIntake } from '../../dsr/intake.js';
import { BotHarness } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { EntraIdentity, TENANT_ID } from '../support/entraIdentity.js';
import { alex, megan } from '../support/people.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';

const APP_ID = '6a1c7a9e-8d3b-4c1f-9f0a-2b7e5d4c3a21';
const PUBLIC_URL = 'https://dsr.contoso.example';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

async function get(bot: BotHarness, path: string, token?: string): Promise<Answer> {
  const response = await fetch(`${bot.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // CSV and HTML answers are read as text.
  }
  return { status: response.status, body, text, headers: response.headers };
}

async function auditOf(bot: BotHarness, action: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const event of bot.app.store.auditEvents()) if (event.action === action) events.push(event);
  return events;
}

function rowIds(answer: Answer): string[] {
  return (answer.body.rows as Array<{ id: string }>).map((row) => row.id);
}

describe('the privacy dashboard in Teams (single sign-on)', () => {
  const entra = new EntraIdentity();
  let bot: BotHarness;

  before(() => entra.start());
  after(() => entra.stop());
  beforeEach(async () => {
    bot = await new BotHarness({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-used-by-these-tests',
      DSR_CASE_RETENTION_DAYS: '365',
      DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: TENANT_ID,
      DSR_PUBLIC_URL: PUBLIC_URL,
      DSR_SSO_AUTHORITY: entra.authority,
    }).start();
    const request = { subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org', requestTypes: 'access' };
    const parsed = validateIntake(request, new Date(), 'Europe/Berlin');
    if (!parsed.ok) throw new Error('intake');
    await bot.app.services.cases.createCase({ id: alex.aadObjectId, name: alex.name }, parsed.request);
  });
  afterEach(async () => {
    sinon.restore();
    await bot.stop();
  });

  it('answers a team member who presents a genuine Teams token', async () => {
    const token = await entra.token(APP_ID, megan);
    const register = await get(bot, '/api/dashboard/register', token);
    assert.equal(register.status, 200);
    assert.equal(register.body.total, 1);
    const charts = await get(bot, '/api/dashboard/charts', token);
    assert.equal(charts.status, 200);
    assert.equal(charts.body.open, 1);
  });

  it('accepts a v1.0 token: issuer sts.windows.net and the Application ID URI as audience', async () => {
    const token = await entra.token(APP_ID, megan, {
      issuer: `https://sts.windows.net/${TENANT_ID}/`,
      audience: `api://dsr.contoso.example/botid-${APP_ID}`,
    });
    assert.equal((await get(bot, '/api/dashboard/register', token)).status, 200);
  });

  it('gives no data without a token, with a forged or expired one, or one for another app, tenant or scope', async () => {
    const refused = [
      undefined,
      await entra.forgedToken(APP_ID, megan),
      await entra.token(APP_ID, megan, { expiresIn: -600 }),
      await entra.token(APP_ID, megan, { audience: randomUUID() }),
      await entra.token(APP_ID, megan, { audience: `api://elsewhere.example/botid-${APP_ID}` }),
      await entra.token(APP_ID, megan, { tenantId: randomUUID() }),
      await entra.token(APP_ID, megan, { tenantId: randomUUID(), issuer: `${entra.authority}/${TENANT_ID}/v2.0` }),
      await entra.token(APP_ID, megan, { issuer: `https://login.microsoftonline.com/${TENANT_ID}/v2.0` }),
      await entra.token(APP_ID, megan, { scope: 'User.Read' }),
      'not-a-jwt',
    ];
    for (const [i, token] of refused.entries()) {
      for (const path of ['/api/dashboard/register', '/api/dashboard/charts', '/api/dashboard/export.csv']) {
        const answer = await get(bot, path, token);
        assert.equal(answer.status, 401, `token ${i} on ${path}: ${answer.text}`);
        assert.equal(answer.body.rows, undefined);
        assert.doesNotMatch(answer.text, /DSR-\d{4}/);
      }
    }
    assert.deepEqual(await auditOf(bot, 'exportRegister'), []);
  });

  it('refuses a genuinely signed-in person who is not on the privacy team with 403', async () => {
    const token = await entra.token(APP_ID, alex);
    const answer = await get(bot, '/api/dashboard/register', token);
    assert.equal(answer.status, 403);
    assert.match(String(answer.body.error), /privacy team/);
    assert.doesNotMatch(answer.text, /DSR-\d{4}/);
  });

  it('offers no local sign-in when an App ID is set', async () => {
    const session = await get(bot, '/api/dashboard/session');
    assert.deepEqual(session.body, { mode: 'teams' });
    const response = await fetch(`${bot.url}/api/dashboard/local-sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ personId: LOCAL_DEMO.signInPeople[0]!.id }),
    });
    assert.ok(response.status === 404 || response.status === 405, `answered ${response.status}`);
  });
});

describe('the privacy dashboard when Entra ID cannot be reached', () => {
  const entra = new EntraIdentity();
  let bot: BotHarness;

  before(() => entra.start());
  after(() => entra.stop());
  afterEach(() => bot.stop());

  it('answers 503 and no data rather than trusting a token it cannot check', async () => {
    bot = await new BotHarness({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-used-by-these-tests',
      DSR_CASE_RETENTION_DAYS: '365',
      DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: TENANT_ID,
      DSR_PUBLIC_URL: PUBLIC_URL,
      // Nothing listens on port 1: the signing keys cannot be fetched.
      DSR_SSO_AUTHORITY: 'http://127.0.0.1:1',
    }).start();
    const token = await entra.token(APP_ID, megan, { issuer: `http://127.0.0.1:1/${TENANT_ID}/v2.0` });
    const answer = await get(bot, '/api/dashboard/register', token);
    assert.equal(answer.status, 503);
    assert.equal(answer.body.rows, undefined);
  });

  it('says what is missing when the tenant or the public address is not configured', async () => {
    bot = await new BotHarness({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-used-by-these-tests',
      DSR_CASE_RETENTION_DAYS: '365',
      DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
      MicrosoftAppType: 'MultiTenant',
    }).start();
    const answer = await get(bot, '/api/dashboard/charts', await entra.token(APP_ID, megan));
    assert.equal(answer.status, 503);
    assert.match(String(answer.body.error), /MicrosoftAppTenantId/);
  });
});

describe('the privacy dashboard in a local run', () => {
  let bot: BotHarness;
  let flow: CaseFlow;
  const [officer, , employee] = LOCAL_DEMO.signInPeople;

  async function signIn(personId: string): Promise<string> {
    const response = await fetch(`${bot.url}/api/dashboard/local-sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ personId }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { token: string }).token;
  }

  beforeEach(async () => {
    bot = await new BotHarness({ DSR_PRIVACY_TEAM_IDS: LOCAL_DEMO.privacyTeam.join(',') }).start();
    flow = new CaseFlow(() => bot);
  });
  afterEach(() => bot.stop());

  it('serves the tab page and its bundled script from the bot itself', async () => {
    const page = await get(bot, '/dashboard');
    assert.equal(page.status, 200);
    assert.match(page.text, /<script type="module" src="\/dashboard\/assets\/dashboard\.js">/);
    assert.doesNotMatch(page.text, /https?:\/\//);
    const script = await get(bot, '/dashboard/assets/dashboard.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await get(bot, '/dashboard/assets/..%2Fpackage.json')).status, 404);
    assert.equal((await get(bot, '/dashboard/configure')).status, 200);
  });

  it('lets a sample person sign in, and shows the register only to the privacy team', async () => {
    const session = await get(bot, '/api/dashboard/session');
    assert.equal(session.body.mode, 'local');
    assert.deepEqual(
      (session.body.people as Array<{ name: string }>).map((person) => person.name),
      ['Megan Bowen', 'Adele Vance', 'Alex Wilber'],
    );
    const outsider = await get(bot, '/api/dashboard/register', await signIn(employee!.id));
    assert.equal(outsider.status, 403);
    assert.equal((await get(bot, '/api/dashboard/register')).status, 401);
    const badSignIn = await fetch(`${bot.url}/api/dashboard/local-sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ personId: randomUUID() }),
    });
    assert.equal(badSignIn.status, 400);
  });

  it('lists, filters, sorts and pages the cases the bot recorded, and links each to its thread', async () => {
    const maria = await flow.file(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access,delete',
    });
    const sean = await flow.file(alex, {
      subjectName: "Sean O'Brien",
      subjectEmails: 'sean.obrien@example.org',
      requestTypes: 'access',
      regulation: 'CCPA',
    });
    await bot.app.store.state.write({
      [threadKey(maria)]: {
        value: { conversation: { id: '19:privacy@thread.tacv2;messageid=1700000000001', tenantId: 'tenant-1' } },
      },
    });
    const token = await signIn(officer!.id);

    const all = await get(bot, '/api/dashboard/register?sort=id', token);
    assert.equal(all.status, 200);
    assert.deepEqual(rowIds(all), [maria, sean]);
    const rows = all.body.rows as Array<Record<string, unknown>>;
    assert.equal(
      rows[0]!.threadUrl,
      'https://teams.microsoft.com/l/message/19%3Aprivacy%40thread.tacv2/1700000000001?tenantId=tenant-1&parentMessageId=1700000000001',
    );
    assert.equal(rows[1]!.threadUrl, null);
    // The register names no data subject.
    assert.doesNotMatch(all.text, /Maria|Sean|example\.org/);

    assert.deepEqual(rowIds(await get(bot, '/api/dashboard/register?sort=id&order=desc', token)), [sean, maria]);
    assert.deepEqual(rowIds(await get(bot, '/api/dashboard/register?regulation=CCPA', token)), [sean]);
    assert.deepEqual(rowIds(await get(bot, '/api/dashboard/register?right=delete', token)), [maria]);
    assert.deepEqual(rowIds(await get(bot, `/api/dashboard/register?q=${maria.slice(-4)}`, token)), [maria]);
    assert.deepEqual(rowIds(await get(bot, '/api/dashboard/register?overdue=true', token)), []);
    const paged = await get(bot, '/api/dashboard/register?sort=id&pageSize=1&page=2', token);
    assert.equal(paged.body.total, 2);
    assert.deepEqual(rowIds(paged), [sean]);

    const charts = await get(bot, '/api/dashboard/charts', token);
    assert.equal(charts.body.total, 2);
    assert.equal(charts.body.open, 2);
    assert.deepEqual(
      (charts.body.volumeByRight as Array<{ right: string; count: number }>).filter((right) => right.count > 0),
      [
        { right: 'access', count: 2 },
        { right: 'delete', count: 1 },
      ],
    );
  });

  it('refuses unknown or malformed parameters with 400 and the reason', async () => {
    const token = await signIn(officer!.id);
    const cases: Array<[string, RegExp]> = [
      ['/api/dashboard/register?colour=red', /unknown parameter: colour/],
      ['/api/dashboard/register?dueWithin=soon', /dueWithin: expected a number of days/],
      ['/api/dashboard/register?status=pending', /status: expected each one of/],
      ['/api/dashboard/register?sort=name', /sort: expected one of id, received, due, status, answered/],
      ['/api/dashboard/register?page=0', /page: expected from 1/],
      ['/api/dashboard/register?pageSize=5000', /pageSize: expected at most 100 rows/],
      ['/api/dashboard/register?right=access&right=delete', /right: given more than once/],
      ['/api/dashboard/register?q=%3Cscript%3E', /q: expected part of a case id/],
      ['/api/dashboard/charts?year=2026', /unknown parameter: year/],
      ['/api/dashboard/export.csv?names=yes', /names: expected true or false/],
    ];
    for (const [path, reason] of cases) {
      const answer = await get(bot, path, token);
      assert.equal(answer.status, 400, path);
      assert.match((answer.body.problems as string[]).join('\n'), reason, path);
      assert.equal(answer.body.rows, undefined);
    }
    assert.deepEqual(await auditOf(bot, 'exportRegister'), []);
  });

  it('exports the register as CSV, with the names only when asked, and audits both', async () => {
    const maria = await flow.file(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    const token = await signIn(officer!.id);

    const plain = await get(bot, '/api/dashboard/export.csv', token);
    assert.equal(plain.status, 200);
    assert.match(plain.headers.get('content-type') ?? '', /text\/csv/);
    const [header, row] = plain.text.trim().split('\r\n');
    assert.equal(
      header,
      'caseId,regulation,rights,systems,status,receivedAt,dueAt,answeredAt,outcome,daysTaken,onTime',
    );
    assert.match(row!, new RegExp(`^${maria},GDPR,access,,received,`));
    assert.doesNotMatch(plain.text, /Maria/);

    const named = await get(bot, '/api/dashboard/export.csv?names=true', token);
    assert.equal(named.status, 200);
    assert.match(named.text.split('\r\n')[0]!, /,subjectName$/);
    assert.match(named.text, /,Maria Garcia\r\n/);

    const audited = await auditOf(bot, 'exportRegister');
    assert.deepEqual(
      audited.map((event) => ({ actor: event.actorId, withNames: event.detail.withNames, rows: event.detail.rows })),
      [
        { actor: officer!.id, withNames: false, rows: 1 },
        { actor: officer!.id, withNames: true, rows: 1 },
      ],
    );
    // The trail keeps who exported what, never the names exported.
    assert.doesNotMatch(JSON.stringify(audited), /Maria/);
  });
});

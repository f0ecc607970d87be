import assert from 'node:assert/strict';
import { LOCAL_DEMO } from '../../local/demo.js';
import { BotHarness } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { alex, PRIVACY_TEAM_IDS } from '../support/people.js';

async function register(bot: BotHarness, path = '/api/dashboard/register?sort=id'): Promise<Record<string, unknown>> {
  const signIn = await fetch(`${bot.url}/api/dashboard/local-sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ personId: LOCAL_DEMO.signInPeople[0]!.id }),
  });
  const { token } = (await signIn.json()) as { token: string };
  const response = await fetch(`${bot.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

describe('the dashboard on a database several instances share', function () {
  skipWithoutDatabase(this);
  this.timeout(60_000);
  let schema: string;
  let bots: BotHarness[] = [];

  beforeEach(async () => {
    schema = freshSchema();
    const env = {
      DSR_DATABASE_URL: testDatabaseUrl()!,
      DSR_DATABASE_SCHEMA: schema,
      DSR_PRIVACY_TEAM_IDS: [...LOCAL_DEMO.privacyTeam, ...PRIVACY_TEAM_IDS].join(','),
    };
    bots = [await new BotHarness(env).start(), await new BotHarness(env).start()];
  });
  afterEach(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await dropSchema(schema);
  });

  it('shows on one instance the cases filed and changed through another', async () => {
    const [first, second] = bots as [BotHarness, BotHarness];
    // The second instance has its index loaded before anything is filed.
    assert.equal((await register(second)).total, 0);
    const flow = new CaseFlow(() => first);
    const maria = await flow.file(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    const sean = await flow.file(alex, {
      subjectName: "Sean O'Brien",
      subjectEmails: 'sean.obrien@example.org',
      requestTypes: 'delete',
    });
    const seen = await register(second);
    assert.equal(seen.total, 2);
    assert.deepEqual(
      (seen.rows as Array<{ id: string }>).map((row) => row.id),
      [maria, sean],
    );
    await flow.approve(maria, alex);
    const approved = await register(second, '/api/dashboard/register?status=approved');
    assert.deepEqual(
      (approved.rows as Array<{ id: string }>).map((row) => row.id),
      [maria],
    );
    const charts = await register(second, '/api/dashboard/charts');
    assert.equal(charts.open, 2);
    assert.deepEqual(
      (charts.openByStage as Array<{ status: string; count: number }>).filter((stage) => stage.count > 0),
      [
        { status: 'received', count: 1 },
        { status: 'approved', count: 1 },
      ],
    );
  });
});

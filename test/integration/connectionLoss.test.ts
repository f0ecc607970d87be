import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { verifyChain } from '../../dsr/audit.js';
import { PostgresOutboxStore } from '../../storage/postgresShared.js';
import { PostgresCaseStore, StoreUnavailableError } from '../../storage/postgresStore.js';
import { BotHarness, cardText } from '../support/botHarness.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { alex } from '../support/people.js';

const TRY_AGAIN = /try again/i;

describe('losing the database connection', function () {
  skipWithoutDatabase(this);
  let schema: string;
  let role: string;
  let admin: pg.Client;
  let bots: BotHarness[];
  let botUrl: string;

  beforeEach(async () => {
    schema = freshSchema();
    // The bot logs in as its own role, so the test can lock it out without touching anyone else's connections.
    role = `r_${schema}`;
    admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    const database = new URL(testDatabaseUrl()!).pathname.slice(1);
    await admin.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN`);
    await admin.query(`GRANT CREATE ON DATABASE ${pg.escapeIdentifier(database)} TO ${pg.escapeIdentifier(role)}`);
    const url = new URL(testDatabaseUrl()!);
    url.username = role;
    url.password = '';
    botUrl = url.toString();
    const env = { DSR_DATABASE_URL: botUrl, DSR_DATABASE_SCHEMA: schema };
    bots = await Promise.all([0, 1].map(() => new BotHarness(env).start()));
  });
  afterEach(async () => {
    await Promise.all(bots.map((bot) => bot.stop()));
    await dropSchema(schema);
    const database = new URL(testDatabaseUrl()!).pathname.slice(1);
    await admin.query(`REVOKE CREATE ON DATABASE ${pg.escapeIdentifier(database)} FROM ${pg.escapeIdentifier(role)}`);
    await admin.query(`DROP ROLE ${pg.escapeIdentifier(role)}`);
    await admin.end();
  });

  function terminateBotConnections(): Promise<pg.QueryResult> {
    return admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
  }

  /** Submits an intake in a conversation of its own; returns the case id if the bot acknowledged it. */
  async function submit(bot: BotHarness, n: number): Promise<{ caseId?: string; replies: string }> {
    const conversation = `${bot.personalConversation(alex)}-${n}`;
    const result = await bot.execute(
      alex,
      'intake.submit',
      { intakeId: randomUUID(), subjectName: 'Maria Garcia', subjectEmails: 'm@example.org', requestTypes: 'access' },
      conversation,
    );
    const answer = result.status < 300 ? cardText((result.body as { value?: unknown } | undefined)?.value) : '';
    const replies = [answer, ...bot.connector.sent(conversation).map((a) => String(a.text))].join('\n');
    return { caseId: /DSR-\d{4}-\d{4}/.exec(answer)?.[0], replies };
  }

  it('keeps every acknowledged intake while connections are cut under load, and recovers', async () => {
    let cutting = true;
    let cuts = 0;
    const cutter = (async () => {
      while (cutting) {
        cuts += (await terminateBotConnections()).rowCount ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, n) => submit(bots[n % 2]!, n)));
    cutting = false;
    await cutter;
    assert.ok(cuts > 0, 'the test did cut connections');

    for (const outcome of outcomes) {
      if (!outcome.caseId) assert.match(outcome.replies, TRY_AGAIN, 'a turn that failed says to try again');
    }
    const acknowledged = outcomes.flatMap((o) => (o.caseId ? [o.caseId] : []));
    for (const id of acknowledged) {
      assert.equal((await bots[1]!.app.store.getCase(id))?.id, id, `${id} was acknowledged, so it is stored`);
    }
    assert.equal((await verifyChain(bots[0]!.app.store.auditEvents(), bots[0]!.app.store.auditKeys)).intact, true);
    // Both pools reconnect on their own.
    for (const [i, bot] of bots.entries()) assert.ok((await submit(bot, 100 + i)).caseId);
  });

  it('says to try again while the database refuses connections, then works again', async () => {
    await admin.query(`ALTER ROLE ${pg.escapeIdentifier(role)} NOLOGIN`);
    await terminateBotConnections();
    const refused = await bots[0]!.say(alex, 'status');
    assert.match(String(refused[0]?.text), /could not reach the case database.*nothing was changed.*try again/s);
    const lost = await submit(bots[1]!, 1);
    assert.equal(lost.caseId, undefined);
    assert.match(lost.replies, TRY_AGAIN);

    await admin.query(`ALTER ROLE ${pg.escapeIdentifier(role)} LOGIN`);
    const answered = await bots[0]!.say(alex, 'status');
    assert.doesNotMatch(String(answered[0]?.text), TRY_AGAIN);
    assert.ok((await submit(bots[1]!, 2)).caseId);
  });

  it('answers 503 on /healthz while the database is gone, and 200 once it is back', async () => {
    const health = async () => {
      const response = await fetch(`${bots[0]!.url}/healthz`);
      return { status: response.status, body: await response.json() };
    };
    assert.deepEqual(await health(), { status: 200, body: { status: 'ok', store: 'ok', database: 'ok' } });
    await admin.query(`ALTER ROLE ${pg.escapeIdentifier(role)} NOLOGIN`);
    await terminateBotConnections();
    assert.deepEqual(await health(), {
      status: 503,
      body: { status: 'unavailable', problem: 'The database is not reachable' },
    });
    await admin.query(`ALTER ROLE ${pg.escapeIdentifier(role)} LOGIN`);
    assert.equal((await health()).status, 200);
  });

  it('sends every message the outbox acknowledged while connections are cut, each once', async () => {
    await bots[0]!.say(alex, 'help');
    const reference = (await bots[0]!.app.store.state.read([`dsr/user/${alex.aadObjectId}`]))[
      `dsr/user/${alex.aadObjectId}`
    ]!.value as Record<string, unknown> & { conversation: { id: string } };
    const writer = new PostgresCaseStore({ connectionString: botUrl, schema, poolSize: 4 });
    await writer.open();
    const outbox = new PostgresOutboxStore(writer);
    let cutting = true;
    let cuts = 0;
    const cutter = (async () => {
      while (cutting) {
        cuts += (await terminateBotConnections()).rowCount ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const acknowledged: string[] = [];
    try {
      await Promise.all(
        Array.from({ length: 30 }, async (_, n) => {
          const text = `queued under load #${n}`;
          try {
            await outbox.enqueue(
              {
                id: `test|load|${n}`,
                conversationKey: reference.conversation.id,
                destination: { kind: 'conversation', reference },
                activity: { type: 'message', text },
              },
              new Date(),
            );
            acknowledged.push(text);
          } catch (error) {
            if (!(error instanceof StoreUnavailableError)) throw error;
          }
        }),
      );
    } finally {
      cutting = false;
      await cutter;
      await writer.close();
    }
    assert.ok(cuts > 0, 'the test did cut connections');
    assert.ok(acknowledged.length > 0);
    const sent = () =>
      bots[0]!.connector
        .sent(bots[0]!.personalConversation(alex))
        .map((m) => String(m.text))
        .filter((text) => text.startsWith('queued under load'));
    await bots[0]!.connector.waitFor(
      () => (acknowledged.every((text) => sent().includes(text)) ? true : undefined),
      30_000,
    );
    assert.equal(new Set(sent()).size, sent().length, 'no message went twice');
  });
});

import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { BotHarness } from '../support/botHarness.js';
import { alex } from '../support/people.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';

type RelayMode = 'pass' | 'stall' | 'cut';

/**
 * A TCP relay between the bot and PostgreSQL that can stall (hold every connection open and
 * pass nothing, as a hung server or a black-holed network does) or cut (drop every connection
 * and refuse new ones, as a dropped network does).
 */
class DatabaseRelay {
  mode: RelayMode = 'pass';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      if (this.mode === 'cut') return void client.destroy();
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      const forward = (from: Socket, to: Socket) =>
        from.on('data', (chunk: Buffer) => {
          if (this.mode === 'pass') to.write(chunk);
        });
      forward(client, upstream);
      forward(upstream, client);
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  set(mode: RelayMode): void {
    this.mode = mode;
    if (mode === 'cut') for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('the health check against a failing database', function () {
  skipWithoutDatabase(this);
  this.timeout(60_000);
  let relay: DatabaseRelay;
  let bot: BotHarness;
  let schema: string;

  beforeEach(async () => {
    const url = new URL(testDatabaseUrl()!);
    relay = new DatabaseRelay({ host: url.hostname, port: Number(url.port || 5432) });
    await relay.start();
    url.hostname = '127.0.0.1';
    url.port = String(relay.port);
    schema = freshSchema();
    bot = await new BotHarness({ DSR_DATABASE_URL: url.toString(), DSR_DATABASE_SCHEMA: schema }).start();
  });
  afterEach(async () => {
    relay.set('pass');
    await bot.stop();
    await relay.stop();
    await dropSchema(schema);
  });

  /** A probe as a load balancer sends it: one that gets no answer within 2 s counts as failed. */
  async function probe(): Promise<{ status: number; problem?: string }> {
    const response = await fetch(`${bot.url}/healthz`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as { problem?: string };
    return { status: response.status, ...(body.problem ? { problem: body.problem } : {}) };
  }

  it('answers 503 within 2 s while the database stalls, and 200 once it answers again', async () => {
    assert.deepEqual(await probe(), { status: 200 });
    relay.set('stall');
    for (let i = 0; i < 3; i += 1) {
      const answer = await probe();
      assert.equal(answer.status, 503);
      assert.match(answer.problem ?? '', /database/);
    }
    relay.set('cut');
    relay.set('pass');
    let answer = await probe();
    for (let i = 0; i < 10 && answer.status !== 200; i += 1) answer = await probe();
    assert.deepEqual(answer, { status: 200 });
  });

  it('answers 503 "not reachable" within 2 s when the network drops', async () => {
    assert.deepEqual(await probe(), { status: 200 });
    relay.set('cut');
    assert.deepEqual(await probe(), { status: 503, problem: 'The database is not reachable' });
    // A turn that needs the store is told so, and nothing hangs.
    const replies = await bot.say(alex, 'status');
    assert.match(JSON.stringify(replies), /could not reach the case database just now, so nothing was changed/);
  });

  it('answers 503 when the database user lost its rights on the schema', async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    const role = `health_${schema}`;
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      const url = new URL(testDatabaseUrl()!);
      url.username = role;
      const { PostgresCaseStore } = await import('../../storage/postgresStore.js');
      const store = new PostgresCaseStore({ connectionString: url.toString(), schema });
      try {
        assert.ok((await store.checkHealth()).schemaVersion > 0);
        await admin.query(`REVOKE USAGE ON SCHEMA ${schema} FROM ${role}`);
        await assert.rejects(store.checkHealth(), /may not read the schema/);
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await admin.end();
    }
  });
});

import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { bearer, call, sleep } from './helpers.js';

describe('sandbox: fault switches and the request log', () => {
  let sandbox: Sandbox;
  let auth: Record<string, string>;
  let contacts: string;
  before(async () => {
    sandbox = await startSandbox();
    auth = await bearer(sandbox, sandbox.resources.dataverse);
    contacts = `${sandbox.endpoints.dataverse}contacts?$select=fullname`;
  });
  after(async () => {
    await sandbox.close();
  });
  afterEach(() => sandbox.reset());

  it('throttles the next K requests with 429 and Retry-After, then answers again', async () => {
    sandbox.setSwitches({ crm: { throttle: { count: 2, retryAfterSeconds: 7 } } });
    for (let i = 0; i < 2; i++) {
      const res = await call(sandbox, contacts, { headers: auth });
      assert.equal(res.status, 429);
      assert.equal(res.headers['retry-after'], '7');
      assert.equal(res.json.error.code, '0x80072322');
    }
    assert.equal((await call(sandbox, contacts, { headers: auth })).status, 200);
    const graph = await call(sandbox, `${sandbox.endpoints.graph}users`, {
      headers: await bearer(sandbox, sandbox.resources.graph),
    });
    assert.equal(graph.status, 200, 'switches are per system');
  });

  it('throttles at a rate and the log shows whether a client waited for Retry-After', async () => {
    sandbox.setSwitches({ crm: { throttle: { limit: 2, windowSeconds: 1, retryAfterSeconds: 1 } } });
    sandbox.clearRequests();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, contacts, { headers: auth })).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    await sleep(1050);
    assert.equal((await call(sandbox, contacts, { headers: auth })).status, 200);
    const log = sandbox.requests('crm');
    assert.deepEqual(
      log.map((entry) => entry.outcome),
      ['answered', 'answered', 'throttled', 'answered'],
    );
    const throttledAt = log[2]!.at;
    assert.ok(log[3]!.at - throttledAt >= 1000, 'the retry came after Retry-After');
    assert.equal(log[0]!.path, '/crm/api/data/v9.2/contacts');
    assert.equal(log[0]!.query, '?$select=fullname');
  });

  it('fails the next K requests with 503', async () => {
    sandbox.setSwitches({ bc: { fail: { status: 503, count: 1 } } });
    const bcAuth = await bearer(sandbox, sandbox.resources.businessCentral);
    const url = `${sandbox.endpoints.businessCentral}companies`;
    const failed = await call(sandbox, url, { headers: bcAuth });
    assert.equal(failed.status, 503);
    assert.equal(typeof failed.json.error.code, 'string');
    assert.equal((await call(sandbox, url, { headers: bcAuth })).status, 200);
  });

  it('fails only the next K writes, while reads still answer', async () => {
    sandbox.setSwitches({ crm: { failWrites: { status: 503, count: 1 } } });
    const contact = `${sandbox.endpoints.dataverse}contacts(c047ac70-0000-4000-8000-000000000001)`;
    assert.equal((await call(sandbox, contact, { headers: auth })).status, 200);
    const write = { method: 'PATCH', headers: auth, body: { telephone1: '+34 600 000 123' } };
    assert.equal((await call(sandbox, contact, write)).status, 503);
    assert.equal((await call(sandbox, contact, { headers: auth })).status, 200);
    assert.equal((await call(sandbox, contact, write)).status, 204);
  });

  it('hangs without answering, so a client timeout fires', async () => {
    sandbox.setSwitches({ fno: { hang: true } });
    const fnoAuth = await bearer(sandbox, sandbox.resources.financeOperations);
    const started = Date.now();
    await assert.rejects(
      call(sandbox, `${sandbox.endpoints.financeOperations}CustomersV3`, { headers: fnoAuth, timeoutMs: 300 }),
      /client timeout/,
    );
    assert.ok(Date.now() - started >= 290);
    assert.equal(sandbox.requests('fno').at(-1)!.outcome, 'hung');
  });

  it('adds latency', async () => {
    sandbox.setSwitches({ crm: { latencyMs: 200 } });
    const started = Date.now();
    assert.equal((await call(sandbox, contacts, { headers: auth })).status, 200);
    assert.ok(Date.now() - started >= 190);
  });

  it('drops the connection of a disconnected system, the token endpoint included', async () => {
    sandbox.setSwitches({ crm: { disconnected: true }, entra: { disconnected: true } });
    await assert.rejects(call(sandbox, contacts, { headers: auth }), /socket hang up|ECONNRESET/);
    await assert.rejects(bearer(sandbox, sandbox.resources.graph), /socket hang up|ECONNRESET/);
  });

  it('is driven through the admin endpoint too', async () => {
    const bad = await call(sandbox, '/_sandbox/switches', {
      method: 'POST',
      body: { crm: { throttle: { retryAfterSeconds: -1 } } },
    });
    assert.equal(bad.status, 400);
    const set = await call(sandbox, '/_sandbox/switches', {
      method: 'POST',
      body: { crm: { throttle: { retryAfterSeconds: 3, count: 1 } } },
    });
    assert.equal(set.status, 200);
    assert.equal((await call(sandbox, contacts, { headers: auth })).status, 429);
    const log = await call(sandbox, '/_sandbox/requests?system=crm');
    assert.ok((log.json.counts as Record<string, number>).crm! >= 1);
    assert.equal((log.json.requests as { outcome: string }[]).at(-1)!.outcome, 'throttled');
    const patched = await call(
      sandbox,
      `${sandbox.endpoints.dataverse}contacts(c047ac70-0000-4000-8000-000000000002)`,
      {
        method: 'PATCH',
        headers: auth,
        body: { firstname: 'Nan' },
      },
    );
    assert.equal(patched.status, 204);
    assert.equal((await call(sandbox, '/_sandbox/reset', { method: 'POST' })).status, 204);
    const restored = await call(
      sandbox,
      `${sandbox.endpoints.dataverse}contacts(c047ac70-0000-4000-8000-000000000002)?$select=firstname`,
      { headers: auth },
    );
    assert.equal(restored.json.firstname, 'Nancy');
    const counts = await call(sandbox, '/_sandbox/requests');
    assert.equal((counts.json.counts as Record<string, number>).crm, 1);
  });
});

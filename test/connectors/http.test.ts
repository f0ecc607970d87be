import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import { agentTrusting, ConnectorHttpError, HttpClient } from '../../connectors/http.js';
import { MsalApp } from '../../connectors/tokens.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import { connectorFor, query } from './contract.js';

describe('the shared HTTP client', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  function client(maxConcurrency = 4): HttpClient {
    const settings = sandboxConnectorSettings(sandbox);
    const dispatcher = agentTrusting(settings.caPem);
    return new HttpClient({
      system: 'Dataverse',
      tokens: new MsalApp(settings.credentials, dispatcher).tokensFor(sandbox.resources.dataverse),
      dispatcher,
      origin: new URL(sandbox.url).origin,
      requestTimeoutMs: 5000,
      maxConcurrency,
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2000 },
    });
  }

  it('keeps to the concurrency limit of a system', async () => {
    sandbox.setSwitches({ crm: { latencyMs: 60 } });
    const one = connectorFor(sandbox, 'crm', { maxConcurrency: 1 });
    await one.find(query({ emails: [subjects.mariaGarcia.email] }));
    const arrivals = sandbox.requests('crm').map((r) => r.at);
    assert.ok(arrivals.length >= 5);
    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]!);
    assert.ok(Math.min(...gaps) >= 55, `one at a time: gaps ${gaps.join(', ')} ms`);

    sandbox.clearRequests();
    const four = connectorFor(sandbox, 'crm', { maxConcurrency: 4 });
    await four.find(query({ emails: [subjects.mariaGarcia.email] }));
    const parallel = sandbox.requests('crm').map((r) => r.at);
    const overlapping = parallel.slice(1).map((at, i) => at - parallel[i]!);
    assert.ok(Math.min(...overlapping) < 55, 'several at once when allowed');
  });

  it('writes with the ETag it read, and refuses to overwrite a change made meanwhile', async () => {
    const http = client();
    const url = `${sandbox.endpoints.dataverse}contacts(${subjects.mariaGarcia.crmContactId})`;
    const read = await http.getJson<{ '@odata.etag': string }>(url);
    const etag = read.body['@odata.etag'];
    await http.patch(url, { telephone1: '+34 91 555 0000' }, etag);
    await assert.rejects(
      http.patch(url, { telephone1: '+34 91 555 9999' }, etag),
      (error: unknown) => error instanceof ConnectorHttpError && error.kind === 'conflict',
    );
    const after = await http.getJson<{ telephone1: string }>(url);
    assert.equal(after.body.telephone1, '+34 91 555 0000');
  });

  it('retries a read on a dropped connection, then reports the system unreachable', async () => {
    const http = client();
    await http.getJson(`${sandbox.endpoints.dataverse}WhoAmI`);
    sandbox.clearRequests();
    sandbox.setSwitches({ crm: { disconnected: true } });
    await assert.rejects(
      http.getJson(`${sandbox.endpoints.dataverse}WhoAmI`),
      (error: unknown) => error instanceof ConnectorHttpError && /could not be reached/.test(error.message),
    );
    assert.equal(sandbox.requests('crm').length, 3, 'every attempt the policy allows, and no more');
  });

  it('caches a token until shortly before it expires, then gets a new one', async () => {
    const short = await startSandbox({ tokenLifetimeSeconds: 180 });
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    try {
      const settings = sandboxConnectorSettings(short);
      const dispatcher = agentTrusting(settings.caPem);
      const tokens = new MsalApp(settings.credentials, dispatcher).tokensFor(short.resources.dataverse);
      const tokenRequests = () => short.requests('entra').filter((r) => r.path.endsWith('/token')).length;
      const first = await tokens.token();
      clock.tick(50_000);
      assert.equal(await tokens.token(), first);
      assert.equal(tokenRequests(), 1);
      clock.tick(15_000);
      assert.notEqual(await tokens.token(), first, 'renewed two minutes before expiry');
      assert.equal(tokenRequests(), 2);
    } finally {
      clock.restore();
      await short.close();
    }
  });

  it('never sends its token to another host named in a link', async () => {
    await assert.rejects(
      client().getJson('https://example.com/api/data/v9.2/contacts'),
      (error: unknown) => error instanceof ConnectorHttpError && /another host/.test(error.message),
    );
  });

  it('gets a new token once when a service refuses the cached one, and reports a second refusal', async () => {
    const settings = sandboxConnectorSettings(sandbox);
    const dispatcher = agentTrusting(settings.caPem);
    const real = new MsalApp(settings.credentials, dispatcher).tokensFor(sandbox.resources.dataverse);
    let stale = true;
    let invalidated = 0;
    const make = (alwaysStale: boolean) =>
      new HttpClient({
        system: 'Dataverse',
        tokens: {
          token: (signal) => (stale ? Promise.resolve('expired.token.value') : real.token(signal)),
          invalidate: () => {
            invalidated++;
            stale = alwaysStale;
          },
        },
        dispatcher,
        origin: new URL(sandbox.url).origin,
        requestTimeoutMs: 5000,
        maxConcurrency: 1,
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2000 },
      });
    const whoAmI = `${sandbox.endpoints.dataverse}WhoAmI`;
    assert.equal((await make(false).getJson(whoAmI)).status, 200);
    assert.equal(invalidated, 1);

    stale = true;
    await assert.rejects(
      make(true).getJson(whoAmI),
      (error: unknown) => error instanceof ConnectorHttpError && error.kind === 'unauthorized',
    );
    assert.equal(invalidated, 2, 'one new token per request, not a loop');
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { strict as assert } from 'node:assert';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { AuthenticationHandler, Client } from '@microsoft/microsoft-graph-client';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { people, subjects } from '../../sandbox/seed.js';
import { bearer, call, tokenFor, TrustingGraphTransport, TrustingNetworkClient } from './helpers.js';

const run = promisify(execFile);

describe('sandbox: Entra ID tokens and the real Microsoft clients', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(async () => {
    await sandbox.close();
  });

  const msalApp = (network: TrustingNetworkClient, secret = sandbox.clientSecret): ConfidentialClientApplication =>
    new ConfidentialClientApplication({
      auth: {
        clientId: sandbox.clientId,
        clientSecret: secret,
        authority: sandbox.authority,
        knownAuthorities: [sandbox.knownAuthority],
        authorityMetadata: sandbox.authorityMetadata,
      },
      system: { networkClient: network },
    });

  it('MSAL gets a token from the sandbox authority without discovery calls, and caches it', async () => {
    const network = new TrustingNetworkClient(sandbox);
    const app = msalApp(network);
    const scopes = [`${sandbox.resources.dataverse}/.default`];
    const first = await app.acquireTokenByClientCredential({ scopes });
    assert.ok(first?.accessToken);
    const claims = JSON.parse(Buffer.from(first.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(claims.aud, sandbox.resources.dataverse);
    assert.equal(claims.tid, sandbox.tenantId);
    assert.equal(claims.appid, sandbox.clientId);
    assert.ok(typeof claims.exp === 'number' && claims.exp > Date.now() / 1000);
    const second = await app.acquireTokenByClientCredential({ scopes });
    assert.equal(second?.accessToken, first.accessToken);
    assert.deepEqual(network.calls, [`POST /${sandbox.tenantId}/oauth2/v2.0/token`]);

    const contacts = await call(sandbox, `${sandbox.endpoints.dataverse}contacts?$select=fullname`, {
      headers: { Authorization: `Bearer ${first.accessToken}` },
    });
    assert.equal(contacts.status, 200);
  });

  it('MSAL without authorityMetadata discovers the sandbox through its openid-configuration', async () => {
    const network = new TrustingNetworkClient(sandbox);
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        authority: sandbox.authority,
        knownAuthorities: [sandbox.knownAuthority],
      },
      system: { networkClient: network },
    });
    const result = await app.acquireTokenByClientCredential({ scopes: [`${sandbox.resources.graph}/.default`] });
    assert.ok(result?.accessToken);
    assert.ok(network.calls.includes(`GET /${sandbox.tenantId}/v2.0/.well-known/openid-configuration`));
  });

  it('MSAL surfaces invalid_client for a wrong secret', async () => {
    const app = msalApp(new TrustingNetworkClient(sandbox), 'not-the-secret');
    await assert.rejects(
      app.acquireTokenByClientCredential({ scopes: [`${sandbox.resources.graph}/.default`] }),
      (error: Error & { errorCode?: string }) =>
        error.errorCode === 'invalid_client' && /AADSTS7000215/.test(error.message),
    );
  });

  it('the Graph client sends the bearer token to the sandbox host listed in customHosts and lists users by mail', async () => {
    const app = msalApp(new TrustingNetworkClient(sandbox));
    const authProvider = {
      getAccessToken: async () => {
        const result = await app.acquireTokenByClientCredential({ scopes: [`${sandbox.resources.graph}/.default`] });
        return result?.accessToken ?? '';
      },
    };
    const client = Client.initWithMiddleware({
      baseUrl: `${sandbox.url}/`,
      customHosts: new Set(['localhost']),
      middleware: [new AuthenticationHandler(authProvider), new TrustingGraphTransport(sandbox)],
    });
    const found = (await client.api('/users').filter(`mail eq '${subjects.jordanLee.email}'`).get()) as {
      value: { id: string }[];
    };
    assert.deepEqual(
      found.value.map((user) => user.id),
      [people.jordanLee],
    );
    const manager = (await client.api(`/users/${people.jordanLee}/manager`).get()) as { id: string };
    assert.equal(manager.id, people.isaiahLanger);
    await assert.rejects(
      client.api(`/users/${people.isaiahLanger}/manager`).get(),
      (error: { statusCode?: number; code?: string }) => {
        return error.statusCode === 404 && error.code === 'Request_ResourceNotFound';
      },
    );
  });

  it('the documented recipe works as is in a process that trusts the CA through NODE_EXTRA_CA_CERTS', async () => {
    const script = fileURLToPath(new URL('./fixtures/recipe-client.js', import.meta.url));
    const { stdout } = await run(process.execPath, [script], {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: sandbox.caCertPath,
        SANDBOX_URL: sandbox.url,
        SANDBOX_AUTHORITY: sandbox.authority,
        SANDBOX_AUTHORITY_METADATA: sandbox.authorityMetadata,
        SANDBOX_CLIENT_ID: sandbox.clientId,
        SANDBOX_CLIENT_SECRET: sandbox.clientSecret,
        SANDBOX_MAIL: subjects.priyaNair.email,
      },
      timeout: 15000,
    });
    assert.deepEqual(JSON.parse(stdout), [people.priyaNair]);
  });

  it('rejects an API call without a token with 401 and the system error shape', async () => {
    const graph = await call(sandbox, `${sandbox.endpoints.graph}users`);
    assert.equal(graph.status, 401);
    assert.equal(graph.json.error.code, 'InvalidAuthenticationToken');
    assert.match(String(graph.headers['www-authenticate']), /^Bearer /);
    const dataverse = await call(sandbox, `${sandbox.endpoints.dataverse}contacts`);
    assert.equal(dataverse.status, 401);
    assert.equal(typeof dataverse.json.error.message, 'string');
  });

  it('rejects a token issued for another resource', async () => {
    const dataverseToken = await bearer(sandbox, sandbox.resources.dataverse);
    const graph = await call(sandbox, `${sandbox.endpoints.graph}users`, { headers: dataverseToken });
    assert.equal(graph.status, 401);
    assert.match(graph.json.error.message, /Audience validation failed/);
    const bc = await call(sandbox, `${sandbox.endpoints.businessCentral}companies`, { headers: dataverseToken });
    assert.equal(bc.status, 401);
    assert.equal(bc.json.error.code, 'Authentication_InvalidCredentials');
    const ok = await call(sandbox, `${sandbox.endpoints.dataverse}contacts?$top=1`, { headers: dataverseToken });
    assert.equal(ok.status, 200);
  });

  it('rejects an expired or tampered token', async () => {
    const expired = sandbox.issueToken({ resource: sandbox.resources.humanResources, lifetimeSeconds: -10 });
    const late = await call(sandbox, `${sandbox.endpoints.humanResources}Workers`, {
      headers: { Authorization: `Bearer ${expired}` },
    });
    assert.equal(late.status, 401);
    assert.match(late.json.error.message, /expired/);
    const good = sandbox.issueToken({ resource: sandbox.resources.humanResources });
    const [head, , signature] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ aud: sandbox.resources.humanResources })).toString('base64url');
    const tampered = await call(sandbox, `${sandbox.endpoints.humanResources}Workers`, {
      headers: { Authorization: `Bearer ${head}.${forged}.${signature}` },
    });
    assert.equal(tampered.status, 401);
  });

  it('answers token errors in the Entra shape', async () => {
    const wrong = await tokenFor(sandbox, sandbox.resources.graph, 'nope');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'invalid_client');
    assert.match(String(wrong.json.error_description), /^AADSTS7000215/);
    const unknownResource = await tokenFor(sandbox, 'https://example.invalid/api');
    assert.equal(unknownResource.status, 400);
    assert.equal(unknownResource.json.error, 'invalid_resource');
  });
});

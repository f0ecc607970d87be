import assert from 'node:assert/strict';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import { ConnectorRegistry } from '../../connectors/registry.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { TENANT_DOMAIN } from '../../sandbox/seed.js';
import { SANDBOX_MAILBOX_LOCAL_PART } from '../../sandbox/systems/graphMail.js';
import { call } from './helpers.js';

const MAILBOX = `${SANDBOX_MAILBOX_LOCAL_PART}@${TENANT_DOMAIN}`;

describe('Microsoft Graph mail in the sandbox (sendMail and Sent Items)', () => {
  let sandbox: Sandbox;
  let token: string;
  before(async () => {
    sandbox = await startSandbox();
    token = sandbox.issueToken({ resource: sandbox.resources.graph });
  });
  after(() => sandbox.close());

  const auth = () => ({ Authorization: `Bearer ${token}` });
  const sentItems = () => call(sandbox, `/v1.0/users/${MAILBOX}/mailFolders/sentitems/messages`, { headers: auth() });

  it('sends a letter through the real Graph client path over HTTPS and keeps it in Sent Items', async () => {
    const local = sandboxConnectorSettings(sandbox);
    const registry = ConnectorRegistry.fromConfig(local.config, {
      source: 'sandbox',
      credentials: local.credentials,
      caPem: local.caPem,
    });
    const mailer = registry.letterMailer(MAILBOX)!;
    await mailer.send('maria.garcia@example.org', { subject: 'Su solicitud DSR-2026-0001', html: '<p>Hola</p>' });
    const listed = await sentItems();
    assert.equal(listed.status, 200);
    const [message] = listed.json.value as Array<{
      subject: string;
      body: { contentType: string; content: string };
      toRecipients: Array<{ emailAddress: { address: string } }>;
    }>;
    assert.equal(message?.subject, 'Su solicitud DSR-2026-0001');
    assert.deepEqual(message?.body, { contentType: 'HTML', content: '<p>Hola</p>' });
    assert.equal(message?.toRecipients[0]?.emailAddress.address, 'maria.garcia@example.org');
  });

  it('answers 202 with no body, refuses a message without recipients, and any mailbox the policy does not allow', async () => {
    const message = { subject: 's', body: { contentType: 'Text', content: 'x' } };
    const accepted = await call(sandbox, `/v1.0/users/${MAILBOX}/sendMail`, {
      method: 'POST',
      headers: auth(),
      body: {
        message: { ...message, toRecipients: [{ emailAddress: { address: 'a@example.org' } }] },
        saveToSentItems: false,
      },
    });
    assert.equal(accepted.status, 202);
    assert.equal(accepted.text, '');
    const noRecipient = await call(sandbox, `/v1.0/users/${MAILBOX}/sendMail`, {
      method: 'POST',
      headers: auth(),
      body: { message: { ...message, toRecipients: [] } },
    });
    assert.equal(noRecipient.status, 400);
    assert.equal(noRecipient.json.error.code, 'ErrorInvalidRecipients');
    const other = await call(sandbox, `/v1.0/users/megan.bowen@${TENANT_DOMAIN.replace('onmicrosoft.', '')}/sendMail`, {
      method: 'POST',
      headers: auth(),
      body: { message: { ...message, toRecipients: [{ emailAddress: { address: 'a@example.org' } }] } },
    });
    assert.equal(other.status, 403);
    assert.equal(other.json.error.code, 'ErrorAccessDenied');
    const unauthenticated = await call(sandbox, `/v1.0/users/${MAILBOX}/sendMail`, { method: 'POST', body: {} });
    assert.equal(unauthenticated.status, 401);
    // saveToSentItems: false left nothing behind.
    assert.equal(((await sentItems()).json.value as unknown[]).length, 1);
  });
});

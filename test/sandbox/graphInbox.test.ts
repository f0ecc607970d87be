import assert from 'node:assert/strict';
import { startSandbox, TENANT_DOMAIN, type Sandbox } from '../../sandbox/index.js';
import { SANDBOX_MAILBOX_LOCAL_PART } from '../../sandbox/systems/graphMail.js';
import { call } from './helpers.js';

const MAILBOX = `${SANDBOX_MAILBOX_LOCAL_PART}@${TENANT_DOMAIN}`;
const DELTA = `/v1.0/users/${MAILBOX}/mailFolders('inbox')/messages/delta`;

describe("the sandbox's privacy mailbox, read by message delta as Graph documents it", () => {
  let sandbox: Sandbox;
  let token: string;
  before(async () => {
    sandbox = await startSandbox();
    token = sandbox.issueToken({ resource: sandbox.resources.graph });
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const get = (url: string, headers: Record<string, string> = {}) =>
    call(sandbox, url, { headers: { Authorization: `Bearer ${token}`, ...headers } });

  it('pages a first round with Prefer: odata.maxpagesize and ends it with a delta link carrying the $select', async () => {
    const first = await get(`${DELTA}?$select=subject,receivedDateTime`, { Prefer: 'odata.maxpagesize=3' });
    assert.equal(first.status, 200);
    assert.equal(first.headers['preference-applied'], 'odata.maxpagesize=3');
    assert.equal(first.json.value.length, 3);
    assert.deepEqual(Object.keys(first.json.value[0]!).sort(), [
      '@odata.etag',
      '@odata.type',
      'id',
      'receivedDateTime',
      'subject',
    ]);
    let link = first.json['@odata.nextLink'] as string;
    const seen = first.json.value.map((m) => m.id);
    for (;;) {
      const page = await get(link, { Prefer: 'odata.maxpagesize=3' });
      seen.push(...page.json.value.map((m) => m.id));
      assert.equal(page.json.value[0]!.body, undefined, 'the $select of the first request holds for the round');
      if (page.json['@odata.deltaLink']) {
        link = page.json['@odata.deltaLink'] as string;
        break;
      }
      link = page.json['@odata.nextLink'] as string;
    }
    assert.equal(new Set(seen).size, 7);
    // The next round: nothing, then a new mail, a mail marked read (same id) and one deleted.
    const empty = await get(link);
    assert.deepEqual(empty.json.value, []);
    const [kept, gone] = sandbox.inbox.messages();
    const fresh = sandbox.inbox.deliver({ subject: 'New', body: 'Hello' });
    sandbox.inbox.markRead(kept!.id);
    sandbox.inbox.remove(gone!.id);
    const next = await get(empty.json['@odata.deltaLink'] as string);
    const ids = next.json.value.map((m) => m.id);
    assert.deepEqual(ids.sort(), [fresh.id, kept!.id, gone!.id].sort());
    assert.deepEqual(next.json.value.find((m) => m.id === gone!.id)!['@removed'], { reason: 'deleted' });
  });

  it('filters a first round by receivedDateTime ge and refuses what delta does not support', async () => {
    const since = new Date(Date.now() - 12 * 60 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const recent = await get(`${DELTA}?$filter=receivedDateTime ge ${since}`);
    assert.equal(recent.status, 200);
    assert.equal(recent.json.value.length, 2);
    assert.equal((await get(`${DELTA}?$filter=subject eq 'x'`)).status, 400);
    assert.equal((await get(`${DELTA}?$search="gdpr"`)).status, 400);
    assert.equal((await get(`${DELTA}?$orderby=subject`)).status, 400);
  });

  it('answers 410 syncStateNotFound for a state token it no longer holds', async () => {
    const first = await get(DELTA, { Prefer: 'odata.maxpagesize=100' });
    const link = first.json['@odata.deltaLink'] as string;
    sandbox.inbox.forgetSyncState();
    const stale = await get(link);
    assert.equal(stale.status, 410);
    assert.match(stale.json.error.code, /syncStateNotFound/i);
  });

  it('keeps every other mailbox out, as the application access policy does, and answers injected faults', async () => {
    const other = await get(`/v1.0/users/megan@${TENANT_DOMAIN}/mailFolders/inbox/messages/delta`);
    assert.equal(other.status, 403);
    sandbox.inbox.fault({ status: 429, retryAfterSeconds: 30, count: 1 });
    const throttled = await get(DELTA);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '30');
    assert.equal((await get(DELTA)).status, 200);
  });

  it('takes a delivered mail through its admin endpoint, and refuses one that is not a mail', async () => {
    const posted = await call(sandbox, '/_sandbox/inbox', {
      method: 'POST',
      body: { subject: 'By admin', body: 'Please delete my data.', from: { address: 'x@example.org' } },
    });
    assert.equal(posted.status, 201);
    assert.ok(sandbox.inbox.messages().some((m) => m.subject === 'By admin'));
    const refused = await call(sandbox, '/_sandbox/inbox', { method: 'POST', body: { subject: 'no body' } });
    assert.equal(refused.status, 400);
  });
});

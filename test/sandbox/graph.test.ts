import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import {
  graphSeed,
  people,
  PRIVACY_TEAM_GROUP_ID,
  ALL_STAFF_GROUP_ID,
  DEVICE_LICENCE_GROUP_ID,
  skus,
  subjects,
} from '../../sandbox/seed.js';
import { bearer, call } from './helpers.js';

const q = (value: string): string => encodeURIComponent(value);

describe('sandbox: Microsoft Graph', () => {
  let sandbox: Sandbox;
  let auth: Record<string, string>;
  let graph: string;
  before(async () => {
    sandbox = await startSandbox();
    auth = await bearer(sandbox, sandbox.resources.graph);
    graph = sandbox.endpoints.graph;
  });
  after(async () => {
    await sandbox.close();
  });
  afterEach(() => sandbox.reset());

  it('finds users by employeeId only when selected fields say so, and returns the default properties otherwise', async () => {
    const res = await call(sandbox, `${graph}users?$filter=${q(`employeeId eq '${subjects.jordanLee.employeeId}'`)}`, {
      headers: auth,
    });
    assert.deepEqual(
      res.json.value.map((u) => u.id),
      [people.jordanLee],
    );
    assert.equal('employeeId' in res.json.value[0]!, false, 'employeeId is not a default property');
    const selected = await call(sandbox, `${graph}users/${people.jordanLee}?$select=employeeId,accountEnabled`, {
      headers: auth,
    });
    assert.equal(selected.json.employeeId, subjects.jordanLee.employeeId);
    assert.equal(selected.json.accountEnabled, false);
  });

  it('looks a user up by userPrincipalName and by otherMails/any()', async () => {
    const byUpn = await call(sandbox, `${graph}users/${q(subjects.priyaNair.email)}`, { headers: auth });
    assert.equal(byUpn.json.id, people.priyaNair);
    const byOther = await call(
      sandbox,
      `${graph}users?$filter=${q(`otherMails/any(m:m eq 'jordan.lee.home@example.net')`)}`,
      { headers: auth },
    );
    assert.deepEqual(
      byOther.json.value.map((u) => u.id),
      [people.jordanLee],
    );
  });

  it('refuses advanced filters without ConsistencyLevel: eventual and $count', async () => {
    const filter = q(`endswith(mail,'@contoso.com')`);
    const plain = await call(sandbox, `${graph}users?$filter=${filter}`, { headers: auth });
    assert.equal(plain.status, 400);
    assert.equal(plain.json.error.code, 'Request_UnsupportedQuery');
    const advanced = await call(sandbox, `${graph}users?$filter=${filter}&$count=true`, {
      headers: { ...auth, ConsistencyLevel: 'eventual' },
    });
    assert.equal(advanced.status, 200);
    assert.equal(advanced.json['@odata.count'], advanced.json.value.length);
  });

  it('pages with $top up to 999 and refuses more', async () => {
    const first = await call(sandbox, `${graph}users?$top=3`, { headers: auth });
    assert.equal(first.json.value.length, 3);
    const ids = first.json.value.map((u) => u.id);
    let next = first.json['@odata.nextLink'] as string | undefined;
    while (next) {
      const page = await call(sandbox, next, { headers: auth });
      ids.push(...page.json.value.map((u) => u.id));
      next = page.json['@odata.nextLink'] as string | undefined;
    }
    assert.equal(new Set(ids).size, graphSeed.users.length);
    const tooMany = await call(sandbox, `${graph}users?$top=1000`, { headers: auth });
    assert.equal(tooMany.status, 400);
  });

  it('answers the manager, or 404 Request_ResourceNotFound when there is none', async () => {
    const manager = await call(sandbox, `${graph}users/${people.alexWilber}/manager`, { headers: auth });
    assert.equal(manager.json.id, people.isaiahLanger);
    assert.equal(manager.json['@odata.type'], '#microsoft.graph.user');
    const none = await call(sandbox, `${graph}users/${people.isaiahLanger}/manager`, { headers: auth });
    assert.equal(none.status, 404);
    assert.equal(none.json.error.code, 'Request_ResourceNotFound');
  });

  it('lists privacy team members, and all staff transitively through the nested group', async () => {
    const members = await call(sandbox, `${graph}groups/${PRIVACY_TEAM_GROUP_ID}/members?$select=id,displayName`, {
      headers: auth,
    });
    assert.deepEqual(members.json.value.map((m) => m.id).sort(), [people.meganBowen, people.adeleVance].sort());
    const direct = await call(sandbox, `${graph}groups/${ALL_STAFF_GROUP_ID}/members`, { headers: auth });
    const transitive = await call(sandbox, `${graph}groups/${ALL_STAFF_GROUP_ID}/transitiveMembers`, { headers: auth });
    assert.equal(direct.json.value.length, transitive.json.value.length, 'the nested group adds no new people here');
    const unknown = await call(sandbox, `${graph}groups/f1a0b2c3-0009-4d00-8a00-000000000009/members`, {
      headers: auth,
    });
    assert.equal(unknown.status, 404);
  });

  it('removes only licences assigned directly with assignLicense, and refuses one a group assigns', async () => {
    const before = await call(sandbox, `${graph}users/${people.jordanLee}/licenseDetails`, { headers: auth });
    assert.deepEqual(before.json.value.map((l) => l.skuId).sort(), [skus.office365E3.skuId, skus.emsE3.skuId].sort());
    const states = await call(sandbox, `${graph}users/${people.jordanLee}?$select=licenseAssignmentStates`, {
      headers: auth,
    });
    assert.deepEqual(
      (states.json.licenseAssignmentStates as Record<string, unknown>[]).map((s) => [s.skuId, s.assignedByGroup]),
      [
        [skus.office365E3.skuId, null],
        [skus.emsE3.skuId, DEVICE_LICENCE_GROUP_ID],
      ],
    );
    const defaults = await call(sandbox, `${graph}users/${people.jordanLee}`, { headers: auth });
    assert.equal('licenseAssignmentStates' in defaults.json, false, 'not a default property');

    const inherited = await call(sandbox, `${graph}users/${people.jordanLee}/assignLicense`, {
      method: 'POST',
      headers: auth,
      body: { addLicenses: [], removeLicenses: [skus.office365E3.skuId, skus.emsE3.skuId] },
    });
    assert.equal(inherited.status, 400);
    assert.match(inherited.json.error.message, /inherited from a group membership/);
    const unchanged = await call(sandbox, `${graph}users/${people.jordanLee}/licenseDetails`, { headers: auth });
    assert.equal(unchanged.json.value.length, 2, 'a refused request changes nothing');

    const removed = await call(sandbox, `${graph}users/${people.jordanLee}/assignLicense`, {
      method: 'POST',
      headers: auth,
      body: { addLicenses: [], removeLicenses: [skus.office365E3.skuId] },
    });
    assert.equal(removed.status, 200);
    assert.equal(removed.json.id, people.jordanLee);
    const after = await call(sandbox, `${graph}users/${people.jordanLee}/licenseDetails`, { headers: auth });
    assert.deepEqual(
      after.json.value.map((l) => l.skuId),
      [skus.emsE3.skuId],
    );
    const again = await call(sandbox, `${graph}users/${people.jordanLee}/assignLicense`, {
      method: 'POST',
      headers: auth,
      body: { addLicenses: [], removeLicenses: [skus.office365E3.skuId] },
    });
    assert.equal(again.status, 400);
  });

  it('deletes a user into deletedItems, then purges it for good', async () => {
    const user = `${graph}users/${people.jordanLee}`;
    assert.equal((await call(sandbox, user, { method: 'DELETE', headers: auth })).status, 204);
    assert.equal((await call(sandbox, user, { headers: auth })).status, 404);
    const deleted = await call(sandbox, `${graph}directory/deletedItems/${people.jordanLee}`, { headers: auth });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.json['@odata.type'], '#microsoft.graph.user');
    assert.equal(typeof deleted.json.deletedDateTime, 'string');
    const search = await call(sandbox, `${graph}users?$filter=${q(`mail eq '${subjects.jordanLee.email}'`)}`, {
      headers: auth,
    });
    assert.deepEqual(search.json.value, []);
    assert.equal(
      (await call(sandbox, `${graph}directory/deletedItems/${people.jordanLee}`, { method: 'DELETE', headers: auth }))
        .status,
      204,
    );
    assert.equal(
      (await call(sandbox, `${graph}directory/deletedItems/${people.jordanLee}`, { headers: auth })).status,
      404,
    );
  });

  it('restores a deleted user from deletedItems', async () => {
    await call(sandbox, `${graph}users/${people.priyaNair}`, { method: 'DELETE', headers: auth });
    const restored = await call(sandbox, `${graph}directory/deletedItems/${people.priyaNair}/restore`, {
      method: 'POST',
      headers: auth,
    });
    assert.equal(restored.status, 200);
    assert.equal((await call(sandbox, `${graph}users/${people.priyaNair}`, { headers: auth })).status, 200);
  });

  it('PATCH honours If-Match with 412 on a stale etag', async () => {
    const url = `${graph}users/${people.alexWilber}`;
    const read = await call(sandbox, url, { headers: auth });
    const etag = read.json['@odata.etag'] as string;
    assert.equal(
      (
        await call(sandbox, url, {
          method: 'PATCH',
          headers: { ...auth, 'If-Match': etag },
          body: { jobTitle: 'Team lead' },
        })
      ).status,
      204,
    );
    assert.equal(
      (
        await call(sandbox, url, {
          method: 'PATCH',
          headers: { ...auth, 'If-Match': etag },
          body: { jobTitle: 'Agent' },
        })
      ).status,
      412,
    );
  });
});

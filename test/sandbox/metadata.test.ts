import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { subjects } from '../../sandbox/seed.js';
import { bearer, call } from './helpers.js';

/** The sandbox refuses what the published metadata says the services refuse. */
describe('sandbox: held to the published metadata', () => {
  let sandbox: Sandbox;
  let auth: Record<string, string>;
  const maria = subjects.mariaGarcia;
  before(async () => {
    sandbox = await startSandbox();
    auth = await bearer(sandbox, sandbox.resources.dataverse);
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  it('knows a column of an optional solution only while the solution is installed', async () => {
    const url = `${sandbox.endpoints.dataverse}contacts(${maria.crmContactId})?$select=msdyn_gdproptout`;
    assert.equal((await call(sandbox, url, { headers: auth })).status, 200);
    sandbox.setSwitches({ crm: { solutions: ['Marketing'] } });
    const refused = await call(sandbox, url, { headers: auth });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /0x80060888.*msdyn_gdproptout/s);
    const patch = await call(sandbox, `${sandbox.endpoints.dataverse}contacts(${maria.crmContactId})`, {
      method: 'PATCH',
      headers: { ...auth, 'If-Match': '*' },
      body: { msdyn_gdproptout: true },
    });
    assert.equal(patch.status, 400, 'nor can it be written');
  });

  it('refuses an update or delete of an activity party, which has neither message', async () => {
    const parties = await call(sandbox, `${sandbox.endpoints.dataverse}activityparties?$top=1`, { headers: auth });
    const id = (parties.json.value as { activitypartyid: string }[])[0]!.activitypartyid;
    const url = `${sandbox.endpoints.dataverse}activityparties(${id})`;
    assert.equal((await call(sandbox, url, { method: 'DELETE', headers: auth })).status, 405);
    const patch = await call(sandbox, url, { method: 'PATCH', headers: auth, body: { addressused: 'x@example.org' } });
    assert.equal(patch.status, 405);
  });
});

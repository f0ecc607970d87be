import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { bcSeed, fnoSeed, subjects } from '../../sandbox/seed.js';
import { bearer, call } from './helpers.js';

const q = (value: string): string => encodeURIComponent(value);
const usCompany = bcSeed.companies[0]!.id;

describe('sandbox: Business Central API v2.0', () => {
  let sandbox: Sandbox;
  let auth: Record<string, string>;
  let company: string;
  before(async () => {
    sandbox = await startSandbox();
    auth = await bearer(sandbox, sandbox.resources.businessCentral);
    company = `${sandbox.endpoints.businessCentral}companies(${usCompany})`;
  });
  after(async () => {
    await sandbox.close();
  });
  afterEach(() => sandbox.reset());

  it('lists companies and finds Maria as a customer of one company only', async () => {
    const companies = await call(sandbox, `${sandbox.endpoints.businessCentral}companies`, { headers: auth });
    assert.equal(companies.json.value.length, bcSeed.companies.length);
    const found = await call(sandbox, `${company}/customers?$filter=${q(`email eq '${subjects.mariaGarcia.email}'`)}`, {
      headers: auth,
    });
    assert.deepEqual(
      found.json.value.map((c) => c.number),
      [subjects.mariaGarcia.bcCustomerNumber],
    );
    const other = await call(
      sandbox,
      `${sandbox.endpoints.businessCentral}companies(${bcSeed.companies[1]!.id})/customers?$filter=${q(`email eq '${subjects.mariaGarcia.email}'`)}`,
      { headers: auth },
    );
    assert.deepEqual(other.json.value, []);
  });

  it("finds Sean O'Brien's contact literally and not the decoy", async () => {
    const res = await call(sandbox, `${company}/contacts?$filter=${q(`displayName eq 'Sean O''Brien'`)}`, {
      headers: auth,
    });
    assert.deepEqual(
      res.json.value.map((c) => c.id),
      [subjects.seanOBrien.bcContactId],
    );
  });

  it('PATCH needs If-Match; a stale one answers 409 Request_EntityChanged; a fresh one answers the entity', async () => {
    const url = `${company}/contacts(${subjects.seanOBrien.bcContactId})`;
    const read = await call(sandbox, url, { headers: auth });
    const etag = read.json['@odata.etag'] as string;
    const missing = await call(sandbox, url, { method: 'PATCH', headers: auth, body: { privacyBlocked: true } });
    assert.ok(missing.status >= 400 && missing.status < 500);
    const fresh = await call(sandbox, url, {
      method: 'PATCH',
      headers: { ...auth, 'If-Match': etag },
      body: { privacyBlocked: true },
    });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.json.privacyBlocked, true);
    assert.notEqual(fresh.json['@odata.etag'], etag);
    const stale = await call(sandbox, url, {
      method: 'PATCH',
      headers: { ...auth, 'If-Match': etag },
      body: { privacyBlocked: false },
    });
    assert.ok(stale.status === 409 || stale.status === 412);
    assert.equal(stale.json.error.code, 'Request_EntityChanged');
  });

  it('accepts only the documented blocked values on customers', async () => {
    const url = `${company}/customers(${subjects.mariaGarcia.bcCustomerId})`;
    const read = await call(sandbox, url, { headers: auth });
    const bad = await call(sandbox, url, {
      method: 'PATCH',
      headers: { ...auth, 'If-Match': read.json['@odata.etag'] as string },
      body: { blocked: 'Yes' },
    });
    assert.equal(bad.status, 400);
    const good = await call(sandbox, url, {
      method: 'PATCH',
      headers: { ...auth, 'If-Match': read.json['@odata.etag'] as string },
      body: { blocked: 'All' },
    });
    assert.equal(good.status, 200);
    assert.equal(good.json.blocked, 'All');
  });

  it('keeps posted invoices: deleting one is refused, deleting the customer leaves them', async () => {
    const invoices = await call(
      sandbox,
      `${company}/salesInvoices?$filter=${q(`customerId eq ${subjects.mariaGarcia.bcCustomerId}`)}`,
      { headers: auth },
    );
    assert.deepEqual(invoices.json.value.map((i) => i.id).sort(), [...subjects.mariaGarcia.bcInvoiceIds].sort());
    const refused = await call(sandbox, `${company}/salesInvoices(${subjects.mariaGarcia.bcInvoiceIds[0]})`, {
      method: 'DELETE',
      headers: auth,
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'Application_DialogException');
    const customer = await call(sandbox, `${company}/customers(${subjects.mariaGarcia.bcCustomerId})`, {
      method: 'DELETE',
      headers: auth,
    });
    assert.equal(customer.status, 204);
    const kept = await call(
      sandbox,
      `${company}/salesInvoices?$filter=${q(`customerId eq ${subjects.mariaGarcia.bcCustomerId}`)}`,
      { headers: auth },
    );
    assert.equal(kept.json.value.length, subjects.mariaGarcia.bcInvoiceIds.length);
  });

  it('refuses to delete a customer with an open invoice', async () => {
    const adatum = bcSeed.customers.find((c) => c.number === 'C00020')!;
    const res = await call(sandbox, `${company}/customers(${adatum.id})`, { method: 'DELETE', headers: auth });
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /outstanding/);
  });

  it('shows the former employee as terminated', async () => {
    const res = await call(
      sandbox,
      `${company}/employees?$filter=${q(`number eq '${subjects.jordanLee.employeeId}'`)}`,
      { headers: auth },
    );
    assert.equal(res.json.value.length, 1);
    assert.equal(res.json.value[0]!.status, 'Terminated');
  });
});

describe('sandbox: Finance and Operations and Human Resources data entities', () => {
  let sandbox: Sandbox;
  let fno: Record<string, string>;
  let hr: Record<string, string>;
  before(async () => {
    sandbox = await startSandbox();
    fno = await bearer(sandbox, sandbox.resources.financeOperations);
    hr = await bearer(sandbox, sandbox.resources.humanResources);
  });
  after(async () => {
    await sandbox.close();
  });
  afterEach(() => sandbox.reset());

  const mariaFilter = q(`PrimaryContactEmail eq '${subjects.mariaGarcia.email}'`);

  it('shows only the default company without cross-company=true, every company with it', async () => {
    const local = await call(sandbox, `${sandbox.endpoints.financeOperations}CustomersV3?$filter=${mariaFilter}`, {
      headers: fno,
    });
    assert.deepEqual(
      local.json.value.map((c) => c.dataAreaId),
      ['usmf'],
    );
    const all = await call(
      sandbox,
      `${sandbox.endpoints.financeOperations}CustomersV3?$filter=${mariaFilter}&cross-company=true`,
      { headers: fno },
    );
    assert.deepEqual(all.json.value.map((c) => `${c.dataAreaId as string}/${c.CustomerAccount as string}`).sort(), [
      'demf/DE-0042',
      'usmf/US-0042',
    ]);
  });

  it('reads by composite key, and another company only with cross-company=true', async () => {
    const key = `CustomersV3(dataAreaId='demf',CustomerAccount='DE-0042')`;
    const hidden = await call(sandbox, `${sandbox.endpoints.financeOperations}${key}`, { headers: fno });
    assert.equal(hidden.status, 404);
    const shown = await call(sandbox, `${sandbox.endpoints.financeOperations}${key}?cross-company=true`, {
      headers: fno,
    });
    assert.equal(shown.status, 200);
    assert.equal(shown.json.PersonLastName, 'Garcia');
  });

  it("matches eq '*text*' as a wildcard, as F&O does", async () => {
    const res = await call(
      sandbox,
      `${sandbox.endpoints.financeOperations}CustomersV3?$filter=${q(`PersonLastName eq '*garcia*'`)}&cross-company=true`,
      {
        headers: fno,
      },
    );
    const expected = fnoSeed.CustomersV3.filter((c) =>
      (c.PersonLastName as string).toLowerCase().includes('garcia'),
    ).length;
    assert.equal(res.json.value.length, expected);
    assert.ok(expected >= 3);
  });

  it('supports $top, $skip and $count', async () => {
    const res = await call(
      sandbox,
      `${sandbox.endpoints.financeOperations}CustomersV3?cross-company=true&$count=true&$top=2&$skip=1`,
      { headers: fno },
    );
    assert.equal(res.json['@odata.count'], fnoSeed.CustomersV3.length);
    assert.equal(res.json.value.length, 2);
    assert.equal(res.json['@odata.nextLink'], undefined);
  });

  it('refuses to delete an active worker and deletes a terminated one', async () => {
    const active = await call(
      sandbox,
      `${sandbox.endpoints.humanResources}Workers('${subjects.priyaNair.employeeId}')`,
      { method: 'DELETE', headers: hr },
    );
    assert.equal(active.status, 400);
    assert.match(active.json.error.message, /only terminated workers can be deleted/);
    const still = await call(
      sandbox,
      `${sandbox.endpoints.humanResources}Workers('${subjects.priyaNair.employeeId}')`,
      { headers: hr },
    );
    assert.equal(still.status, 200);
    const terminated = await call(
      sandbox,
      `${sandbox.endpoints.humanResources}Workers(PersonnelNumber='${subjects.jordanLee.employeeId}')`,
      {
        method: 'DELETE',
        headers: hr,
      },
    );
    assert.equal(terminated.status, 204);
    const gone = await call(sandbox, `${sandbox.endpoints.humanResources}Workers('${subjects.jordanLee.employeeId}')`, {
      headers: hr,
    });
    assert.equal(gone.status, 404);
  });

  it('does not confuse E-1042 with the decoy E-10420', async () => {
    const res = await call(
      sandbox,
      `${sandbox.endpoints.humanResources}Workers?$filter=${q(`PersonnelNumber eq '${subjects.jordanLee.employeeId}'`)}`,
      { headers: hr },
    );
    assert.deepEqual(
      res.json.value.map((w) => w.Name),
      ['Jordan Lee'],
    );
  });

  it('PATCH with a stale If-Match answers 412', async () => {
    const url = `${sandbox.endpoints.humanResources}Workers('${subjects.priyaNair.employeeId}')`;
    const read = await call(sandbox, url, { headers: hr });
    const etag = read.json['@odata.etag'] as string;
    assert.equal(
      (
        await call(sandbox, url, {
          method: 'PATCH',
          headers: { ...hr, 'If-Match': etag },
          body: { PrimaryContactPhone: '1' },
        })
      ).status,
      204,
    );
    const stale = await call(sandbox, url, {
      method: 'PATCH',
      headers: { ...hr, 'If-Match': etag },
      body: { PrimaryContactPhone: '2' },
    });
    assert.equal(stale.status, 412);
  });
});

import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { crmSeed, subjects } from '../../sandbox/seed.js';
import { bearer, call } from './helpers.js';

const odataString = (value: string): string => `'${value.replace(/'/g, "''")}'`;
const q = (value: string): string => encodeURIComponent(value);

describe('sandbox: Dataverse Web API', () => {
  let sandbox: Sandbox;
  let auth: Record<string, string>;
  let api: string;
  before(async () => {
    sandbox = await startSandbox();
    auth = await bearer(sandbox, sandbox.resources.dataverse);
    api = sandbox.endpoints.dataverse;
  });
  after(async () => {
    await sandbox.close();
  });
  afterEach(() => sandbox.reset());

  it("matches 'O''Brien' literally and finds exactly Sean O'Brien", async () => {
    const filter = `lastname eq ${odataString(subjects.seanOBrien.lastName)}`;
    const res = await call(sandbox, `${api}leads?$filter=${q(filter)}&$select=fullname,emailaddress1`, {
      headers: auth,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.json.value.map((lead) => lead.leadid),
      [subjects.seanOBrien.crmLeadId],
    );
  });

  it('finds nothing for an escaped injection string', async () => {
    const filter = `emailaddress1 eq ${odataString("x' or 1 eq 1 or 'a' eq 'a")}`;
    const contacts = await call(sandbox, `${api}contacts?$filter=${q(filter)}`, { headers: auth });
    assert.equal(contacts.status, 200);
    assert.deepEqual(contacts.json.value, []);
    const unescaped = `emailaddress1 eq 'x' or 1 eq 1 or 'a' eq 'a'`;
    const widened = await call(sandbox, `${api}contacts?$filter=${q(unescaped)}`, { headers: auth });
    assert.equal(widened.status, 200);
    assert.equal(widened.json.value.length, crmSeed.contacts.length, 'the same text unescaped widens to every contact');
  });

  it('compares strings without regard to case, as Dataverse collation does', async () => {
    const res = await call(sandbox, `${api}contacts?$filter=${q(`emailaddress1 eq 'MARIA.GARCIA@example.org'`)}`, {
      headers: auth,
    });
    assert.deepEqual(
      res.json.value.map((c) => c.contactid),
      [subjects.mariaGarcia.crmContactId],
    );
  });

  it('supports contains, startswith, tolower, and/or with parentheses', async () => {
    const filter = `(contains(fullname,'garcia') or startswith(lastname,'Bri')) and tolower(address1_country) ne 'mexico'`;
    const res = await call(sandbox, `${api}contacts?$filter=${q(filter)}&$select=fullname`, { headers: auth });
    assert.equal(res.status, 200);
    // Two contacts are called Maria Garcia: the data subject and her namesake in Sevilla.
    assert.deepEqual(res.json.value.map((c) => c.fullname).sort(), ['Maria Garcia', 'Maria Garcia', 'Seana Brien']);
  });

  for (const [name, filter] of [
    ['unterminated string', `emailaddress1 eq 'x`],
    ['dangling operator', 'emailaddress1 eq'],
    ['unknown function', `substringof('a',fullname)`],
    ['unknown property', `emailaddress eq 'a'`],
    ['quoted guid', `contactid eq '${subjects.mariaGarcia.crmContactId}'`],
    ['unbalanced parenthesis', `(fullname eq 'a'`],
  ] as const) {
    it(`answers 400 with error JSON for a malformed filter: ${name}`, async () => {
      const res = await call(sandbox, `${api}contacts?$filter=${q(filter)}`, { headers: auth });
      assert.equal(res.status, 400);
      assert.equal(typeof res.json.error.code, 'string');
      assert.equal(typeof res.json.error.message, 'string');
    });
  }

  it('refuses $skip, which Dataverse does not support', async () => {
    const res = await call(sandbox, `${api}contacts?$skip=1`, { headers: auth });
    assert.equal(res.status, 400);
  });

  it('pages with Prefer: odata.maxpagesize across several pages through @odata.nextLink', async () => {
    const headers = { ...auth, Prefer: 'odata.maxpagesize=2' };
    const seen: string[] = [];
    let next: string | undefined = `${api}contacts?$select=fullname`;
    let pages = 0;
    while (next) {
      const res = await call(sandbox, next, { headers });
      assert.equal(res.status, 200);
      assert.equal(res.headers['preference-applied'], 'odata.maxpagesize=2');
      assert.ok(res.json.value.length <= 2);
      for (const row of res.json.value) seen.push(row.contactid as string);
      next = res.json['@odata.nextLink'] as string | undefined;
      if (next) assert.match(next, /\$skiptoken=/);
      pages++;
    }
    assert.equal(pages, Math.ceil(crmSeed.contacts.length / 2));
    assert.deepEqual([...seen].sort(), crmSeed.contacts.map((c) => c.contactid as string).sort());
  });

  it('does not skip a row when the previous page is deleted while paging', async () => {
    const headers = { ...auth, Prefer: 'odata.maxpagesize=2' };
    const first = await call(sandbox, `${api}contacts`, { headers });
    for (const row of first.json.value) {
      const del = await call(sandbox, `${api}contacts(${row.contactid as string})`, {
        method: 'DELETE',
        headers: auth,
      });
      assert.equal(del.status, 204);
    }
    const second = await call(sandbox, first.json['@odata.nextLink'] as string, { headers });
    assert.equal(second.json.value.length, 2);
  });

  it('PATCH refuses a stale If-Match with 412 and accepts a fresh one with 204 and a new etag', async () => {
    const url = `${api}contacts(${subjects.mariaGarcia.crmContactId})`;
    const before = await call(sandbox, url, { headers: auth });
    const etag = before.json['@odata.etag'] as string;
    assert.match(etag, /^W\/"\d+"$/);
    const fresh = await call(sandbox, url, {
      method: 'PATCH',
      headers: { ...auth, 'If-Match': etag },
      body: { telephone1: '+34 91 000 0000' },
    });
    assert.equal(fresh.status, 204);
    const newEtag = fresh.headers.etag as string;
    assert.notEqual(newEtag, etag);
    const stale = await call(sandbox, url, {
      method: 'PATCH',
      headers: { ...auth, 'If-Match': etag },
      body: { telephone1: '+34 91 111 1111' },
    });
    assert.equal(stale.status, 412);
    assert.equal(stale.json.error.code, '0x80060882');
    const after = await call(sandbox, url, { headers: auth });
    assert.equal(after.json.telephone1, '+34 91 000 0000');
    assert.equal(after.json['@odata.etag'], newEtag);
  });

  it('PATCH checks the body against the entity and keeps fullname derived', async () => {
    const url = `${api}contacts(${subjects.mariaGarcia.crmContactId})`;
    const unknown = await call(sandbox, url, { method: 'PATCH', headers: auth, body: { nickname: 'M' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /nickname/);
    const wrongType = await call(sandbox, url, { method: 'PATCH', headers: auth, body: { donotemail: 'yes' } });
    assert.equal(wrongType.status, 400);
    const ok = await call(sandbox, url, {
      method: 'PATCH',
      headers: auth,
      body: { lastname: 'García', donotemail: true },
    });
    assert.equal(ok.status, 204);
    const after = await call(sandbox, `${url}?$select=fullname,donotemail`, { headers: auth });
    assert.equal(after.json.fullname, 'Maria García');
    assert.equal(after.json.donotemail, true);
  });

  it('PATCH with If-Match: * on a missing row is 404; without If-Match it upserts, as Dataverse does', async () => {
    const id = 'c047ac70-0000-4000-8000-0000000000ff';
    const guarded = await call(sandbox, `${api}contacts(${id})`, {
      method: 'PATCH',
      headers: { ...auth, 'If-Match': '*' },
      body: { firstname: 'X' },
    });
    assert.equal(guarded.status, 404);
    const upsert = await call(sandbox, `${api}contacts(${id})`, {
      method: 'PATCH',
      headers: auth,
      body: { firstname: 'X' },
    });
    assert.equal(upsert.status, 204);
    const read = await call(sandbox, `${api}contacts(${id})`, { headers: auth });
    assert.equal(read.status, 200);
  });

  it('finds the emails a contact takes part in through activityparties and expands the parties', async () => {
    const maria = subjects.mariaGarcia;
    const parties = await call(
      sandbox,
      `${api}activityparties?$filter=${q(`_partyid_value eq ${maria.crmContactId}`)}`,
      { headers: auth },
    );
    const activityIds = [...new Set(parties.json.value.map((p) => p._activityid_value as string))].sort();
    assert.deepEqual(activityIds, [...maria.crmEmailIds].sort());
    const email = await call(
      sandbox,
      `${api}emails(${maria.crmEmailIds[1]})?$expand=email_activity_parties($select=addressused,participationtypemask)`,
      { headers: auth },
    );
    assert.equal(email.status, 200);
    const addresses = (email.json.email_activity_parties as { addressused: string }[]).map((p) => p.addressused);
    assert.ok(addresses.includes(maria.email));
  });

  it('deletes a contact with 204, cascades its note, and answers 404 afterwards', async () => {
    const maria = subjects.mariaGarcia;
    const url = `${api}contacts(${maria.crmContactId})`;
    assert.equal((await call(sandbox, url, { method: 'DELETE', headers: auth })).status, 204);
    const gone = await call(sandbox, url, { headers: auth });
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.code, '0x80040217');
    const note = await call(sandbox, `${api}annotations(${maria.crmNoteId})`, { headers: auth });
    assert.equal(note.status, 404);
    const interactions = await call(sandbox, `${api}msdyncrm_LoadInteractionsPublic`, {
      method: 'POST',
      headers: auth,
      body: { ContactId: maria.crmContactId, InteractionType: 'EmailOpened' },
    });
    assert.deepEqual(JSON.parse(interactions.json.Data as string), []);
  });

  it('serves marketing interactions one type per call', async () => {
    const maria = subjects.mariaGarcia;
    const res = await call(sandbox, `${api}msdyncrm_LoadInteractionsPublic`, {
      method: 'POST',
      headers: auth,
      body: { ContactId: maria.crmContactId, InteractionType: 'EmailClicked' },
    });
    assert.equal(res.status, 200);
    const data = JSON.parse(res.json.Data as string) as { InteractionType: string }[];
    assert.equal(
      data.length,
      crmSeed.interactions.filter((i) => i.ContactId === maria.crmContactId && i.InteractionType === 'EmailClicked')
        .length,
    );
    assert.ok(data.length > 0);
    const missing = await call(sandbox, `${api}msdyncrm_LoadInteractionsPublic`, {
      method: 'POST',
      headers: auth,
      body: { ContactId: maria.crmContactId },
    });
    assert.equal(missing.status, 400);
  });
});

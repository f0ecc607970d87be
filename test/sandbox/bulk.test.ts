import { strict as assert } from 'node:assert';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { crmSeed, subjects } from '../../sandbox/seed.js';
import { bearer, call } from './helpers.js';

const COUNT = 100_000;

/** Live heap after a collection, so garbage from earlier tests does not read as growth. */
function liveHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

describe('sandbox: bulk records for benchmarks', () => {
  let sandbox: Sandbox;
  let auth: Record<string, string>;
  before(async () => {
    sandbox = await startSandbox({ bulk: [{ system: 'crm', entitySet: 'activitypointers', count: COUNT }] });
    auth = await bearer(sandbox, sandbox.resources.dataverse);
  });
  after(async () => {
    await sandbox.close();
  });

  it('pages through 100,000 generated activities with flat memory', async function () {
    this.timeout(120_000);
    const maria = subjects.mariaGarcia.crmContactId;
    const seeded = crmSeed.activities.filter((a) => a._regardingobjectid_value === maria).length;
    const filter = encodeURIComponent(`_regardingobjectid_value eq ${maria}`);
    let next: string | undefined = `${sandbox.endpoints.dataverse}activitypointers?$select=subject&$filter=${filter}`;
    let total = 0;
    let pages = 0;
    let lastId = '';
    const heaps: number[] = [];
    while (next) {
      const res = await call(sandbox, next, { headers: { ...auth, Prefer: 'odata.maxpagesize=5000' } });
      assert.equal(res.status, 200);
      total += res.json.value.length;
      lastId = res.json.value.at(-1)?.activityid as string;
      next = res.json['@odata.nextLink'] as string | undefined;
      pages++;
      if (pages % 5 === 0) heaps.push(liveHeap());
    }
    assert.equal(total, COUNT + seeded);
    assert.equal(pages, Math.ceil((COUNT + seeded) / 5000));
    const growth = Math.max(...heaps) - Math.min(...heaps);
    // A materialised set of 100,000 activities would take well over 50 MB.
    assert.ok(growth < 40 * 1024 * 1024, `heap grew by ${Math.round(growth / 1024 / 1024)} MB while paging`);

    const single = await call(sandbox, `${sandbox.endpoints.dataverse}activitypointers(${lastId})`, { headers: auth });
    assert.equal(single.status, 200);
    assert.equal(single.json._regardingobjectid_value, maria);
  });

  it('starts with twenty million records without building them', async () => {
    const heapBefore = liveHeap();
    const started = Date.now();
    const big = await startSandbox({ bulk: [{ system: 'crm', entitySet: 'annotations', count: 20_000_000 }] });
    try {
      const bigAuth = await bearer(big, big.resources.dataverse);
      const page = await call(big, `${big.endpoints.dataverse}annotations?$select=subject`, {
        headers: { ...bigAuth, Prefer: 'odata.maxpagesize=100' },
      });
      assert.equal(page.json.value.length, 100);
      assert.ok(page.json['@odata.nextLink']);
      const lastId = `b1000000-0000-4000-8000-${(20_000_000 - 1).toString(16).padStart(12, '0')}`;
      const last = await call(big, `${big.endpoints.dataverse}annotations(${lastId})`, { headers: bigAuth });
      assert.equal(last.status, 200);
      assert.equal(last.json.subject, `Note #${20_000_000 - 1}`);
      assert.ok(Date.now() - started < 5000, 'start-up does not scale with the record count');
      assert.ok(liveHeap() - heapBefore < 100 * 1024 * 1024);
    } finally {
      await big.close();
    }
  });

  it('deletes a generated activity through its own type, never through activitypointers', async () => {
    const first = await call(sandbox, `${sandbox.endpoints.dataverse}activitypointers?$top=10`, { headers: auth });
    const generated = (first.json.value as { activityid: string; activitytypecode: string }[]).find((row) =>
      row.activityid.startsWith('b0'),
    );
    assert.ok(generated);
    const pointer = `${sandbox.endpoints.dataverse}activitypointers(${generated.activityid})`;
    // Learn, activitypointer table reference: Retrieve, RetrieveMultiple and Rollup only.
    assert.equal((await call(sandbox, pointer, { method: 'DELETE', headers: auth })).status, 405);
    const set = generated.activitytypecode === 'phonecall' ? 'phonecalls' : 'tasks';
    const url = `${sandbox.endpoints.dataverse}${set}(${generated.activityid})`;
    assert.equal((await call(sandbox, url, { method: 'DELETE', headers: auth })).status, 204);
    assert.equal((await call(sandbox, pointer, { headers: auth })).status, 404);
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ISOLATED_FOLDER, IsolatedCopyStore } from '../../dsr/isolatedCopies.js';
import { CasePurger } from '../../dsr/runs/purgeRun.js';
import { sampleCase } from '../support/cases.js';

const DAY = 86_400_000;

describe('isolated copies of restricted records', () => {
  let dir: string;
  let packagePath: string;
  const bytes = Buffer.from('PK\u0003\u0004 the records of the case, extracted');
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-isolated-'));
    packagePath = join(dir, 'case-1-p1.zip');
    await writeFile(packagePath, bytes);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores a copy whose checksum is the package’s, named by case and id only', async () => {
    const store = new IsolatedCopyStore(dir, undefined);
    const now = new Date('2026-01-10T10:00:00Z');
    const copy = await store.keep('case-1', packagePath, now);
    assert.match(copy.location, /^isolated\/case-1-[0-9a-f-]{36}\.zip$/);
    assert.equal(copy.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(copy.bytes, bytes.length);
    assert.equal(copy.keptUntil, undefined, 'kept for the case’s retention by default');
    assert.deepEqual(await readFile(join(dir, copy.location)), bytes);
    // Not removed by the period sweep: without a period of its own it waits for the case's purge.
    assert.equal(await store.sweep(new Date(now.getTime() + 3650 * DAY)), 0);
    assert.deepEqual(await readFile(join(dir, copy.location)), bytes);
  });

  it('keeps a copy for the period the team sets, then sweeps it', async () => {
    const store = new IsolatedCopyStore(dir, 90);
    const now = new Date();
    const copy = await store.keep('case-1', packagePath, now);
    assert.equal(copy.keptUntil, new Date(now.getTime() + 90 * DAY).toISOString());
    assert.equal(await store.sweep(new Date(now.getTime() + 89 * DAY)), 0);
    await utimes(join(dir, copy.location), new Date(now.getTime() - 91 * DAY), new Date(now.getTime() - 91 * DAY));
    assert.equal(await store.sweep(now), 1);
    assert.deepEqual(await readdir(join(dir, ISOLATED_FOLDER)), []);
  });

  it('fails without leaving a partial copy when the store cannot be written', async () => {
    await writeFile(join(dir, ISOLATED_FOLDER), 'not a folder');
    const store = new IsolatedCopyStore(dir, undefined);
    await assert.rejects(store.keep('case-1', packagePath, new Date()));
  });

  it('fails on a package that cannot be read, and leaves nothing in the store', async () => {
    const store = new IsolatedCopyStore(dir, undefined);
    await assert.rejects(store.keep('case-1', join(dir, 'missing.zip'), new Date()));
    assert.deepEqual(await readdir(join(dir, ISOLATED_FOLDER)), []);
  });

  it('is deleted by the retention purge of its case, and only of its case', async () => {
    const store = new IsolatedCopyStore(dir, undefined);
    const mine = await store.keep('case-1', packagePath, new Date());
    const other = await store.keep('case-2', packagePath, new Date());
    const purging = sampleCase({ id: 'case-1', purge: { startedAt: new Date().toISOString() } });
    let due = [purging];
    const purger = new CasePurger(
      {
        casesToPurge: () => {
          const now = due;
          due = [];
          return Promise.resolve(now);
        },
      },
      {
        // Both the start and the completion of the purge are accepted.
        actAsSystem: () => Promise.resolve({ ok: true, case: purging } as never),
      },
      {
        ledger: { forgetCase: () => Promise.resolve() },
        packages: { forgetCase: () => Promise.resolve() },
        isolatedCopies: store,
        outbox: { redact: () => Promise.resolve(0) },
        state: { delete: () => Promise.resolve() },
        stateKeys: () => [],
      },
      { now: () => new Date() },
      undefined,
    );
    assert.equal((await purger.pass()).purged, 1);
    await assert.rejects(readFile(join(dir, mine.location)), /ENOENT/);
    assert.deepEqual(await readFile(join(dir, other.location)), bytes);
  });

  it('is not swept with the download packages beside it', async () => {
    const { sweepPackages } = await import('../../dsr/runs/packageRun.js');
    const store = new IsolatedCopyStore(dir, undefined);
    const copy = await store.keep('case-1', packagePath, new Date());
    await mkdir(join(dir, ISOLATED_FOLDER), { recursive: true });
    assert.equal(await sweepPackages(dir, 0, new Date(Date.now() + DAY)), 1, 'only the download package');
    assert.deepEqual(await readFile(join(dir, copy.location)), bytes);
  });
});

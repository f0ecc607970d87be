import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../../dsr/audit.js';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';
import { sampleCase } from '../support/cases.js';
import { draft } from './storeContract.js';

// What every backend shares is in test/storage/storeContract.ts; this is what only the file store does.
describe('the embedded (lowdb) store', () => {
  let dir: string;
  let store: LowdbCaseStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-store-'));
    store = new LowdbCaseStore(dir);
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function reopen(): Promise<void> {
    await store.close();
    store = new LowdbCaseStore(dir);
    await store.open();
  }

  it('drops an audit line a crash left half-written', async () => {
    await store.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    await store.close();
    await appendFile(join(dir, 'audit.jsonl'), '{"seq":2,"at":"2026-');
    store = new LowdbCaseStore(dir);
    await store.open();
    const verdict = await verifyChain(store.auditEvents());
    assert.equal(verdict.intact, true);
    await store.appendAudit(draft('DSR-2026-0001', 1, 'view'));
    assert.equal((await verifyChain(store.auditEvents())).intact, true);
  });

  it('records a change whose case file was never written', async () => {
    await store.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    // What a crash between the audit append and the case write leaves behind.
    await store.appendAudit(draft('DSR-2026-0001', 2, 'addNote'));
    await reopen();
    const events = [];
    for await (const event of store.auditEvents('DSR-2026-0001')) events.push(event);
    const last = events.at(-1);
    assert.equal(last?.action, 'write-not-completed');
    assert.equal(last?.detail.discardedVersion, 2);
    assert.equal((await store.getCase('DSR-2026-0001'))?.version, 1);
    assert.equal((await verifyChain(store.auditEvents())).intact, true);
  });

  it('shows where the audit file was edited', async () => {
    for (let i = 1; i <= 3; i += 1) {
      await store.saveCase(
        sampleCase({ id: `DSR-2026-000${i}`, intakeKey: `k${i}` }),
        null,
        draft(`DSR-2026-000${i}`, 1),
      );
    }
    await store.close();
    const path = join(dir, 'audit.jsonl');
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    lines[1] = lines[1]!.replace('"actorId":"actor-1"', '"actorId":"someone-else"');
    await writeFile(path, `${lines.join('\n')}\n`);
    store = new LowdbCaseStore(dir);
    await store.open();
    const verdict = await verifyChain(store.auditEvents());
    assert.equal(verdict.intact, false);
    assert.equal(verdict.intact === false && verdict.brokenAt, 2);
  });

  it('refuses a second process on the same folder', async () => {
    const other = new LowdbCaseStore(dir);
    await assert.rejects(other.open(), /in use by process/);
  });
});

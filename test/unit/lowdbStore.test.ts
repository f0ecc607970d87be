import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain, type AuditDraft } from '../../dsr/audit.js';
import { LowdbCaseStore } from '../../dsr/storage/lowdbStore.js';
import { DuplicateIntakeError, VersionConflictError } from '../../dsr/store.js';
import { sampleCase } from '../support/cases.js';

function draft(caseId: string, version: number, action = 'create'): AuditDraft {
  return {
    at: '2026-03-02T09:05:00.000Z',
    actorId: 'actor-1',
    caseId,
    action,
    outcome: 'applied',
    version,
    detail: {},
  };
}

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

  it('keeps cases, ids and the audit trail across a restart', async () => {
    const id = await store.allocateCaseId(2026);
    await store.saveCase(sampleCase({ id }), null, draft(id, 1));
    await reopen();
    assert.equal((await store.getCase(id))?.subject.name, 'Maria Garcia');
    assert.equal(await store.allocateCaseId(2026), 'DSR-2026-0002');
    assert.deepEqual(await verifyChain(store.auditEvents()), {
      intact: true,
      events: 1,
      headHash: (await first(store.auditEvents())).hash,
    });
  });

  it('refuses a save from a stale version and keeps the newer one', async () => {
    await store.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    await store.saveCase(sampleCase({ version: 2, details: 'newer' }), 1, draft('DSR-2026-0001', 2, 'addNote'));
    await assert.rejects(
      store.saveCase(sampleCase({ version: 2, details: 'stale' }), 1, draft('DSR-2026-0001', 2, 'addNote')),
      VersionConflictError,
    );
    assert.equal((await store.getCase('DSR-2026-0001'))?.details, 'newer');
  });

  it('refuses a second case from the same intake', async () => {
    await store.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    await assert.rejects(
      store.saveCase(sampleCase({ id: 'DSR-2026-0002' }), null, draft('DSR-2026-0002', 1)),
      (error: unknown) => error instanceof DuplicateIntakeError && error.existingCaseId === 'DSR-2026-0001',
    );
  });

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

  it('keeps conversation state with eTag checks', async () => {
    await store.state.write({ k: { value: { n: 1 } } });
    const read = await store.state.read(['k']);
    const eTag = read.k!.eTag;
    await store.state.write({ k: { value: { n: 2 }, eTag } });
    await assert.rejects(store.state.write({ k: { value: { n: 3 }, eTag } }), /changed by another turn/);
    assert.deepEqual((await store.state.read(['k'])).k!.value, { n: 2 });
    await store.state.delete(['k']);
    assert.deepEqual(await store.state.read(['k']), {});
  });
});

async function first<T>(items: AsyncIterable<T>): Promise<T> {
  for await (const item of items) return item;
  throw new Error('empty');
}

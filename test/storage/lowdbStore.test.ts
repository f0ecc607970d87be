import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../../dsr/audit.js';
import type { DsrCase } from '../../dsr/case.js';
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

  /** Case n, at `version`, filed by one of three requesters; a later version closes it and corrects the email. */
  function numbered(n: number, version: number): DsrCase {
    const id = `DSR-2026-${String(n).padStart(4, '0')}`;
    const base = sampleCase();
    return sampleCase({
      id,
      version,
      intakeKey: `intake-${n}`,
      requester: { id: `requester-${n % 3}`, name: 'Someone' },
      status: version >= 3 ? 'closed' : 'triage',
      subject: { ...base.subject, emails: [version >= 3 ? `person${n}@corrected.example` : `person${n}@example.org`] },
    });
  }

  /** What a person would see of the store: each case, the lists, the lookups. */
  async function view(count: number): Promise<unknown> {
    const cases = [];
    for (let n = 1; n <= count; n += 1) {
      const id = `DSR-2026-${String(n).padStart(4, '0')}`;
      const found = await store.getCase(id);
      cases.push([id, found?.version, found?.status, (await store.findByIntakeKey(`intake-${n}`))?.id]);
      const email = found?.subject.emails[0] ?? '';
      cases.push(
        (await store.casesOfSubject({ emails: [email], customerNumbers: [], employeeIds: [] })).map((c) => c.id),
      );
    }
    const ids = (list: DsrCase[]) => list.map((c) => c.id).sort();
    return {
      cases,
      open: ids(await store.listCases({ openOnly: true })),
      all: ids(await store.listCases({})),
      mine: ids(await store.listCases({ requesterId: 'requester-1' })),
      mineOpen: ids(await store.listCases({ requesterId: 'requester-1', openOnly: true })),
    };
  }

  async function saveVersions(count: number, upTo: (n: number) => number): Promise<void> {
    for (let n = 1; n <= count; n += 1) {
      for (let version = 1; version <= upTo(n); version += 1) {
        await store.saveCase(
          numbered(n, version),
          version === 1 ? null : version - 1,
          draft(numbered(n, 1).id, version),
        );
      }
    }
  }

  it('serves the same cases after a restart as before it, after many saves', async () => {
    await saveVersions(40, (n) => 1 + (n % 3));
    const before = await view(40);
    await reopen();
    assert.deepEqual(await view(40), before);
    // And goes on saving where it stopped.
    await store.saveCase(numbered(1, 3), 2, draft('DSR-2026-0001', 3));
    assert.equal((await store.getCase('DSR-2026-0001'))?.status, 'closed');
    await reopen();
    assert.equal((await store.getCase('DSR-2026-0001'))?.version, 3);
  });

  it('rebuilds an index that is missing, unreadable or ahead of the trail from the case files, and says so', async () => {
    await saveVersions(12, (n) => 1 + (n % 3));
    const before = await view(12);
    const warnings: string[] = [];
    const log = { warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };
    const index = join(dir, 'case-index.jsonl');
    const reopenWith = async (damage: () => Promise<void>) => {
      await store.close();
      await damage();
      store = new LowdbCaseStore(dir, undefined, log);
      await store.open();
      assert.deepEqual(await view(12), before);
    };
    await reopenWith(() => rm(index));
    await reopenWith(() => writeFile(index, 'not an index\n{"entry":'));
    await reopenWith(async () => {
      const lines = (await readFile(index, 'utf8')).trimEnd().split('\n');
      // An index from another folder, whose trail went further than this one.
      await writeFile(index, `${lines.join('\n')}\n{"seq":100000}\n`);
    });
    assert.deepEqual(warnings, Array(3).fill('case index rebuilt from the case files'));
  });

  it('loses nothing to a crash between a case file and its index line', async () => {
    await saveVersions(5, () => 2);
    const index = join(dir, 'case-index.jsonl');
    const beforeLastSave = await readFile(index, 'utf8');
    // The last save closes case 3 and corrects its email; the crash takes its index line.
    await store.saveCase(numbered(3, 3), 2, draft('DSR-2026-0003', 3));
    const after = await view(5);
    await store.close();
    await writeFile(index, beforeLastSave);
    store = new LowdbCaseStore(dir);
    await store.open();
    assert.deepEqual(await view(5), after);
    assert.ok(!(await store.listCases({ openOnly: true })).some((c) => c.id === 'DSR-2026-0003'));
    // The version check goes by the saved case, not the lost line: the next save builds on version 3.
    await assert.rejects(store.saveCase(numbered(3, 3), 2, draft('DSR-2026-0003', 3)), /at version 3/);
  });

  it('finds a case file the index does not know, and forgets one whose file is gone', async () => {
    await saveVersions(3, () => 1);
    await store.close();
    const moved = JSON.parse(await readFile(join(dir, 'cases', 'DSR-2026-0002.json'), 'utf8')) as DsrCase;
    await rm(join(dir, 'cases', 'DSR-2026-0002.json'));
    await writeFile(
      join(dir, 'cases', 'DSR-2026-0009.json'),
      JSON.stringify({ ...moved, id: 'DSR-2026-0009', intakeKey: 'intake-9' }),
    );
    store = new LowdbCaseStore(dir);
    await store.open();
    assert.deepEqual((await store.listCases({})).map((c) => c.id).sort(), [
      'DSR-2026-0001',
      'DSR-2026-0003',
      'DSR-2026-0009',
    ]);
    assert.equal(await store.getCase('DSR-2026-0002'), undefined);
    assert.equal((await store.findByIntakeKey('intake-9'))?.id, 'DSR-2026-0009');
  });

  it('keeps no identifier of a person in the index once the case no longer names them', async () => {
    await saveVersions(2, () => 3);
    const index = await readFile(join(dir, 'case-index.jsonl'), 'utf8');
    assert.doesNotMatch(index, /@/);
    assert.equal(
      (await store.casesOfSubject({ emails: ['person1@example.org'], customerNumbers: [], employeeIds: [] })).length,
      0,
    );
    assert.deepEqual(
      (await store.casesOfSubject({ emails: ['person1@corrected.example'], customerNumbers: [], employeeIds: [] })).map(
        (c) => c.id,
      ),
      ['DSR-2026-0001'],
    );
  });

  it('refuses a second process on the same folder', async () => {
    const other = new LowdbCaseStore(dir);
    await assert.rejects(other.open(), /in use by process/);
  });
});

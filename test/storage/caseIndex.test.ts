import assert from 'node:assert/strict';
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DsrCase } from '../../dsr/case.js';
import { entryOf } from '../../storage/indexEntry.js';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';
import { sampleCase } from '../support/cases.js';
import { draft } from './storeContract.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
// One requester id that is not plain ASCII and needs escaping in JSON, so both ways of reading a column are used.
const REQUESTERS = ['requester-0', 'réquester "1" \\ ü', 'requester-2'];
const HOLD = { since: '2026-02-01T00:00:00.000Z', byId: 'dpo', reason: 'litigation', explanation: '' } as const;

/**
 * Case n at `version`: open until version 3 closes it and corrects the email; a closed case is due
 * for the purge or not yet, some held; some keep records to be looked at again.
 */
function numbered(n: number, version: number): DsrCase {
  const closed = version >= 3;
  const base = sampleCase();
  return sampleCase({
    id: `DSR-2026-${String(n).padStart(4, '0')}`,
    version,
    intakeKey: `intake-${n}`,
    requester: { id: REQUESTERS[n % 3]!, name: 'Someone' },
    status: closed ? 'closed' : 'triage',
    subject: { ...base.subject, emails: [closed ? `person${n}@corrected.example` : `person${n}@example.org`] },
    ...(closed ? { purgeAfter: n % 2 === 0 ? '2026-01-01T00:00:00.000Z' : '2027-01-01T00:00:00.000Z' } : {}),
    ...(closed && n % 4 === 0 ? { hold: HOLD } : {}),
    ...(n % 5 === 0 ? { keptDueAt: n % 10 === 0 ? '2026-02-01T00:00:00.000Z' : '2026-12-01T00:00:00.000Z' } : {}),
  });
}

describe("the embedded store's saved index", () => {
  let dir: string;
  let index: string;
  let store: LowdbCaseStore;
  let warnings: string[];
  const log = { warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-index-'));
    index = join(dir, 'case-index.jsonl');
    warnings = [];
    store = new LowdbCaseStore(dir, undefined, log);
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function reopen(damage: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    await store.close();
    await damage();
    store = new LowdbCaseStore(dir, undefined, log);
    await store.open();
  }

  /** Opens the store without its index, so it is built from the case files: what every answer must be. */
  async function rebuiltFromCaseFiles(): Promise<unknown> {
    await reopen(() => rm(index));
    return view();
  }

  /** Saves the cases up to `count`, each to version `upTo(n)`, going on from the version each is at. */
  async function save(count: number, upTo: (n: number) => number): Promise<void> {
    for (let n = 1; n <= count; n += 1) {
      const id = numbered(n, 1).id;
      for (let version = ((await store.getCase(id))?.version ?? 0) + 1; version <= upTo(n); version += 1) {
        await store.saveCase(numbered(n, version), version === 1 ? null : version - 1, draft(id, version));
      }
    }
  }

  /**
   * Everything the store answers about the cases: each case, the lookups, the lists, the purge and
   * kept records. (Not the counters: these tests save cases without numbering them.)
   */
  async function view(count = 40): Promise<unknown> {
    const ids = (list: DsrCase[]) => list.map((c) => c.id).sort();
    const cases = [];
    for (let n = 1; n <= count; n += 1) {
      const found = await store.getCase(numbered(n, 1).id);
      const byEmail = async (email: string) =>
        ids(await store.casesOfSubject({ emails: [email], customerNumbers: [], employeeIds: [] }));
      cases.push({
        version: found?.version,
        status: found?.status,
        intake: (await store.findByIntakeKey(`intake-${n}`))?.id,
        first: await byEmail(`person${n}@example.org`),
        corrected: await byEmail(`person${n}@corrected.example`),
      });
    }
    const lists: Record<string, string[]> = {
      all: ids(await store.listCases({})),
      open: ids(await store.listCases({ openOnly: true })),
    };
    for (const requesterId of REQUESTERS) {
      lists[requesterId] = ids(await store.listCases({ requesterId }));
      lists[`${requesterId}, open`] = ids(await store.listCases({ requesterId, openOnly: true }));
    }
    const pages: string[] = [];
    for await (const page of store.openCasePages(7)) pages.push(...page.map((c) => c.id));
    return {
      cases,
      lists,
      openPages: pages.sort(),
      purge: ids(await store.casesToPurge(NOW, 100)),
      kept: ids(await store.casesWithKeptDue(NOW, 100)),
    };
  }

  /** A snapshot of every case so far: the store rebuilds its index, which it writes as one. */
  async function snapshotNow(): Promise<void> {
    await reopen(() => rm(index));
    warnings.length = 0;
  }

  it('answers every query from a snapshot and the saves after it as from the case files', async () => {
    await save(30, (n) => 1 + (n % 3));
    await snapshotNow();
    // After the snapshot: cases in it saved again (some closed, their emails corrected), new ones.
    await save(40, (n) => (n <= 30 ? 1 + (n % 3) + (n % 2) : 2));
    const served = await view();
    await reopen();
    assert.deepEqual(await view(), served);
    assert.deepEqual(await rebuiltFromCaseFiles(), served);
  });

  it('goes on from a snapshot: saves check its versions, intake its keys, and new cases follow its highest number', async () => {
    await save(10, () => 2);
    await snapshotNow();
    await assert.rejects(store.saveCase(numbered(3, 2), 1, draft(numbered(3, 1).id, 2)), /at version 2/);
    await assert.rejects(
      store.createCase(2026, (id) => ({
        case: { ...numbered(11, 1), id, intakeKey: 'intake-4' },
        audit: draft(id, 1),
      })),
      (error: Error) => error.name === 'DuplicateIntakeError',
    );
    // A crash before the counter was written: the numbers the snapshot holds are not given again.
    await reopen(() => writeFile(join(dir, 'meta.json'), JSON.stringify({ counters: { 2026: 3 }, auditHead: true })));
    assert.equal(await store.allocateCaseId(2026), 'DSR-2026-0011');
  });

  it('reads an index written before snapshots, and writes it again as one', async () => {
    await save(20, (n) => 1 + (n % 3));
    const served = await view();
    await store.close();
    // The index as the store wrote it before snapshots: a format line, one line a save, a clean close.
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trimEnd().split('\n');
    const seq = (JSON.parse(audit.at(-1)!) as { seq: number }).seq;
    const lines = [JSON.stringify({ format: 'dsr-case-index/1', seq: 0 })];
    for (const name of (await readdir(join(dir, 'cases'))).sort()) {
      const dsrCase = JSON.parse(await readFile(join(dir, 'cases', name), 'utf8')) as DsrCase;
      lines.push(JSON.stringify({ entry: entryOf(dsrCase), seq }));
    }
    const folder = String((await stat(join(dir, 'cases'), { bigint: true })).mtimeNs);
    lines.push(JSON.stringify({ seq, folder }));
    await reopen(() => writeFile(index, `${lines.join('\n')}\n`));
    assert.deepEqual(await view(), served);
    assert.deepEqual(warnings, [], 'read, not rebuilt');
    assert.match(await readFile(index, 'utf8'), /^\{"format":"dsr-case-index\/2"/);
    await reopen();
    assert.deepEqual(await view(), served);
    assert.deepEqual(warnings, []);
  });

  it('rebuilds a snapshot that is cut short or damaged from the case files, and says so', async () => {
    await save(20, (n) => 1 + (n % 3));
    await snapshotNow();
    const served = await view();
    const bytes = await readFile(index);
    const changed = Buffer.from(bytes);
    changed.write('DSR-2026-0070', bytes.indexOf('DSR-2026-0007'));
    // A character of the ids changed; the later line cut short; the file cut before the later line.
    const damaged = [
      changed,
      bytes.subarray(0, bytes.indexOf('"keys"') + 20),
      bytes.subarray(0, bytes.indexOf('{"intakeKeys"')),
    ];
    for (const version of damaged) {
      await reopen(() => writeFile(index, version));
      assert.deepEqual(await view(), served);
    }
    assert.deepEqual(warnings, Array(damaged.length).fill('case index rebuilt from the case files'));
  });

  it('answers from the case files when the snapshot is changed on disk while the store is open, and writes it afresh', async () => {
    await save(20, (n) => 1 + (n % 3));
    await snapshotNow();
    const served = await view();
    await reopen();
    // What only intake and the purge need is read at its first use; meanwhile the file changed in place.
    const at = (await readFile(index)).indexOf('"intake-1"') + 1;
    const file = await open(index, 'r+');
    await file.write('X', at);
    await file.close();
    assert.deepEqual(await view(), served);
    assert.deepEqual(warnings, ['case index changed on disk while open; read from the case files']);
    await reopen();
    assert.deepEqual(await view(), served);
    assert.equal(warnings.length, 1, 'written afresh at close');
  });

  it('forgets a case of the snapshot whose file is gone, and finds a file it does not know', async () => {
    await save(12, () => 2);
    await snapshotNow();
    await reopen(async () => {
      const moved = await readFile(join(dir, 'cases', 'DSR-2026-0004.json'), 'utf8');
      await rm(join(dir, 'cases', 'DSR-2026-0004.json'));
      await writeFile(join(dir, 'cases', 'DSR-2026-0013.json'), moved.replaceAll('DSR-2026-0004', 'DSR-2026-0013'));
    });
    assert.equal(await store.getCase('DSR-2026-0004'), undefined);
    assert.equal((await store.findByIntakeKey('intake-4'))?.id, 'DSR-2026-0013');
    const listed = (await store.listCases({ requesterId: REQUESTERS[1]! })).map((c) => c.id).sort();
    assert.deepEqual(listed, ['DSR-2026-0001', 'DSR-2026-0007', 'DSR-2026-0010', 'DSR-2026-0013']);
    assert.deepEqual(warnings, ['case index did not match the case files; repaired']);
    // Gone from the index too: saved again, it is a new case.
    await store.saveCase({ ...numbered(4, 1), intakeKey: 'intake-4-again' }, null, draft('DSR-2026-0004', 1));
    const served = await view();
    assert.deepEqual(await rebuiltFromCaseFiles(), served);
  });

  it('loses nothing to a crash after the snapshot, whether in the journal or in writing the next snapshot', async () => {
    await save(12, () => 1);
    await snapshotNow();
    // Closing 4 and 8 corrects their emails, which writes a snapshot at once; the saves after it are lines.
    await save(12, (n) => (n === 4 || n === 8 ? 3 : 2));
    const served = await view();
    await store.close();
    // The crash took the clean close's line and cut the last save's line in half; a rewrite had begun.
    const bytes = await readFile(index);
    const checkpoint = bytes.lastIndexOf('\n', bytes.length - 2);
    const lastSave = bytes.lastIndexOf('\n', checkpoint - 1) + 1;
    assert.match(bytes.toString('utf8', lastSave, checkpoint), /^\{"entry":\{"id":"DSR-2026-0012"/);
    await writeFile(index, bytes.subarray(0, lastSave + (checkpoint - lastSave) / 2));
    await writeFile(`${index}.tmp`, '{"format":"dsr-case-index/2","seq":');
    await reopen();
    assert.deepEqual(await view(), served);
    assert.deepEqual(warnings, [], 'the snapshot and the journal read, the trail naming the case of the lost line');
    assert.deepEqual(await rebuiltFromCaseFiles(), served);
  });

  it('writes a fresh snapshot at a clean close once the journal has grown, so a start reads few lines', async () => {
    await save(1, () => 1);
    for (let version = 2; version <= 1002; version += 1) {
      await store.saveCase({ ...numbered(1, 1), version }, version - 1, draft(numbered(1, 1).id, version));
    }
    await store.close();
    const bytes = await readFile(index);
    assert.equal((JSON.parse(bytes.toString('utf8', 0, bytes.indexOf('\n'))) as { rows: number }).rows, 1);
    // A thousand lines of saves would take far more.
    assert.ok(bytes.length < 2000, `${bytes.length} bytes`);
    await reopen();
    assert.equal((await store.getCase(numbered(1, 1).id))?.version, 1002);
  });
});

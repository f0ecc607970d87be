import assert from 'node:assert/strict';
import { verifyChain, type AuditDraft } from '../../dsr/audit.js';
import type { DsrCase } from '../../dsr/case.js';
import { DuplicateIntakeError, VersionConflictError, type CaseStore } from '../../dsr/ports/store.js';
import { CaseService } from '../../dsr/caseService.js';
import { validateIntake } from '../../dsr/intake.js';
import { StaticRoleDirectory } from '../../dsr/roles.js';
import { sampleCase } from '../support/cases.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const CALENDAR = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };

/** One backend under test: `open` gives a store over the same data each time it is called. */
export interface StoreBackend {
  /** Fresh, empty data for one test. */
  setUp(): Promise<void>;
  open(): Promise<CaseStore>;
  tearDown(): Promise<void>;
}

export function draft(caseId: string, version: number, action = 'create'): AuditDraft {
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

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** What every backend must do the same way; each backend's own test file calls this. */
export function storeContract(backend: () => StoreBackend): void {
  let store: CaseStore;
  let current: StoreBackend;

  beforeEach(async () => {
    current = backend();
    await current.setUp();
    store = await current.open();
  });
  afterEach(async () => {
    await store.close();
    await current.tearDown();
  });

  async function reopen(): Promise<void> {
    await store.close();
    store = await current.open();
  }

  it('keeps cases, ids and the audit trail across a restart', async () => {
    const id = await store.allocateCaseId(2026);
    await store.saveCase(sampleCase({ id }), null, draft(id, 1));
    await reopen();
    assert.equal((await store.getCase(id))?.subject.name, 'Maria Garcia');
    assert.equal(await store.allocateCaseId(2026), 'DSR-2026-0002');
    assert.equal(await store.allocateCaseId(2027), 'DSR-2027-0001');
    const events = await collect(store.auditEvents());
    assert.deepEqual(await verifyChain(events), { intact: true, events: 1, headHash: events[0]!.hash });
  });

  it('refuses a save from a stale version and keeps the newer one', async () => {
    await store.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    await store.saveCase(sampleCase({ version: 2, details: 'newer' }), 1, draft('DSR-2026-0001', 2, 'addNote'));
    await assert.rejects(
      store.saveCase(sampleCase({ version: 2, details: 'stale' }), 1, draft('DSR-2026-0001', 2, 'addNote')),
      (error: unknown) => error instanceof VersionConflictError && error.actual === 2,
    );
    assert.equal((await store.getCase('DSR-2026-0001'))?.details, 'newer');
    // The refused save left no trace in the trail.
    assert.equal((await collect(store.auditEvents())).length, 2);
  });

  it('refuses to create a case whose id already exists', async () => {
    await store.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    await assert.rejects(
      store.saveCase(sampleCase({ intakeKey: 'other' }), null, draft('DSR-2026-0001', 1)),
      VersionConflictError,
    );
    await assert.rejects(
      store.saveCase(sampleCase({ id: 'DSR-2026-0009' }), 3, draft('DSR-2026-0009', 4)),
      VersionConflictError,
    );
  });

  it('refuses a second case from the same intake', async () => {
    await store.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    await assert.rejects(
      store.saveCase(sampleCase({ id: 'DSR-2026-0002' }), null, draft('DSR-2026-0002', 1)),
      (error: unknown) => error instanceof DuplicateIntakeError && error.existingCaseId === 'DSR-2026-0001',
    );
    assert.equal(await store.getCase('DSR-2026-0002'), undefined);
    assert.equal((await store.findByIntakeKey('intake-1'))?.id, 'DSR-2026-0001');
  });

  it('lists cases by requester and by whether they are open', async () => {
    await store.saveCase(sampleCase(), null, draft('DSR-2026-0001', 1));
    await store.saveCase(
      sampleCase({ id: 'DSR-2026-0002', intakeKey: 'k2', status: 'closed', requester: { id: 'other', name: 'Other' } }),
      null,
      draft('DSR-2026-0002', 1),
    );
    assert.deepEqual((await store.listCases({})).map((c) => c.id).sort(), ['DSR-2026-0001', 'DSR-2026-0002']);
    assert.deepEqual(
      (await store.listCases({ openOnly: true })).map((c) => c.id),
      ['DSR-2026-0001'],
    );
    assert.deepEqual(
      (await store.listCases({ requesterId: 'other' })).map((c) => c.id),
      ['DSR-2026-0002'],
    );
  });

  it('hands every open case once, in pages no larger than asked, and no closed one', async () => {
    for (let n = 1; n <= 7; n += 1) {
      const id = `DSR-2026-${String(n).padStart(4, '0')}`;
      await store.saveCase(
        sampleCase({ id, intakeKey: `k${n}`, ...(n % 3 === 0 ? { status: 'closed' as const } : {}) }),
        null,
        draft(id, 1),
      );
    }
    const pages: string[][] = [];
    for await (const page of store.openCasePages(2)) pages.push(page.map((c) => c.id));
    assert.ok(
      pages.every((page) => page.length > 0 && page.length <= 2),
      JSON.stringify(pages),
    );
    assert.deepEqual(pages.flat().sort(), [
      'DSR-2026-0001',
      'DSR-2026-0002',
      'DSR-2026-0004',
      'DSR-2026-0005',
      'DSR-2026-0007',
    ]);
  });

  it('numbers cases without gaps when duplicates of one intake race, and the next case follows on', async () => {
    const service = new CaseService(store, new StaticRoleDirectory([]), { now: () => NOW }, CALENDAR);
    const intake = validateIntake(
      { subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org', requestTypes: 'access' },
      NOW,
      CALENDAR.timeZone,
    );
    assert.ok(intake.ok);
    const alex = { id: 'alex', name: 'Alex Wilber' };
    const first = await Promise.all(
      Array.from({ length: 8 }, () => service.createCase(alex, intake.request, 'alex:intake-1')),
    );
    assert.deepEqual(new Set(first.map((r) => r.case.id)), new Set(['DSR-2026-0001']));
    assert.equal(first.filter((r) => r.created).length, 1);
    const second = await Promise.all([
      service.createCase(alex, intake.request, 'alex:intake-2'),
      service.createCase(alex, intake.request, 'alex:intake-2'),
      service.createCase(alex, intake.request, 'alex:intake-3'),
    ]);
    assert.deepEqual(new Set(second.map((r) => r.case.id)), new Set(['DSR-2026-0002', 'DSR-2026-0003']));
    await reopen();
    const after = new CaseService(store, new StaticRoleDirectory([]), { now: () => NOW }, CALENDAR);
    assert.equal((await after.createCase(alex, intake.request, 'alex:intake-4')).case.id, 'DSR-2026-0004');
    const created = (await collect(store.auditEvents())).filter((e) => e.action === 'create');
    assert.deepEqual(created.map((e) => e.caseId).sort(), [
      'DSR-2026-0001',
      'DSR-2026-0002',
      'DSR-2026-0003',
      'DSR-2026-0004',
    ]);
  });

  it('hands out each case id once when many are asked for at the same time', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => store.allocateCaseId(2026)));
    assert.equal(new Set(ids).size, 20);
  });

  it('keeps one unbroken audit chain when saves race', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.saveCase(
          sampleCase({ id: `DSR-2026-${String(i + 1).padStart(4, '0')}`, intakeKey: `k${i}` }),
          null,
          draft(`DSR-2026-${String(i + 1).padStart(4, '0')}`, 1),
        ),
      ),
    );
    await store.appendAudit(draft('DSR-2026-0003', 1, 'view'));
    const verdict = await verifyChain(store.auditEvents());
    assert.equal(verdict.intact, true);
    assert.equal(verdict.events, 13);
    assert.deepEqual(
      (await collect(store.auditEvents('DSR-2026-0003'))).map((e) => e.action),
      ['create', 'view'],
    );
  });

  it('finds the closed cases due for the purge, not those held, not yet due or already purged', async () => {
    const closed = (n: number, extra: Partial<DsrCase>) =>
      sampleCase({ id: `DSR-2026-000${n}`, intakeKey: `k${n}`, status: 'closed', ...extra });
    const cases = [
      closed(1, { purgeAfter: '2026-04-02T00:00:00.000Z' }),
      closed(2, { purgeAfter: '2026-04-01T00:00:00.000Z' }),
      closed(3, { purgeAfter: '2026-05-01T00:00:00.000Z' }),
      closed(4, {
        purgeAfter: '2026-04-01T00:00:00.000Z',
        hold: { since: '2026-03-01T00:00:00.000Z', byId: 'x', reason: 'complaint', explanation: '' },
      }),
      closed(5, { purgeAfter: '2026-04-01T00:00:00.000Z', purge: { startedAt: 'a', doneAt: 'b' } }),
      // A purge that started is finished even if held since, and even before its date.
      closed(6, {
        purgeAfter: '2026-06-01T00:00:00.000Z',
        purge: { startedAt: 'a' },
        hold: { since: '2026-03-01T00:00:00.000Z', byId: 'x', reason: 'complaint', explanation: '' },
      }),
      sampleCase({ id: 'DSR-2026-0007', intakeKey: 'k7', purgeAfter: '2026-04-01T00:00:00.000Z' }),
    ];
    for (const dsrCase of cases) await store.saveCase(dsrCase, null, draft(dsrCase.id, 1));
    const due = await store.casesToPurge(new Date('2026-04-10T00:00:00.000Z'), 10);
    assert.deepEqual(due.map((c) => c.id).sort(), ['DSR-2026-0001', 'DSR-2026-0002', 'DSR-2026-0006']);
    assert.equal((await store.casesToPurge(new Date('2026-04-10T00:00:00.000Z'), 1)).length, 1);
  });

  it('finds the cases of a person by a strong identifier only', async () => {
    const person = (n: number, subject: Partial<DsrCase['subject']>) =>
      sampleCase({
        id: `DSR-2026-000${n}`,
        intakeKey: `k${n}`,
        subject: { name: 'Maria Garcia', emails: [], phones: [], identifiers: {}, role: 'customer', ...subject },
      });
    const cases = [
      person(1, { emails: ['maria.garcia@example.org', 'm@example.org'] }),
      person(2, { identifiers: { customerNumber: 'C00010' } }),
      person(3, { identifiers: { employeeId: 'E-1042' } }),
      person(4, {}),
    ];
    for (const dsrCase of cases) await store.saveCase(dsrCase, null, draft(dsrCase.id, 1));
    const ids = async (keys: { emails?: string[]; customerNumbers?: string[]; employeeIds?: string[] }) =>
      (await store.casesOfSubject({ emails: [], customerNumbers: [], employeeIds: [], ...keys }))
        .map((c) => c.id)
        .sort();
    assert.deepEqual(await ids({ emails: ['m@example.org'] }), ['DSR-2026-0001']);
    assert.deepEqual(await ids({ customerNumbers: ['C00010'], employeeIds: ['E-1042'] }), [
      'DSR-2026-0002',
      'DSR-2026-0003',
    ]);
    assert.deepEqual(await ids({ emails: ['someone@example.org'] }), []);
  });

  it('keeps conversation state with eTag checks', async () => {
    await store.state.write({ k: { value: { n: 1 } } });
    const read = await store.state.read(['k']);
    const eTag = read.k!.eTag;
    await store.state.write({ k: { value: { n: 2 }, eTag } });
    await assert.rejects(store.state.write({ k: { value: { n: 3 }, eTag } }), /changed by another turn/);
    assert.deepEqual((await store.state.read(['k', 'missing'])).k!.value, { n: 2 });
    await store.state.write({ k: { value: { n: 4 }, eTag: '*' } });
    assert.deepEqual((await store.state.read(['k'])).k!.value, { n: 4 });
    await store.state.delete(['k']);
    assert.deepEqual(await store.state.read(['k']), {});
  });
}

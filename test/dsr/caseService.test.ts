import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACT_ON_LATEST_TRIES, CaseService } from '../../dsr/caseService.js';
import type { AuditEvent } from '../../dsr/audit.js';
import { validateIntake } from '../../dsr/intake.js';
import { StaticRoleDirectory } from '../../dsr/roles.js';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const alex = { id: 'alex', name: 'Alex Wilber' };
const megan = { id: 'megan', name: 'Megan Bowen' };
const outsider = { id: 'someone', name: 'Someone Else' };

function request() {
  const result = validateIntake(
    { subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org', requestTypes: 'delete' },
    NOW,
    calendar.timeZone,
  );
  assert.ok(result.ok);
  return result.request;
}

describe('the case service', () => {
  let dir: string;
  let store: LowdbCaseStore;
  let service: CaseService;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-service-'));
    store = new LowdbCaseStore(dir);
    await store.open();
    service = new CaseService(store, new StaticRoleDirectory(['megan']), { now: () => NOW }, calendar);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function trail(caseId?: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for await (const event of store.auditEvents(caseId)) events.push(event);
    return events;
  }

  it('creates a case with an id, a due date and an audit event without personal data', async () => {
    const { case: created } = await service.createCase(alex, request(), 'k1');
    assert.equal(created.id, 'DSR-2026-0001');
    assert.ok(new Date(created.dueAt) > NOW);
    const [event] = await trail(created.id);
    assert.equal(event?.action, 'create');
    assert.doesNotMatch(JSON.stringify(event), /Maria|example\.org/);
  });

  it('keeps out of the trail whatever a forged card sends in place of a case id', async () => {
    await service.act(megan, 'maria.garcia@example.org', 1, { kind: 'addNote', text: 'x' });
    await service.recordRefusal(megan, 'triage.note', 'invalid-input', 'Maria Garcia');
    const refused = await trail();
    assert.equal(refused.length, 2);
    assert.doesNotMatch(JSON.stringify(refused), /Maria|example\.org/i);
  });

  it('applies a privacy team action and refuses a stale one, auditing both', async () => {
    const { case: created } = await service.createCase(alex, request(), 'k1');
    const applied = await service.act(megan, created.id, 1, { kind: 'addNote', text: 'Called the customer.' });
    assert.ok(applied.ok);
    const stale = await service.act(megan, created.id, 1, { kind: 'addNote', text: 'Again' });
    assert.equal(stale.ok, false);
    assert.equal(!stale.ok && stale.refusal, 'stale');
    const outcomes = (await trail(created.id)).map((e) => `${e.action}:${e.outcome}`);
    assert.deepEqual(outcomes, ['create:applied', 'addNote:applied', 'addNote:refused']);
  });

  it('hides a case from someone who may not see it, exactly as if it did not exist', async () => {
    const { case: created } = await service.createCase(alex, request(), 'k1');
    assert.equal(await service.viewCase(outsider, created.id), undefined);
    const probe = await service.act(outsider, created.id, 1, { kind: 'addNote', text: 'x' });
    const missing = await service.act(outsider, 'DSR-2026-0999', 1, { kind: 'addNote', text: 'x' });
    assert.equal(
      !probe.ok && probe.message.replace(created.id, 'ID'),
      !missing.ok && missing.message.replace('DSR-2026-0999', 'ID'),
    );
    assert.equal(!probe.ok && probe.case, undefined);
  });

  it('lets only the privacy team assign', async () => {
    const { case: created } = await service.createCase(alex, request(), 'k1');
    const refused = await service.act(alex, created.id, 1, { kind: 'assign', assignee: alex });
    assert.equal(!refused.ok && refused.refusal, 'forbidden');
    assert.equal((await store.getCase(created.id))?.assignee, null);
  });

  it('applies exactly one of many concurrent changes from the same version', async () => {
    const { case: created } = await service.createCase(alex, request(), 'k1');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => service.act(megan, created.id, 1, { kind: 'addNote', text: `n${i}` })),
    );
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.equal((await store.getCase(created.id))?.notes.length, 1);
  });

  it('records work that ends later on the latest version, however often the case changed meanwhile', async () => {
    const { case: created } = await service.createCase(alex, request(), 'k1');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => service.actOnLatest(megan, created.id, { kind: 'addNote', text: `n${i}` })),
    );
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual((await store.getCase(created.id))?.notes.map((note) => note.text).sort(), [
      'n0',
      'n1',
      'n2',
      'n3',
      'n4',
    ]);
  });

  it('gives up on a case that keeps changing, and on one that is gone or hidden, changing nothing', async () => {
    const { case: created } = await service.createCase(alex, request(), 'k1');
    let changes = 0;
    const act = service.act.bind(service);
    // Someone else writes between every read and write: each try finds the case stale.
    service.act = async (actor, caseId, version, action) => {
      if (actor.id === megan.id && changes < 100) {
        changes += 1;
        await act(megan, caseId, version, { kind: 'addNote', text: 'meanwhile' });
      }
      return act(actor, caseId, version, action);
    };
    const refused = await service.actOnLatest(megan, created.id, { kind: 'assign', assignee: megan });
    assert.equal(!refused.ok && refused.refusal, 'stale');
    assert.equal(changes, ACT_ON_LATEST_TRIES);
    assert.equal((await store.getCase(created.id))?.assignee, null);
    service.act = act;
    const gone = await service.actOnLatest(megan, 'DSR-2026-0999', { kind: 'addNote', text: 'x' });
    assert.equal(!gone.ok && gone.refusal, 'not-found');
    const hidden = await service.actOnLatest(outsider, created.id, { kind: 'addNote', text: 'x' });
    assert.equal(!hidden.ok && hidden.refusal, 'not-found');
  });
});

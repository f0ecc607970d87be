import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../dsr/audit.js';
import { TRIAGE_CHECKS } from '../../dsr/case.js';
import { CaseService } from '../../dsr/caseService.js';
import { searchQueryFor, type Connector, type SystemFindings } from '../../dsr/discovery.js';
import { runDiscovery } from '../../dsr/runs/discoveryRun.js';
import { validateIntake } from '../../dsr/intake.js';
import { StaticRoleDirectory } from '../../dsr/roles.js';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';
import sinon from 'sinon';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const alex = { id: 'alex', name: 'Alex Wilber' };
const megan = { id: 'megan', name: 'Megan Bowen' };
const adele = { id: 'adele', name: 'Adele Vance' };

function findings(systemId: string, overrides: Partial<SystemFindings> = {}): SystemFindings {
  return {
    systemId,
    displayName: systemId.toUpperCase(),
    status: 'found',
    counts: { contact: 2 },
    records: [
      { kind: 'contact', id: 'c1', fields: { fullname: 'Maria Garcia' }, matchedOn: ['email'] },
      { kind: 'contact', id: 'c2', fields: { fullname: 'Maria Garcia' }, matchedOn: ['email'] },
    ],
    queries: ["contacts?$filter=fullname eq 'Maria Garcia'"],
    at: NOW.toISOString(),
    durationMs: 12,
    ...overrides,
  };
}

describe('findings on a case', () => {
  let dir: string;
  let store: LowdbCaseStore;
  let service: CaseService;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-findings-'));
    store = new LowdbCaseStore(dir);
    await store.open();
    service = new CaseService(store, new StaticRoleDirectory(['megan', 'adele']), { now: () => NOW }, calendar);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function approvedCase(): Promise<{ id: string; version: number }> {
    const intake = validateIntake(
      { subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org', requestTypes: 'access' },
      NOW,
      calendar.timeZone,
    );
    assert.ok(intake.ok);
    const { case: created } = await service.createCase(alex, intake.request, 'k1');
    const verified = await service.act(megan, created.id, 1, { kind: 'verifyIdentity' });
    assert.ok(verified.ok);
    const approved = await service.act(adele, created.id, 2, { kind: 'approve', checks: [...TRIAGE_CHECKS] });
    assert.ok(approved.ok, approved.ok ? '' : approved.message);
    return { id: created.id, version: approved.case.version };
  }

  async function trail(caseId: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for await (const event of store.auditEvents(caseId)) events.push(event);
    return events;
  }

  it('saves findings with the query and moves the case to discovery, audited without personal data', async () => {
    const { id, version } = await approvedCase();
    const stored = await store.getCase(id);
    const query = searchQueryFor(stored!.subject);
    const result = await service.act(megan, id, version, {
      kind: 'recordFindings',
      query,
      systems: [findings('crm'), findings('bc', { status: 'failed', counts: {}, records: [], error: 'bc failed' })],
    });
    assert.ok(result.ok);
    assert.equal(result.case.status, 'discovery');
    assert.deepEqual(result.case.findings?.query.emails, ['maria.garcia@example.org']);
    assert.deepEqual(
      result.case.findings?.systems.map((s) => `${s.systemId}:${s.status}`),
      ['crm:found', 'bc:failed'],
    );
    const event = (await trail(id)).at(-1)!;
    assert.equal(event.action, 'recordFindings');
    assert.deepEqual(event.detail.systems, ['crm:found', 'bc:failed']);
    assert.equal(event.detail['count.crm'], 2);
    assert.doesNotMatch(JSON.stringify(event), /Maria|example\.org/);
  });

  it('a retry of one system replaces only its findings and keeps "not this person" marks', async () => {
    const { id, version } = await approvedCase();
    const stored = await store.getCase(id);
    const query = searchQueryFor(stored!.subject);
    const first = await service.act(megan, id, version, {
      kind: 'recordFindings',
      query,
      systems: [findings('crm'), findings('bc', { status: 'failed', counts: {}, records: [] })],
    });
    assert.ok(first.ok);
    const marked = await service.act(megan, id, first.case.version, {
      kind: 'markNotThisPerson',
      records: [{ systemId: 'crm', recordId: 'c2' }],
    });
    assert.ok(marked.ok);
    const again = await service.act(adele, id, marked.case.version, {
      kind: 'markNotThisPerson',
      records: [{ systemId: 'crm', recordId: 'c2' }],
    });
    assert.equal(again.ok, false);

    const retried = await service.act(megan, id, marked.case.version, {
      kind: 'recordFindings',
      query,
      systems: [findings('bc', { counts: { customer: 1 }, records: [{ kind: 'customer', id: 'b1', fields: {} }] })],
    });
    assert.ok(retried.ok);
    const crm = retried.case.findings!.systems.find((s) => s.systemId === 'crm')!;
    assert.equal(crm.records.find((r) => r.id === 'c2')?.notThisPerson?.byId, 'megan');
    assert.equal(retried.case.findings!.systems.find((s) => s.systemId === 'bc')?.status, 'found');
  });

  it('only the privacy team records findings', async () => {
    const { id, version } = await approvedCase();
    const stored = await store.getCase(id);
    const result = await service.act(alex, id, version, {
      kind: 'recordFindings',
      query: searchQueryFor(stored!.subject),
      systems: [findings('crm')],
    });
    assert.equal(result.ok, false);
    assert.equal(result.ok ? '' : result.refusal, 'forbidden');
  });

  it('reports each system as it answers, so a slow one holds back no other', async () => {
    const connector = (id: string, ms: number, fail = false): Connector => ({
      info: { id, displayName: id, capabilities: ['find'], manualSteps: {} },
      connected: true,
      find: async () => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        if (fail) throw new Error('boom');
        return findings(id);
      },
    });
    const order: string[] = [];
    const results = await runDiscovery(
      [connector('slow', 80), connector('fast', 1), connector('broken', 10, true)],
      searchQueryFor({ name: 'Maria Garcia', emails: [], phones: [], identifiers: {}, role: 'customer' }),
      {
        onProgress: (p) => void order.push(`${p.done}/${p.total}:${p.latest.systemId}:${p.running.join(',')}`),
        progressEveryMs: 0,
      },
    );
    assert.deepEqual(order, ['1/3:fast:slow,broken', '2/3:broken:slow', '3/3:slow:']);
    assert.deepEqual(
      results.map((r) => `${r.systemId}:${r.status}`),
      ['slow:found', 'fast:found', 'broken:failed'],
    );
  });

  it("tells systems that answer together as one report, at the runs' pace, and nothing after the end", async () => {
    const clock = sinon.useFakeTimers({ now: NOW });
    try {
      const connector = (id: string, ms: number): Connector => ({
        info: { id, displayName: id, capabilities: ['find'], manualSteps: {} },
        connected: true,
        find: async () => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return findings(id);
        },
      });
      const told: string[] = [];
      const run = runDiscovery(
        [connector('crm', 100), connector('bc', 300), connector('fno', 600), connector('hr', 5_000)],
        searchQueryFor({ name: 'Maria Garcia', emails: [], phones: [], identifiers: {}, role: 'customer' }),
        { onProgress: (p) => void told.push(`${p.done}:${p.answered.map((f) => f.systemId).join(',')}`) },
      );
      // Three answers within the first two seconds are one report, the latest, with all three.
      await clock.tickAsync(1_999);
      assert.deepEqual(told, []);
      await clock.tickAsync(1);
      assert.deepEqual(told, ['3:crm,bc,fno']);
      await clock.tickAsync(3_000);
      assert.deepEqual(told, ['3:crm,bc,fno', '4:crm,bc,fno,hr']);
      assert.equal((await run).length, 4);
      await clock.tickAsync(10_000);
      assert.equal(told.length, 2);
    } finally {
      clock.restore();
    }
  });
});

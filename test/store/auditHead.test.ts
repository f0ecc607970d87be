import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeVerdict, verifyTrail, type AuditDraft, type AuditEvent, type WitnessedHead } from '../../dsr/audit.js';
import { LowdbCaseStore } from '../../dsr/storage/lowdbStore.js';
import { PostgresCaseStore } from '../../dsr/storage/postgresStore.js';
import type { CaseStore } from '../../dsr/store.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { collect, draft } from './storeContract.js';

/** Changes the stored trail behind the store's back, as someone with access to its storage could. */
interface Tamper {
  store: CaseStore;
  /** Replaces the stored events from `fromSeq` on; an event left out is deleted. */
  rewrite(events: AuditEvent[], fromSeq: number): Promise<void>;
  deleteHead(): Promise<void>;
  tearDown(): Promise<void>;
}

/** What "verify audit" answers, optionally with a head the reader saw before. */
async function verifyAudit(store: CaseStore, witnessed?: WitnessedHead): Promise<string> {
  return describeVerdict(await verifyTrail(store.auditEvents(), () => store.auditHead(), witnessed));
}

/** The forger's seal: a plain SHA-256 over the event, as the chain was sealed before keys. */
function plainReseal(events: AuditEvent[]): AuditEvent[] {
  let prevHash = events[0]!.prevHash;
  return events.map((event) => {
    const { hash: _old, ...rest } = event;
    const linked = { ...rest, prevHash };
    const detail = Object.fromEntries(
      Object.keys(linked.detail)
        .sort()
        .map((k) => [k, linked.detail[k] ?? null]),
    );
    const hash = createHash('sha256')
      .update(
        JSON.stringify([
          linked.seq,
          linked.prevHash,
          linked.at,
          linked.actorId,
          linked.caseId,
          linked.action,
          linked.outcome,
          linked.version,
          detail,
        ]),
      )
      .digest('hex');
    prevHash = hash;
    return { ...linked, hash };
  });
}

/** An event about no case, so opening the store has no interrupted case write to reconcile. */
function note(i: number): AuditDraft {
  return { ...draft(`DSR-2026-000${i}`, 1, 'note'), caseId: null, version: null };
}

function auditHeadSuite(open: () => Promise<Tamper>): void {
  let tamper: Tamper;
  let store: CaseStore;

  beforeEach(async () => {
    tamper = await open();
    store = tamper.store;
    for (let i = 1; i <= 5; i += 1) await store.appendAudit(note(i));
  });
  afterEach(() => tamper.tearDown());

  it('reports an intact trail with its head, and a head the reader saw earlier as contained', async () => {
    const answer = await verifyAudit(store);
    const head = (await store.auditHead())!;
    assert.equal(head.seq, 5);
    assert.match(answer, /intact: 5 events/);
    assert.ok(answer.includes(`#5 ${head.hash.slice(0, 8)}`), answer);
    assert.match(
      await verifyAudit(store, { seq: 3, hashPrefix: (await collect(store.auditEvents()))[2]!.hash.slice(0, 8) }),
      /intact/,
    );
  });

  it('reports an edited event at its sequence', async () => {
    const events = await collect(store.auditEvents());
    await tamper.rewrite([{ ...events[2]!, actorId: 'someone-else' }, ...events.slice(3)], 3);
    assert.match(await verifyAudit(store), /broken at event #3: its content was changed/);
  });

  it('reports events removed at the end', async () => {
    const events = await collect(store.auditEvents());
    await tamper.rewrite([], 4);
    assert.equal((await collect(store.auditEvents())).length, 3);
    assert.match(await verifyAudit(store), /Events were removed at the end .*head records #5 .*only 3 events/);
    assert.match(
      await verifyAudit(store, { seq: 5, hashPrefix: events[4]!.hash.slice(0, 8) }),
      /shorter than the head you saw \(#5\)/,
    );
  });

  it('reports a trail re-sealed after an edit', async () => {
    const events = await collect(store.auditEvents());
    await tamper.rewrite(plainReseal([{ ...events[1]!, actorId: 'someone-else' }, ...events.slice(2)]), 2);
    assert.match(await verifyAudit(store), /was rewritten: its last event does not match the head #5/);
    assert.match(
      await verifyAudit(store, { seq: 2, hashPrefix: events[1]!.hash.slice(0, 8) }),
      /does not contain the head you saw \(#2/,
    );
  });

  it('reports a missing head', async () => {
    await tamper.deleteHead();
    assert.match(await verifyAudit(store), /head record is missing: the 5 events link up/);
  });
}

describe('the audit trail against its head', () => {
  describe('on lowdb (embedded)', () => {
    auditHeadSuite(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dsr-head-'));
      const log = join(dir, 'audit.jsonl');
      const store = new LowdbCaseStore(dir);
      await store.open();
      const tamper: Tamper = {
        store,
        async rewrite(events, fromSeq) {
          const kept = (await readFile(log, 'utf8'))
            .split('\n')
            .filter((line) => line && (JSON.parse(line) as AuditEvent).seq < fromSeq);
          const lines = [...kept, ...events.map((event) => JSON.stringify(event))];
          await writeFile(log, lines.map((line) => `${line}\n`).join(''));
        },
        deleteHead: () => rm(join(dir, 'audit-head.json')),
        async tearDown() {
          await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
      return tamper;
    });

    it('records a head found missing at startup, and continues with a new head', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dsr-head-'));
      try {
        let store = new LowdbCaseStore(dir);
        await store.open();
        for (let i = 1; i <= 3; i += 1) await store.appendAudit(note(i));
        await store.close();
        await rm(join(dir, 'audit-head.json'));
        store = new LowdbCaseStore(dir);
        await store.open();
        const answer = await verifyAudit(store);
        await store.close();
        assert.match(answer, /intact: 4 events/);
        assert.match(answer, /head record was found missing at a restart after event #3/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('gives a trail written before heads a head from its last event, once', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dsr-head-'));
      try {
        let store = new LowdbCaseStore(dir);
        await store.open();
        for (let i = 1; i <= 3; i += 1) await store.appendAudit(note(i));
        await store.close();
        // As the bot left its data folder before the head existed.
        await rm(join(dir, 'audit-head.json'));
        const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
        delete meta.auditHead;
        await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
        store = new LowdbCaseStore(dir);
        await store.open();
        const answer = await verifyAudit(store);
        await store.close();
        assert.match(answer, /intact: 3 events/);
        assert.doesNotMatch(answer, /missing/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('on PostgreSQL', function () {
    skipWithoutDatabase(this);
    auditHeadSuite(async () => {
      const schema = freshSchema();
      const store = new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema });
      await store.open();
      const tamper: Tamper = {
        store,
        async rewrite(events, fromSeq) {
          await store.write(`DELETE FROM ${store.table('audit_events')} WHERE seq >= $1`, [fromSeq]);
          for (const event of events) {
            await store.write(`INSERT INTO ${store.table('audit_events')} (seq, case_id, event) VALUES ($1, $2, $3)`, [
              event.seq,
              event.caseId,
              JSON.stringify(event),
            ]);
          }
        },
        deleteHead: async () => {
          await store.write(`DELETE FROM ${store.table('audit_head')}`, []);
        },
        async tearDown() {
          await store.close();
          await dropSchema(schema);
        },
      };
      return tamper;
    });
  });
});

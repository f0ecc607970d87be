import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeVerdict,
  sealEvent,
  verifyTrail,
  type AuditDraft,
  type AuditEvent,
  type AuditHead,
  type WitnessedHead,
} from '../../dsr/audit.js';
import { auditKeys, type AuditKeys } from '../../dsr/auditKeys.js';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
import type { CaseStore } from '../../dsr/ports/store.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { collect, draft } from './storeContract.js';

/** Changes the stored trail behind the store's back, as someone with access to its storage could. */
interface Tamper {
  store: CaseStore;
  /** Closes the store and opens it again on the same storage, with these keys. */
  reopen(keys: AuditKeys | undefined): Promise<CaseStore>;
  writeHead(head: AuditHead): Promise<void>;
  /** Replaces the stored events from `fromSeq` on; an event left out is deleted. */
  rewrite(events: AuditEvent[], fromSeq: number): Promise<void>;
  deleteHead(): Promise<void>;
  tearDown(): Promise<void>;
}

/** What "verify audit" answers, optionally with a head the reader saw before. */
async function verifyAudit(store: CaseStore, witnessed?: WitnessedHead): Promise<string> {
  return describeVerdict(await verifyTrail(store.auditEvents(), () => store.auditHead(), witnessed, store.auditKeys));
}

const KEY = auditKeys('first-audit-key-0123456789abcdef0123');
const NEXT_KEY = 'second-audit-key-0123456789abcdef012';

/** The forger's seal: the bot's own hashing, as the code is public, but without the key: plain SHA-256. */
function plainReseal(events: AuditEvent[]): AuditEvent[] {
  let prevHash = events[0]!.prevHash;
  return events.map(({ hash: _hash, seq, ...rest }) => {
    const sealed = sealEvent(rest, seq, prevHash);
    prevHash = sealed.hash;
    return sealed;
  });
}

/** An event about no case, so opening the store has no interrupted case write to reconcile. */
function note(i: number): AuditDraft {
  return { ...draft(`DSR-2026-000${i}`, 1, 'note'), caseId: null, version: null };
}

function auditHeadSuite(open: (keys: AuditKeys | undefined) => Promise<Tamper>): void {
  let tamper: Tamper;
  let store: CaseStore;

  beforeEach(async () => {
    tamper = await open(KEY);
    store = tamper.store;
    for (let i = 1; i <= 5; i += 1) await store.appendAudit(note(i));
  });
  afterEach(() => tamper.tearDown());

  it('reports an intact trail with its head, and a head the reader saw earlier as contained', async () => {
    const answer = await verifyAudit(store);
    const head = (await store.auditHead())!;
    assert.equal(head.seq, 6, 'the key introduction and five events');
    assert.match(answer, /intact: 6 events/);
    assert.ok(answer.includes(`#6 ${head.hash.slice(0, 8)}`), answer);
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
    assert.match(await verifyAudit(store), /Events were removed at the end .*head records #6 .*only 3 events/);
    assert.match(
      await verifyAudit(store, { seq: 6, hashPrefix: events[5]!.hash.slice(0, 8) }),
      /shorter than the head you saw \(#6\)/,
    );
  });

  it('reports a trail re-sealed without the key, head and all, as re-sealed', async () => {
    const events = await collect(store.auditEvents());
    const forged = plainReseal([{ ...events[2]!, actorId: 'someone-else' }, ...events.slice(3)]);
    await tamper.rewrite(forged, 3);
    await tamper.writeHead({ seq: forged.at(-1)!.seq, hash: forged.at(-1)!.hash });
    assert.match(await verifyAudit(store), /re-sealed from event #3 on: it is sealed without the audit key/);
  });

  it('reports a whole trail re-sealed without the key, key records and all, as re-sealed', async () => {
    const events = await collect(store.auditEvents());
    const forged = plainReseal(events.map(({ keyId: _keyId, ...event }) => event));
    await tamper.rewrite(forged, 1);
    await tamper.writeHead({ seq: forged.at(-1)!.seq, hash: forged.at(-1)!.hash });
    assert.match(await verifyAudit(store), /re-sealed .*no event is sealed with the audit key/);
  });

  it('continues a trail written before keys from its head, with a recorded key introduction', async () => {
    // As a trail written before keys: every event sealed with plain SHA-256.
    const plain = plainReseal((await collect(store.auditEvents())).map(({ keyId: _keyId, ...event }) => event));
    await tamper.rewrite(plain, 1);
    await tamper.writeHead({ seq: plain.at(-1)!.seq, hash: plain.at(-1)!.hash });
    const legacy = await tamper.reopen(undefined);
    await legacy.appendAudit(note(8));
    const before = await collect(legacy.auditEvents());
    assert.match(await verifyAudit(legacy), new RegExp(`intact: ${before.length} events`));
    const keyed = await tamper.reopen(KEY);
    const after = await collect(keyed.auditEvents());
    assert.deepEqual(after.slice(0, before.length), before);
    const introduced = after[before.length]!;
    assert.equal(introduced.action, 'audit-key-introduced');
    assert.equal(introduced.prevHash, before.at(-1)!.hash);
    assert.equal(introduced.keyId, KEY.current.id);
    assert.match(await verifyAudit(keyed), new RegExp(`intact: ${after.length} events`));
  });

  it('rotates the key: the old key verifies the events it sealed while it is listed as previous', async () => {
    const rotated = await tamper.reopen(auditKeys(NEXT_KEY, ['first-audit-key-0123456789abcdef0123']));
    await rotated.appendAudit(note(9));
    const events = await collect(rotated.auditEvents());
    assert.deepEqual(
      events.slice(-2).map((event) => event.action),
      ['audit-key-introduced', 'note'],
    );
    assert.notEqual(events.at(-1)!.keyId, KEY.current.id);
    assert.match(await verifyAudit(rotated), new RegExp(`intact: ${events.length} events`));
    // Without the old key the events it sealed cannot be told from forged ones.
    const forgot = await tamper.reopen(auditKeys(NEXT_KEY));
    assert.match(await verifyAudit(forgot), /broken at event #1: .*key this bot does not hold/);
  });

  it('reports a trail re-sealed without the key after an edit, and a head the reader saw as not contained', async () => {
    const events = await collect(store.auditEvents());
    await tamper.rewrite(plainReseal([{ ...events[1]!, actorId: 'someone-else' }, ...events.slice(2)]), 2);
    assert.match(await verifyAudit(store), /re-sealed from event #2 on/);
    assert.match(
      await verifyAudit(store, { seq: 2, hashPrefix: events[1]!.hash.slice(0, 8) }),
      /re-sealed from event #2 on/,
    );
  });

  it('reports a missing head', async () => {
    await tamper.deleteHead();
    assert.match(await verifyAudit(store), /head record is missing: the 6 events link up/);
  });
}

describe('the audit trail against its head', () => {
  describe('on lowdb (embedded)', () => {
    auditHeadSuite(async (keys) => {
      const dir = await mkdtemp(join(tmpdir(), 'dsr-head-'));
      const log = join(dir, 'audit.jsonl');
      const tamper: Tamper = {
        store: new LowdbCaseStore(dir, keys),
        async rewrite(events, fromSeq) {
          const kept = (await readFile(log, 'utf8'))
            .split('\n')
            .filter((line) => line && (JSON.parse(line) as AuditEvent).seq < fromSeq);
          const lines = [...kept, ...events.map((event) => JSON.stringify(event))];
          await writeFile(log, lines.map((line) => `${line}\n`).join(''));
        },
        writeHead: (head) => writeFile(join(dir, 'audit-head.json'), JSON.stringify(head)),
        deleteHead: () => rm(join(dir, 'audit-head.json')),
        async reopen(next) {
          await tamper.store.close();
          tamper.store = new LowdbCaseStore(dir, next);
          await tamper.store.open();
          return tamper.store;
        },
        async tearDown() {
          await tamper.store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
      await tamper.store.open();
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
    auditHeadSuite(async (keys) => {
      const schema = freshSchema();
      const open = async (with_: AuditKeys | undefined) => {
        const store = new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema, auditKeys: with_ });
        await store.open();
        return store;
      };
      let store = await open(keys);
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
        async writeHead(head) {
          await store.write(`UPDATE ${store.table('audit_head')} SET seq = $1, hash = $2 WHERE id = 1`, [
            head.seq,
            head.hash,
          ]);
        },
        async deleteHead() {
          await store.write(`DELETE FROM ${store.table('audit_head')}`, []);
        },
        async reopen(next) {
          await store.close();
          store = await open(next);
          tamper.store = store;
          return store;
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

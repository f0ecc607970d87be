import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { markReachable, markUnreachable, unreachableUsers } from '../../teams/outbox/index.js';
import { OutboxSender } from '../../teams/outbox/outboxSender.js';
import { RateLimiter } from '../../teams/outbox/rateLimiter.js';
import { TeamsTransport } from '../../teams/outbox/teamsTransport.js';
import type { OutboxMessage, OutboxRecord } from '../../dsr/ports/outbox.js';
import { packagePath } from '../../dsr/runs/packageRun.js';
import { FolderPackageStore, type PackageStore } from '../../dsr/ports/packages.js';
import { FileOutboxStore } from '../../storage/fileOutboxStore.js';
import {
  PostgresLeaseStore,
  PostgresOutboxStore,
  PostgresPackageStore,
  type PortableOutbox,
} from '../../storage/postgresShared.js';
import { PostgresCaseStore } from '../../storage/postgresStore.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { channelConnectors, FakeConnector } from '../support/fakeConnector.js';

const T0 = new Date('2026-03-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const PACKAGE_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const LIFETIME = 15 * 60 * 1000;

function message(id: string, conversationKey = 'conv-1', notBefore?: Date): OutboxMessage {
  return {
    id,
    conversationKey,
    destination: { kind: 'conversation', reference: { conversation: { id: conversationKey } } },
    activity: { type: 'message', text: id },
    ...(notBefore ? { notBefore: notBefore.toISOString() } : {}),
  };
}

/** A backend for the stores several instances share: each `open` is another instance on the same storage. */
interface SharedBackend {
  setUp(): Promise<void>;
  outbox(): Promise<PortableOutbox>;
  packages(): PackageStore;
  packagesDir: string;
  tearDown(): Promise<void>;
}

function sharedContract(make: () => SharedBackend) {
  let backend: SharedBackend;
  beforeEach(async () => {
    backend = make();
    await backend.setUp();
  });
  afterEach(() => backend.tearDown());

  describe('the outbox store', () => {
    it('records a message once however often it is enqueued, and hands it out when due', async () => {
      const a = await backend.outbox();
      const b = await backend.outbox();
      assert.equal(await a.enqueue(message('m1'), T0), true);
      assert.equal(await b.enqueue(message('m1'), at(5)), false);
      await a.enqueue(message('later', 'conv-2', at(60_000)), T0);
      assert.deepEqual(
        (await b.due(at(1), 10)).map((r) => r.id),
        ['m1'],
      );
      assert.deepEqual(
        (await b.due(at(60_000), 10)).map((r) => r.id),
        ['m1', 'later'],
      );
      const record = await b.get('m1');
      assert.equal(record?.status, 'pending');
      assert.equal(record?.attempts, 0);
      assert.equal(await a.get('missing'), undefined);
    });

    it('lets one owner claim a message until its lease runs out, then another', async () => {
      const a = await backend.outbox();
      const b = await backend.outbox();
      await a.enqueue(message('m1'), T0);
      const claims = await Promise.all([a.claim('m1', 'A', T0, at(30_000)), b.claim('m1', 'B', T0, at(30_000))]);
      assert.equal(claims.filter(Boolean).length, 1);
      const loser = claims[0] ? 'B' : 'A';
      assert.equal(await b.claim('m1', loser, at(10_000), at(40_000)), false);
      // The holder died without settling: after its lease, the message is another's to send.
      assert.equal(await b.claim('m1', loser, at(30_001), at(60_000)), true);
      await b.settle('m1', loser, { status: 'sent', attempts: 1, finishedAt: at(30_002).toISOString() });
      assert.equal((await a.get('m1'))?.status, 'sent');
      assert.equal(await a.claim('m1', 'C', at(90_000), at(120_000)), false);
      assert.deepEqual(await a.due(at(90_000), 10), []);
    });

    it('gives a message to exactly one of many owners claiming it at once, every time', async () => {
      const outboxes = await Promise.all(Array.from({ length: 8 }, () => backend.outbox()));
      for (let round = 0; round < 50; round += 1) {
        const id = `race-${round}`;
        await outboxes[0]!.enqueue(message(id), T0);
        const claims = await Promise.all(outboxes.map((o, i) => o.claim(id, `owner-${i}`, T0, at(30_000))));
        assert.equal(claims.filter(Boolean).length, 1, `round ${round}`);
      }
    });

    it('moves a retried message to its new time and keeps its attempts', async () => {
      const a = await backend.outbox();
      await a.enqueue(message('m1'), T0);
      assert.equal(await a.claim('m1', 'A', T0, at(30_000)), true);
      await a.settle('m1', 'A', { attempts: 1, notBefore: at(5_000).toISOString(), lastError: 'HTTP 429' });
      assert.deepEqual(await a.due(at(4_000), 10), []);
      const [again] = await a.due(at(5_000), 10);
      assert.equal(again?.attempts, 1);
      assert.equal(again?.lastError, 'HTTP 429');
      // Settling gave the lease up: the next attempt needs no waiting for it.
      assert.equal(await a.claim('m1', 'B', at(5_000), at(35_000)), true);
    });

    it('gives a conversation to one sender at a time, renewable by it and free once released or run out', async () => {
      const a = await backend.outbox();
      const b = await backend.outbox();
      assert.equal(await a.leaseConversation('conv-1', 'A', T0, at(30_000)), true);
      assert.equal(await b.leaseConversation('conv-1', 'B', at(1_000), at(31_000)), false);
      assert.equal(await a.leaseConversation('conv-1', 'A', at(20_000), at(50_000)), true);
      assert.equal(await b.leaseConversation('conv-1', 'B', at(40_000), at(70_000)), false);
      assert.equal(await b.leaseConversation('conv-1', 'B', at(50_001), at(80_000)), true);
      await b.releaseConversation('conv-1', 'B');
      assert.equal(await a.leaseConversation('conv-1', 'A', at(50_002), at(80_000)), true);
    });

    it('remembers attempts across instances for the rate limits, for the last hour only', async () => {
      const a = await backend.outbox();
      const b = await backend.outbox();
      await a.noteAttempt('conv-1', T0);
      await b.noteAttempt('conv-2', at(1_000));
      const recent = await b.attemptsSince(at(-1));
      assert.deepEqual(recent.map((x) => x.conversationKey).sort(), ['conv-1', 'conv-2']);
      assert.deepEqual(
        (await a.attemptsSince(at(500))).map((x) => x.conversationKey),
        ['conv-2'],
      );
    });

    it('counts an attempt from its answer, for an instance that takes the conversation over', async () => {
      const a = await backend.outbox();
      const b = await backend.outbox();
      // Two attempts noted at the same moment: only the one answered moves; a sender that died keeps its first time.
      await a.noteAttempt('conv-1', T0);
      await a.noteAttempt('conv-1', T0);
      await a.noteAnswer('conv-1', T0, at(1_500));
      assert.deepEqual(
        (await b.attemptsSince(at(-1))).map((x) => x.at - T0.getTime()),
        [0, 1_500],
      );
      assert.deepEqual(
        (await b.attemptsSince(at(1_000))).map((x) => [x.conversationKey, x.at - T0.getTime()]),
        [['conv-1', 1_500]],
      );
    });

    it('reads every record out and takes records in as they are', async () => {
      const a = await backend.outbox();
      await a.enqueue(message('m1'), T0);
      await a.enqueue(message('m2'), T0);
      await a.claim('m1', 'A', T0, at(30_000));
      await a.settle('m1', 'A', { status: 'sent', attempts: 1 });
      const all: OutboxRecord[] = [];
      for await (const record of a.records()) all.push(record);
      assert.deepEqual(all.map((r) => `${r.id}:${r.status}`).sort(), ['m1:sent', 'm2:pending']);

      const copied = { ...all.find((r) => r.id === 'm1')!, id: 'copied' };
      await a.importRecord(copied);
      await a.importRecord({ ...copied, status: 'pending' });
      assert.equal((await a.get('copied'))?.status, 'sent');
      assert.equal(await a.enqueue(message('copied'), T0), false);
    });
  });

  describe('the package store', () => {
    it('finds a recorded package from any instance and deletes it once it expired', async () => {
      const path = packagePath(backend.packagesDir, 'DSR-2026-0001', PACKAGE_ID);
      await writeFile(path, 'zip bytes');
      const now = new Date();
      await backend.packages().record({
        caseId: 'DSR-2026-0001',
        packageId: PACKAGE_ID,
        ownerId: 'user-1',
        expiresAt: new Date(now.getTime() + LIFETIME).toISOString(),
        bytes: 9,
        path,
      });
      const found = await backend.packages().get('DSR-2026-0001', PACKAGE_ID);
      assert.equal(found?.bytes, 9);
      assert.equal(found?.path, path);
      assert.equal(await backend.packages().get('DSR-2026-0002', PACKAGE_ID), undefined);

      assert.equal(await backend.packages().sweep(now), 0);
      assert.ok(await stat(path));
      const later = new Date(now.getTime() + LIFETIME + 60_000);
      assert.equal(await backend.packages().sweep(later), 1);
      await assert.rejects(stat(path), { code: 'ENOENT' });
      assert.equal(await backend.packages().get('DSR-2026-0001', PACKAGE_ID), undefined);
      assert.equal(await backend.packages().sweep(later), 0);
    });
  });
}

describe('the stores instances share', () => {
  describe('in the data folder (embedded)', () => {
    let dir = '';
    sharedContract(() => ({
      get packagesDir() {
        return join(dir, 'packages');
      },
      async setUp() {
        dir = await mkdtemp(join(tmpdir(), 'dsr-shared-'));
        await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'packages')));
      },
      async outbox() {
        const store = new FileOutboxStore(join(dir, 'outbox'));
        await store.open();
        return store;
      },
      packages: () => new FolderPackageStore(join(dir, 'packages'), LIFETIME),
      tearDown: () => rm(dir, { recursive: true, force: true }),
    }));
  });

  describe('on PostgreSQL', function () {
    skipWithoutDatabase(this);
    let dir = '';
    let schema = '';
    let stores: PostgresCaseStore[] = [];
    const instance = async () => {
      const store = new PostgresCaseStore({ connectionString: testDatabaseUrl()!, schema, poolSize: 3 });
      await store.open();
      stores.push(store);
      return store;
    };
    let first: PostgresCaseStore;
    describe('the contract', () =>
      sharedContract(() => ({
        get packagesDir() {
          return dir;
        },
        async setUp() {
          dir = await mkdtemp(join(tmpdir(), 'dsr-shared-'));
          schema = freshSchema();
          stores = [];
          first = await instance();
        },
        async outbox() {
          return new PostgresOutboxStore(await instance());
        },
        packages: () => new PostgresPackageStore(first),
        async tearDown() {
          await Promise.all(stores.map((store) => store.close()));
          await dropSchema(schema);
          await rm(dir, { recursive: true, force: true });
        },
      })));

    describe('beyond the contract', () => {
      let connector: FakeConnector;
      beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), 'dsr-shared-'));
        schema = freshSchema();
        stores = [];
        connector = new FakeConnector();
        await connector.start();
      });
      afterEach(async () => {
        await connector.stop();
        await Promise.all(stores.map((store) => store.close()));
        await dropSchema(schema);
        await rm(dir, { recursive: true, force: true });
      });

      it('gives the reminder pass to one instance at a time', async () => {
        const [a, b, c] = [
          new PostgresLeaseStore(await instance()),
          new PostgresLeaseStore(await instance()),
          new PostgresLeaseStore(await instance()),
        ];
        const held = await Promise.all(
          [a, b, c].map((leases, i) => leases.tryHold('reminders', `owner-${i}`, T0, at(60_000))),
        );
        assert.equal(held.filter(Boolean).length, 1);
        const holder = held.indexOf(true);
        const other = (holder + 1) % 3;
        const otherLeases = [a, b, c][other]!;
        assert.equal(await otherLeases.tryHold('reminders', `owner-${other}`, at(59_000), at(119_000)), false);
        await [a, b, c][holder]!.release('reminders', `owner-${holder}`);
        assert.equal(await otherLeases.tryHold('reminders', `owner-${other}`, at(59_000), at(119_000)), true);
      });

      it('keeps everyone two instances record as unreachable at the same moment', async () => {
        const [a, b] = [await instance(), await instance()];
        await Promise.all(
          Array.from({ length: 10 }, (_, n) =>
            markUnreachable(n % 2 ? a : b, {
              userId: `user-${n}`,
              code: 'ConversationBlockedByUser',
              at: T0.toISOString(),
            }),
          ),
        );
        assert.equal(Object.keys(await unreachableUsers(a)).length, 10);
        await Promise.all([markReachable(a, 'user-1'), markReachable(b, 'user-2')]);
        assert.deepEqual(
          Object.keys(await unreachableUsers(b)).sort(),
          [0, 3, 4, 5, 6, 7, 8, 9].map((n) => `user-${n}`),
        );
      });

      it('deletes each expired package once when every instance sweeps at the same moment', async () => {
        const stores3 = [await instance(), await instance(), await instance()].map((s) => new PostgresPackageStore(s));
        for (let n = 0; n < 5; n += 1) {
          const packageId = PACKAGE_ID.replace(/e$/, String(n));
          const path = packagePath(dir, 'DSR-2026-0001', packageId);
          await writeFile(path, 'zip');
          await stores3[0]!.record({
            caseId: 'DSR-2026-0001',
            packageId,
            ownerId: 'user-1',
            expiresAt: T0.toISOString(),
            bytes: 3,
            path,
          });
        }
        const removed = await Promise.all(stores3.map((packages) => packages.sweep(at(1))));
        assert.equal(
          removed.reduce((sum, n) => sum + n, 0),
          5,
        );
      });

      it('sends each message once and keeps the Teams limits when three instances send from one outbox', async () => {
        const log = pino({ level: 'silent' });
        const senders = await Promise.all(
          [0, 1, 2].map(
            async () =>
              new OutboxSender(
                new PostgresOutboxStore(await instance()),
                new TeamsTransport(channelConnectors()),
                log,
                {
                  limiter: new RateLimiter(undefined, 200),
                  idlePollMs: 50,
                },
              ),
          ),
        );
        for (let n = 0; n < 40; n += 1) {
          const conversation = `conv-${n % 2}`;
          await senders[n % 3]!.enqueue({
            ...message(`burst|${n}`, conversation),
            destination: {
              kind: 'conversation',
              reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: conversation } },
            },
          });
        }
        for (const sender of senders) sender.start();
        const texts = () => connector.delivered().map((call) => String(call.body.text));
        await connector.waitFor(() => (texts().length >= 40 ? true : undefined), 30_000);
        await Promise.all(senders.map((sender) => sender.idle()));
        await Promise.all(senders.map((sender) => sender.stop()));
        assert.equal(texts().length, 40);
        assert.equal(new Set(texts()).size, 40);
        assert.deepEqual(connector.violations, []);
      });

      it('keeps one budget of 30 a second across two instances, as Teams counts it per app', async () => {
        // Two instances each free to send 30 a second would send 60 between them; the one holding the
        // sending lease sends for both.
        connector.enforceTeamsLimits(undefined, 30);
        const log = pino({ level: 'silent' });
        const senders = await Promise.all(
          [0, 1].map(
            async () =>
              new OutboxSender(
                new PostgresOutboxStore(await instance()),
                new TeamsTransport(channelConnectors()),
                log,
                {
                  idlePollMs: 50,
                },
              ),
          ),
        );
        const total = 120;
        for (let n = 0; n < total; n += 1) {
          const conversation = `conv-${n % 40}`;
          await senders[n % 2]!.enqueue({
            ...message(`pair|${n}`, conversation),
            destination: {
              kind: 'conversation',
              reference: { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: conversation } },
            },
          });
        }
        for (const sender of senders) sender.start();
        const texts = () => connector.delivered().map((call) => String(call.body.text));
        await connector.waitFor(() => (texts().length >= total ? true : undefined), 30_000);
        await Promise.all(senders.map((sender) => sender.idle()));
        await Promise.all(senders.map((sender) => sender.stop()));
        assert.equal(new Set(texts()).size, total);
        assert.equal(texts().length, total);
        assert.deepEqual(connector.violations, [], 'no 429: never more than 30 in a second between them');
      });
    });
  });
});

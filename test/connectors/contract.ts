import { strict as assert } from 'node:assert';
import { selectionOf } from '../../dsr/matching.js';
import type { ChangeConnector, ChangePreview, ChangeTarget, Correction, RestrictMode } from '../../dsr/changes.js';
import { RECORDS_KEPT, type SearchQuery, type SystemFindings } from '../../dsr/discovery.js';
import { ChangeRequestError } from '../../connectors/changeEngine.js';
import { bearer, call } from '../sandbox/helpers.js';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import { ConnectorRegistry, type SystemConfigInput } from '../../connectors/registry.js';
import type { ApiSystemId } from '../../connectors/systems/index.js';
import { startSandbox, type BulkOption, type Sandbox, type SystemId } from '../../sandbox/index.js';

/** What one connector must do against the sandbox; the runner turns it into the same tests for each. */
export interface ConnectorContract {
  system: ApiSystemId;
  /** The sandbox's name for the system, for switches and the request log. */
  sandboxSystem: SystemId;
  find: { query: Partial<SearchQuery>; counts: Record<string, number>; shows?: string };
  /** A person with an apostrophe in the name, found literally. */
  apostrophe?: { query: Partial<SearchQuery>; counts: Record<string, number> };
  /** Many records for one person, so the connector must follow several nextLinks. */
  paging?: {
    bulk?: BulkOption[];
    config?: Partial<SystemConfigInput>;
    query: Partial<SearchQuery>;
    kind: string;
    count: number;
    minPages: number;
  };
  /** Rectify, restrict and delete for one person, for a connector that can change data. */
  changes?: ChangeContract;
}

export interface ChangeContract {
  query: Partial<SearchQuery>;
  rectify: {
    correction: Correction;
    /** The target a direct edit in the sandbox changes between preview and apply. */
    targetId: string;
    edit: { url: (sandbox: Sandbox) => string; resource: (sandbox: Sandbox) => string; body: Record<string, unknown> };
  };
  /** Targets per kind of a restriction in mode `flag`; absent where the system restricts by hand. */
  restrict?: Record<string, number>;
  /** Targets per kind of the `isolate` mode, where it removes the records from the system. */
  isolate?: Record<string, number>;
  delete: { targets: Record<string, number>; retained: Record<string, number>; guided?: RegExp };
  /** Someone whose records must all be kept, by kind. */
  kept?: { query: Partial<SearchQuery>; retained: Record<string, number>; reason: RegExp };
}
export const query = (parts: Partial<SearchQuery>): SearchQuery => ({
  names: [],
  emails: [],
  phones: [],
  customerNumbers: [],
  employeeIds: [],
  ...parts,
});

const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 5000 };
export const INJECTION = "x' or 1 eq 1 or 'a' eq 'a";

/** A connector's change side with each preview's targets as one list, the way these tests read them. */
export type ListedChanges = Omit<ChangeConnector, 'previewChange'> & {
  previewChange(...args: Parameters<ChangeConnector['previewChange']>): Promise<ChangePreview>;
};

export function listed(changes: ChangeConnector): ListedChanges {
  const wrapper = Object.create(changes) as ChangeConnector;
  return Object.assign(wrapper, {
    previewChange: async (...args: Parameters<ChangeConnector['previewChange']>): Promise<ChangePreview> => {
      const preview = await changes.previewChange(...args);
      if (Array.isArray(preview.targets)) return preview as ChangePreview;
      const targets: ChangeTarget[] = [];
      for await (const target of preview.targets) targets.push(target);
      return { ...preview, targets };
    },
  });
}

export function connectorFor(
  sandbox: Sandbox,
  system: ApiSystemId,
  config: Partial<SystemConfigInput> = {},
): { find(q: SearchQuery): Promise<SystemFindings>; changes: ListedChanges | undefined } {
  const settings = sandboxConnectorSettings(sandbox);
  const only = { ...settings.config.systems![system]!, ...config };
  const registry = ConnectorRegistry.fromConfig(
    { systems: { [system]: only } },
    { source: 'contract', credentials: settings.credentials, caPem: settings.caPem, retry: FAST_RETRY },
  );
  const connector = registry.get(system)!;
  assert.equal(connector.connected, true);
  return { find: (q) => connector.find(q), changes: connector.changes && listed(connector.changes) };
}

export function runContract(contract: ConnectorContract): void {
  const { system, sandboxSystem } = contract;
  describe(`connector contract: ${system}`, () => {
    let sandbox: Sandbox;
    before(async () => {
      sandbox = await startSandbox();
    });
    after(async () => {
      await sandbox.close();
    });
    beforeEach(() => sandbox.reset());

    it('finds the seeded person with the expected records by kind, over HTTPS with a real token', async () => {
      const connector = connectorFor(sandbox, system);
      const findings = await connector.find(query(contract.find.query));
      assert.equal(findings.status, 'found', findings.error);
      assert.deepEqual(findings.counts, contract.find.counts);
      if (contract.find.shows) assert.match(JSON.stringify(findings.records), new RegExp(contract.find.shows));
      assert.ok(findings.queries.length > 0, 'the query used is kept');
      const entra = sandbox.requests('entra').filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
      assert.equal(entra.length, 1, 'one token, cached for the whole search');
      await connector.find(query(contract.find.query));
      assert.equal(
        sandbox.requests('entra').filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length,
        1,
        'the cached token serves the next search',
      );
    });

    it('matches injection strings literally: nothing found, nothing widened', async () => {
      const connector = connectorFor(sandbox, system);
      const findings = await connector.find(
        query({ names: [INJECTION], emails: [INJECTION], customerNumbers: [INJECTION], employeeIds: [INJECTION] }),
      );
      assert.equal(findings.status, 'nothing', findings.error);
      assert.deepEqual(findings.counts, {});
      assert.ok(sandbox.requests(sandboxSystem).every((r) => r.status === 200));
    });

    if (contract.apostrophe) {
      const apostrophe = contract.apostrophe;
      it("finds O'Brien literally, and not the near misses", async () => {
        const connector = connectorFor(sandbox, system);
        const findings = await connector.find(query(apostrophe.query));
        // Found by the name alone, so as a candidate for the team to confirm.
        assert.deepEqual(findings.candidateCounts ?? {}, apostrophe.counts, findings.error);
      });
    }

    it('waits for Retry-After when throttled instead of hammering', async function () {
      this.timeout(15_000);
      const connector = connectorFor(sandbox, system);
      sandbox.setSwitches({ [sandboxSystem]: { throttle: { retryAfterSeconds: 1, count: 1 } } });
      const findings = await connector.find(query(contract.find.query));
      assert.equal(findings.status, 'found', findings.error);
      assert.deepEqual(findings.counts, contract.find.counts);
      const log = sandbox.requests(sandboxSystem);
      const throttled = log.find((r) => r.outcome === 'throttled')!;
      const retry = log.find((r) => r.seq > throttled.seq && r.path === throttled.path && r.query === throttled.query);
      assert.ok(retry, 'the throttled request is retried');
      assert.ok(retry.at - throttled.at >= 950, `retried after ${retry.at - throttled.at} ms, not the 1 s asked`);
    });

    it('retries a 5xx and succeeds when the service recovers', async () => {
      const connector = connectorFor(sandbox, system);
      sandbox.setSwitches({ [sandboxSystem]: { fail: { status: 503, count: 1 } } });
      const findings = await connector.find(query(contract.find.query));
      assert.equal(findings.status, 'found', findings.error);
      assert.deepEqual(findings.counts, contract.find.counts);
      assert.ok(sandbox.requests(sandboxSystem).some((r) => r.outcome === 'failed'));
    });

    it('reports a system that keeps failing, after a bounded number of retries', async () => {
      const connector = connectorFor(sandbox, system);
      sandbox.setSwitches({ [sandboxSystem]: { fail: { status: 500 } } });
      const findings = await connector.find(query(contract.find.query));
      assert.equal(findings.status, 'failed');
      assert.match(findings.error ?? '', /500/);
      assert.deepEqual(findings.counts, {}, 'a failed system never reads as "nothing found"');
      const attempts = sandbox.requests(sandboxSystem).length;
      assert.ok(attempts >= 3, `retried (${attempts} requests)`);
      assert.ok(attempts <= 3 * 8, `bounded (${attempts} requests)`);
    });

    it('reports a system that does not answer within the request timeout', async () => {
      const connector = connectorFor(sandbox, system, { requestTimeoutMs: 300 });
      sandbox.setSwitches({ [sandboxSystem]: { hang: true } });
      const findings = await connector.find(query(contract.find.query));
      assert.equal(findings.status, 'failed');
      assert.match(findings.error ?? '', /did not answer within/);
    });

    it('reports a system that exceeds its time allowance for the whole search', async () => {
      const connector = connectorFor(sandbox, system, { timeoutMs: 300 });
      sandbox.setSwitches({ [sandboxSystem]: { latencyMs: 600 } });
      const findings = await connector.find(query(contract.find.query));
      assert.equal(findings.status, 'failed');
      assert.match(findings.error ?? '', /took longer than/);
    });

    if (contract.changes) runChangeContract(() => sandbox, system, sandboxSystem, contract.changes);

    if (contract.paging) {
      const paging = contract.paging;
      it(`follows @odata.nextLink across several pages (${paging.count} ${paging.kind} records)`, async function () {
        this.timeout(60_000);
        const big = await startSandbox({ bulk: paging.bulk ?? [] });
        try {
          const connector = connectorFor(big, system, paging.config);
          const findings = await connector.find(query(paging.query));
          assert.equal(findings.status, 'found', findings.error);
          const found = (findings.counts[paging.kind] ?? 0) + (findings.candidateCounts?.[paging.kind] ?? 0);
          assert.equal(found, paging.count);
          const withNextLink = big.requests(sandboxSystem).filter((r) => /skiptoken|skip/i.test(r.query));
          assert.ok(withNextLink.length >= paging.minPages - 1, `${withNextLink.length + 1} pages`);
          assert.ok(findings.records.length <= RECORDS_KEPT, 'the case keeps a bounded number for review');
          assert.equal(findings.records.length + (findings.recordsLeftOut ?? 0) >= paging.count, true);
        } finally {
          await big.close();
        }
      });
    }
  });
}

const countKinds = (records: readonly { kind: string }[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const record of records) counts[record.kind] = (counts[record.kind] ?? 0) + 1;
  return counts;
};

const shape = (targets: readonly ChangeTarget[]) =>
  targets.map(({ kind, id, changes }) => ({ kind, id, changes })).sort((a, b) => a.id.localeCompare(b.id));

function runChangeContract(
  sandboxOf: () => Sandbox,
  system: ApiSystemId,
  sandboxSystem: SystemId,
  contract: ChangeContract,
): void {
  // The person's records as the domain selects them: strong matches only, no namesake.
  const none = selectionOf(undefined);
  const changesOf = (): ListedChanges => {
    const changes = connectorFor(sandboxOf(), system).changes;
    assert.ok(changes, `${system} can change data`);
    return changes;
  };
  const person = () => query(contract.query);

  it('previews a deletion: the records to delete, dependants first, and those kept with the reason', async () => {
    const preview = await changesOf().previewChange({ right: 'delete' }, person(), none);
    assert.equal(preview.systemId, system);
    assert.deepEqual(countKinds(preview.targets), contract.delete.targets);
    assert.deepEqual(countKinds(preview.retained), contract.delete.retained);
    for (const kept of preview.retained) assert.ok(kept.reason.length > 20, `a reason for ${kept.kind}`);
    const orders = preview.targets.map((t) => t.order);
    assert.deepEqual(
      orders,
      [...orders].sort((a, b) => a - b),
      'dependants come first',
    );
    assert.ok(preview.targets.every((t) => t.changes.length === 0));
    assert.ok(preview.queries.length > 0);
    if (contract.delete.guided) assert.match(JSON.stringify(preview.guided), contract.delete.guided);
  });

  it('never targets a record marked "not this person"', async () => {
    const changes = changesOf();
    const first = await changes.previewChange({ right: 'delete' }, person(), none);
    const excluded = first.targets[0]!.id;
    const again = await changes.previewChange({ right: 'delete' }, person(), {
      admits: (id, matchedOn) => id !== excluded && none.admits(id, matchedOn),
      admitsRelated: (id) => id !== excluded,
    });
    assert.ok(!again.targets.some((t) => t.id === excluded));
    assert.equal(again.targets.length, first.targets.length - 1);
  });

  it('deletes in order, finds nothing afterwards, and a second delete of a target is "gone"', async () => {
    const changes = changesOf();
    const preview = await changes.previewChange({ right: 'delete' }, person(), none);
    for (const target of preview.targets) {
      const outcome = await changes.applyChange({ right: 'delete' }, target);
      assert.ok(
        outcome.status === 'applied' || outcome.status === 'gone',
        `${target.kind}: ${JSON.stringify(outcome)}`,
      );
    }
    const check = await changes.confirmDeleted(preview.targets, person());
    assert.deepEqual(check.remaining, []);
    assert.ok(check.queries.length > 0);
    assert.deepEqual(await changes.applyChange({ right: 'delete' }, preview.targets.at(-1)!), { status: 'gone' });
    const after = await changes.previewChange({ right: 'delete' }, person(), none);
    assert.deepEqual(after.targets, [], 'nothing left to delete');
  });

  it('confirmDeleted reports a target that is still there', async () => {
    const changes = changesOf();
    const preview = await changes.previewChange({ right: 'delete' }, person(), none);
    const check = await changes.confirmDeleted(preview.targets, person());
    assert.equal(check.remaining.length, preview.targets.length);
  });

  it('reports a write that keeps failing as retryable, and succeeds on the retry', async () => {
    const changes = changesOf();
    const preview = await changes.previewChange({ right: 'delete' }, person(), none);
    const target = preview.targets[0]!;
    sandboxOf().setSwitches({ [sandboxSystem]: { failWrites: { status: 503 } } });
    const failed = await changes.applyChange({ right: 'delete' }, target);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.status === 'failed' && failed.retryable, true);
    sandboxOf().clearSwitches();
    assert.equal((await changes.applyChange({ right: 'delete' }, target)).status, 'applied');
  });

  if (contract.kept) {
    const kept = contract.kept;
    it('keeps what the law or the system requires, with the reason, and deletes none of it', async () => {
      const preview = await changesOf().previewChange({ right: 'delete' }, query(kept.query), none);
      assert.deepEqual(countKinds(preview.retained), kept.retained);
      for (const record of preview.retained) {
        assert.match(record.reason, kept.reason);
        assert.ok(!preview.targets.some((t) => t.id === record.id));
      }
    });
  }

  it('rectifies only the corrected field, with the value shown before', async () => {
    const changes = changesOf();
    const request = { right: 'rectify' as const, corrections: [contract.rectify.correction] };
    const preview = await changes.previewChange(request, person(), none);
    const target = preview.targets.find((t) => t.id.endsWith(contract.rectify.targetId));
    assert.ok(target, `the target ${contract.rectify.targetId} in ${JSON.stringify(preview.targets.map((t) => t.id))}`);
    assert.deepEqual(
      target.changes.map((c) => [c.field, c.to]),
      [[contract.rectify.correction.field, contract.rectify.correction.value]],
    );
    for (const t of preview.targets) assert.deepEqual((await changes.applyChange(request, t)).status, 'applied');
    const again = await changes.previewChange(request, person(), none);
    assert.deepEqual(again.targets, [], 'the value is now the corrected one');
  });

  it('reports a record changed between preview and apply as a conflict and does not overwrite it', async () => {
    const changes = changesOf();
    const sandbox = sandboxOf();
    const request = { right: 'rectify' as const, corrections: [contract.rectify.correction] };
    const preview = await changes.previewChange(request, person(), none);
    const target = preview.targets.find((t) => t.id.endsWith(contract.rectify.targetId))!;
    const edit = await call(sandbox, contract.rectify.edit.url(sandbox), {
      method: 'PATCH',
      headers: { ...(await bearer(sandbox, contract.rectify.edit.resource(sandbox))), 'If-Match': '*' },
      body: contract.rectify.edit.body,
    });
    assert.ok(edit.status < 300, edit.text);
    const outcome = await changes.applyChange(request, target);
    assert.equal(outcome.status, 'conflict', JSON.stringify(outcome));
    const after = await changes.previewChange(request, person(), none);
    const now = after.targets.find((t) => t.id === target.id)!;
    assert.equal(now.changes[0]!.from, String(Object.values(contract.rectify.edit.body)[0]), 'the edit stands');
  });

  it('refuses a correction of a field or kind it may not change, with a clear error', async () => {
    const changes = changesOf();
    const kind = contract.rectify.correction.kind;
    await assert.rejects(
      changes.previewChange(
        { right: 'rectify', corrections: [{ kind, field: 'createdon', value: 'x' }] },
        person(),
        none,
      ),
      (error: unknown) => error instanceof ChangeRequestError && /createdon.*cannot be corrected/.test(error.message),
    );
    await assert.rejects(
      changes.previewChange(
        { right: 'rectify', corrections: [{ kind: 'no such kind', field: 'x', value: 'x' }] },
        person(),
        none,
      ),
      (error: unknown) => error instanceof ChangeRequestError && /no record kind 'no such kind'/.test(error.message),
    );
  });

  if (contract.restrict) {
    const expected = contract.restrict;
    it('restricts, records what stood before, and lifting puts exactly that back', async () => {
      const changes = changesOf();
      const request = { right: 'restrict' as const, mode: 'flag' as RestrictMode };
      const preview = await changes.previewChange(request, person(), none);
      assert.deepEqual(countKinds(preview.targets), expected);
      const befores = new Map<string, Record<string, unknown>>();
      for (const target of preview.targets) {
        const outcome = await changes.applyChange(request, target);
        assert.equal(outcome.status, 'applied', JSON.stringify(outcome));
        assert.ok(outcome.status === 'applied' && outcome.before);
        befores.set(target.id, outcome.before);
      }
      assert.deepEqual((await changes.previewChange(request, person(), none)).targets, [], 'all restricted');
      // A retry of a restriction that went through records the same state as the first time.
      for (const target of preview.targets) {
        const retried = await changes.applyChange(request, target);
        assert.deepEqual(retried, { status: 'applied', before: befores.get(target.id) });
      }
      for (const target of preview.targets) {
        const lifted = await changes.liftRestriction(target, befores.get(target.id)!);
        assert.equal(lifted.status, 'applied', JSON.stringify(lifted));
      }
      const restored = await changes.previewChange(request, person(), none);
      assert.deepEqual(shape(restored.targets), shape(preview.targets), 'as before the restriction');
    });
  }

  if (contract.isolate) {
    const expected = contract.isolate;
    it('isolates: the records leave the system once in the package, as the guide describes', async () => {
      const changes = changesOf();
      const request = { right: 'restrict' as const, mode: 'isolate' as RestrictMode };
      const preview = await changes.previewChange(request, person(), none);
      assert.deepEqual(countKinds(preview.targets), expected);
      assert.match(JSON.stringify(preview.guided), /deleted from/);
      for (const target of preview.targets)
        assert.equal((await changes.applyChange(request, target)).status, 'applied');
      assert.deepEqual((await changes.confirmDeleted(preview.targets, person())).remaining, []);
    });
  }
}

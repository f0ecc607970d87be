import { strict as assert } from 'node:assert';
import type { SearchQuery, SystemFindings } from '../../dsr/discovery.js';
import { sandboxConnectorSettings } from '../../bot/discoverySandbox.js';
import { ConnectorRegistry, type SystemConfigInput } from '../../connectors/registry.js';
import type { ApiSystemId } from '../../connectors/builtin.js';
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

export function connectorFor(
  sandbox: Sandbox,
  system: ApiSystemId,
  config: Partial<SystemConfigInput> = {},
): { find(q: SearchQuery): Promise<SystemFindings> } {
  const settings = sandboxConnectorSettings(sandbox);
  const only = { ...settings.config.systems![system]!, ...config };
  const registry = ConnectorRegistry.fromConfig(
    { systems: { [system]: only } },
    { source: 'contract', credentials: settings.credentials, caPem: settings.caPem, retry: FAST_RETRY },
  );
  const connector = registry.get(system)!;
  assert.equal(connector.connected, true);
  return { find: (q) => connector.find(q) };
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
        assert.deepEqual(findings.counts, apostrophe.counts, findings.error);
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

    if (contract.paging) {
      const paging = contract.paging;
      it(`follows @odata.nextLink across several pages (${paging.count} ${paging.kind} records)`, async function () {
        this.timeout(60_000);
        const big = await startSandbox({ bulk: paging.bulk ?? [] });
        try {
          const connector = connectorFor(big, system, paging.config);
          const findings = await connector.find(query(paging.query));
          assert.equal(findings.status, 'found', findings.error);
          assert.equal(findings.counts[paging.kind], paging.count);
          const withNextLink = big.requests(sandboxSystem).filter((r) => /skiptoken|skip/i.test(r.query));
          assert.ok(withNextLink.length >= paging.minPages - 1, `${withNextLink.length + 1} pages`);
          assert.ok(findings.records.filter((r) => r.kind === paging.kind).length <= 3, 'only a few shown');
        } finally {
          await big.close();
        }
      });
    }
  });
}

import { sandboxConnectorSettings } from '../local/sandboxSystems.js';
import { ConnectorRegistry } from '../connectors/registry.js';
import type { Connector, SearchQuery } from '../dsr/discovery.js';
import { runDiscovery } from '../dsr/runs/discoveryRun.js';
import { startSandbox, subjects, type Sandbox, type SystemId } from '../sandbox/index.js';
import { median, report, round, timed } from './measure.js';

const maria: SearchQuery = {
  names: ['Maria Garcia'],
  emails: [subjects.mariaGarcia.email],
  phones: [],
  customerNumbers: [subjects.mariaGarcia.bcCustomerNumber],
  employeeIds: [],
};

/** Latency added to every request of each system, different per system so one is clearly the slowest. */
const LATENCY: Partial<Record<SystemId, number>> = { crm: 120, bc: 80, fno: 100, hr: 60, graph: 40 };

function connected(sandbox: Sandbox, pageSize = 500): Connector[] {
  const settings = sandboxConnectorSettings(sandbox, { pageSize });
  return ConnectorRegistry.fromConfig(settings.config, {
    source: 'bench',
    credentials: settings.credentials,
    caPem: settings.caPem,
  })
    .all()
    .filter((c) => c.connected);
}

/**
 * Discovery across every connected system, each with its own injected latency: the wall time of
 * the whole search as a ratio to the slowest system searched alone (target at most 1.25).
 */
async function parallelDiscovery(rounds: number): Promise<void> {
  const sandbox = await startSandbox();
  try {
    const connectors = connected(sandbox);
    // Tokens are fetched once and cached; the figure is about searching.
    await runDiscovery(connectors, maria);
    sandbox.setSwitches(Object.fromEntries(Object.entries(LATENCY).map(([id, ms]) => [id, { latencyMs: ms }])));
    const alone: Record<string, number[]> = {};
    const together: number[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const connector of connectors) {
        (alone[connector.info.id] ??= []).push(await timed(() => connector.find(maria)));
      }
      together.push(await timed(() => runDiscovery(connectors, maria)));
    }
    const singles = Object.fromEntries(Object.entries(alone).map(([id, samples]) => [id, round(median(samples), 1)]));
    const slowest = Math.max(...Object.values(singles));
    report({
      figure: 'discovery: all systems at once vs the slowest alone',
      systems: connectors.length,
      latencyMsPerRequest: LATENCY,
      medianAloneMs: singles,
      medianAllMs: round(median(together), 1),
      ratio: round(median(together) / slowest, 3),
      target: '<= 1.25',
    });
  } finally {
    await sandbox.close();
  }
}

/** One person with 10,000 activities in Customer Engagement, paged at 500: time and peak memory. */
async function manyRecords(count: number): Promise<void> {
  const sandbox = await startSandbox({ bulk: [{ system: 'crm', entitySet: 'activitypointers', count }] });
  try {
    const crm = connected(sandbox).find((c) => c.info.id === 'crm')!;
    (globalThis as { gc?: () => void }).gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    let found = 0;
    const ms = await timed(async () => {
      const findings = await crm.find(maria);
      found = findings.counts.activity ?? 0;
    });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const pages = sandbox.requests('crm').filter((r) => r.path.endsWith('/activitypointers')).length;
    report({
      figure: 'discovery: one person with many records in one system',
      records: found,
      pageSize: 500,
      pages,
      ms: round(ms, 1),
      peakHeapGrowthMB: round((peak - heapBefore) / 1024 / 1024, 1),
      note: 'heap includes the in-process sandbox serving the same records',
    });
  } finally {
    await sandbox.close();
  }
}

export async function discovery(rounds: number, count: number): Promise<void> {
  await parallelDiscovery(rounds);
  await manyRecords(count);
}

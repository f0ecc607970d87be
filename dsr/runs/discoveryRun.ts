import type { Connector, SearchQuery, SystemFindings } from '../discovery.js';
import { tellProgress, type OnProgress } from './runProgress.js';

export interface DiscoveryProgress {
  done: number;
  total: number;
  /** Display names of the systems still being searched. */
  running: string[];
  /** The findings of the system that just answered. */
  latest: SystemFindings;
}

/**
 * Searches every system at once; each answer is reported as it comes, so a slow system never
 * holds back the others. A connector that throws is reported as failed, never lost.
 */
export async function runDiscovery(
  connectors: readonly Connector[],
  query: SearchQuery,
  options: { signal?: AbortSignal; onProgress?: OnProgress<DiscoveryProgress> } = {},
): Promise<SystemFindings[]> {
  const running = new Set(connectors.map((c) => c.info.displayName));
  let done = 0;
  return Promise.all(
    connectors.map(async (connector) => {
      const started = Date.now();
      let findings: SystemFindings;
      try {
        findings = await connector.find(query, options.signal);
      } catch {
        findings = {
          systemId: connector.info.id,
          displayName: connector.info.displayName,
          status: 'failed',
          counts: {},
          records: [],
          queries: [],
          at: new Date().toISOString(),
          durationMs: Date.now() - started,
          error: 'The search failed unexpectedly.',
        };
      }
      running.delete(connector.info.displayName);
      done++;
      // A progress card that could not be updated must not lose the findings.
      await tellProgress(options.onProgress, {
        done,
        total: connectors.length,
        running: [...running],
        latest: findings,
      });
      return findings;
    }),
  );
}

import type { Connector, SearchQuery, SystemFindings } from '../discovery.js';
import { PROGRESS_EVERY_MS, ThrottledProgress, type OnProgress } from './runProgress.js';

export interface DiscoveryProgress {
  done: number;
  total: number;
  /** Display names of the systems still being searched. */
  running: string[];
  /** The findings of the system that just answered. */
  latest: SystemFindings;
  /** The findings of every system that has answered, in the order they did: a paced report drops the ones before it. */
  answered: SystemFindings[];
}

/**
 * Searches every system at once; the answers are reported as they come, at the runs' one pace
 * (systems that answer together are one report, the latest), so a slow system never holds back the
 * others and a burst does not spend the conversation's Teams budget on card updates. A connector
 * that throws is reported as failed, never lost. The run's end is the caller's to show.
 */
export async function runDiscovery(
  connectors: readonly Connector[],
  query: SearchQuery,
  options: {
    signal?: AbortSignal;
    onProgress?: OnProgress<DiscoveryProgress>;
    /** How often at most a report is told; PROGRESS_EVERY_MS unless given (0: each answer). */
    progressEveryMs?: number;
  } = {},
): Promise<SystemFindings[]> {
  const running = new Set(connectors.map((c) => c.info.displayName));
  const answered: SystemFindings[] = [];
  const progress = new ThrottledProgress(options.onProgress, options.progressEveryMs ?? PROGRESS_EVERY_MS);
  try {
    return await searchAll(connectors, query, options.signal, (connector, findings) => {
      running.delete(connector.info.displayName);
      answered.push(findings);
      // A progress card that could not be updated must not lose the findings.
      return progress.tell({
        done: answered.length,
        total: connectors.length,
        running: [...running],
        latest: findings,
        answered: [...answered],
      });
    });
  } finally {
    progress.end();
  }
}

function searchAll(
  connectors: readonly Connector[],
  query: SearchQuery,
  signal: AbortSignal | undefined,
  onAnswer: (connector: Connector, findings: SystemFindings) => Promise<void>,
): Promise<SystemFindings[]> {
  return Promise.all(
    connectors.map(async (connector) => {
      const started = Date.now();
      let findings: SystemFindings;
      try {
        findings = await connector.find(query, signal);
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
      await onAnswer(connector, findings);
      return findings;
    }),
  );
}

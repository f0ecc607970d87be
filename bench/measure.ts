/** Small statistics for benchmarks: figures are compared as ratios within one run, never as absolute times. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The audit key a benchmark's instances on one database share, as a deployment's do. */
export const BENCH_AUDIT_KEY = 'shared-audit-key-for-benchmarks-0123456789';

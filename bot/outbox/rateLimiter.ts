export interface RateWindow {
  limit: number;
  ms: number;
}

/** Teams' documented limits per bot per conversation. */
export const TEAMS_CONVERSATION_WINDOWS: RateWindow[] = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
  { limit: 1800, ms: 3_600_000 },
];

/**
 * Sliding-window limits per conversation plus one global rate. Windows are widened by a margin
 * because the channel counts arrivals, which lag our departures by a varying amount.
 */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private globalSent: number[] = [];
  private readonly longest: number;

  constructor(
    private readonly windows: RateWindow[] = TEAMS_CONVERSATION_WINDOWS,
    private readonly globalPerSecond = 30,
    private readonly marginMs = 100,
  ) {
    this.longest = Math.max(...windows.map((w) => w.ms)) + marginMs;
  }

  /** The earliest time a message to this conversation may leave; `now` when it may leave now. */
  nextAllowed(conversationKey: string, now: number): number {
    let at = now;
    const times = this.prune(conversationKey, now);
    for (const window of this.windows) at = Math.max(at, earliest(times, window.limit, window.ms + this.marginMs, now));
    this.globalSent = this.globalSent.filter((t) => t > now - 1_000 - this.marginMs);
    return Math.max(at, earliest(this.globalSent, this.globalPerSecond, 1_000 + this.marginMs, now));
  }

  /** Takes over a conversation's history, as another process left it. */
  replace(conversationKey: string, times: number[]): void {
    this.sent.set(
      conversationKey,
      [...times].sort((a, b) => a - b),
    );
  }

  record(conversationKey: string, at: number): void {
    const times = this.sent.get(conversationKey) ?? [];
    times.push(at);
    this.sent.set(conversationKey, times);
    this.globalSent.push(at);
  }

  private prune(conversationKey: string, now: number): number[] {
    const times = this.sent.get(conversationKey);
    if (!times) return [];
    const firstKept = times.findIndex((t) => t > now - this.longest);
    if (firstKept === -1) {
      this.sent.delete(conversationKey);
      return [];
    }
    if (firstKept > 0) times.splice(0, firstKept);
    return times;
  }
}

/** With `times` ascending: when the oldest send that keeps the window full falls out of it. */
function earliest(times: number[], limit: number, ms: number, now: number): number {
  let inWindow = 0;
  for (let i = times.length - 1; i >= 0 && times[i]! > now - ms; i -= 1) inWindow += 1;
  if (inWindow < limit) return now;
  return times[times.length - limit]! + ms;
}

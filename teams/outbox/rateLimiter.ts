export interface RateWindow {
  limit: number;
  ms: number;
}

/**
 * Teams' limits per bot per conversation ("thread": a 1:1 chat, a group chat, or a channel with
 * all its threads) for sending to and creating conversations. Source: Microsoft Learn, "Optimize
 * your bot with rate limiting in Teams", per bot per thread limit
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit).
 */
export const TEAMS_CONVERSATION_WINDOWS: RateWindow[] = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
  { limit: 1800, ms: 3_600_000 },
];

/**
 * The global limit per app per tenant, from the same Learn page: 30 requests per second. (Older
 * answers on Microsoft Q&A quote 50; the page itself says 30, and the lower figure is the one that
 * cannot earn a 429.)
 */
export const TEAMS_GLOBAL_PER_SECOND = 30;

/**
 * Sliding-window limits per conversation plus one global rate. Teams counts arrivals; the sender
 * counts each send from its departure while it is under way and from Teams' answer once it has
 * one, so every arrival falls before the time it is counted at and a window never holds more
 * than Teams allows, however long requests take. Margins remain for the gap between Teams' clock
 * and ours: 250 ms on a conversation's windows (the 1-second window is the tightest), 50 ms on the
 * global second, which a burst across many conversations fills all the time (30 in 1.05 s: about
 * 28.5 a second, 95 % of the limit).
 */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();
  private globalSent: number[] = [];
  private readonly longest: number;

  constructor(
    private readonly windows: RateWindow[] = TEAMS_CONVERSATION_WINDOWS,
    private readonly globalPerSecond = TEAMS_GLOBAL_PER_SECOND,
    private readonly marginMs = 250,
    private readonly globalMarginMs = 50,
  ) {
    this.longest = Math.max(...windows.map((w) => w.ms)) + marginMs;
  }

  /** The earliest time a message to this conversation may leave; `now` when it may leave now. */
  nextAllowed(conversationKey: string, now: number): number {
    let at = Math.max(now, this.pausedUntil.get(conversationKey) ?? 0);
    const times = this.prune(conversationKey, now);
    for (const window of this.windows) at = Math.max(at, earliest(times, window.limit, window.ms + this.marginMs, now));
    this.globalSent = this.globalSent.filter((t) => t > now - 1_000 - this.globalMarginMs);
    return Math.max(at, earliest(this.globalSent, this.globalPerSecond, 1_000 + this.globalMarginMs, now));
  }

  /** Adds a conversation's history as another process left it; slots taken here meanwhile stay. */
  replace(conversationKey: string, times: number[]): void {
    const merged = new Set([...times, ...(this.sent.get(conversationKey) ?? [])]);
    this.sent.set(
      conversationKey,
      [...merged].sort((a, b) => a - b),
    );
  }

  /** Adds every conversation's recent sends, as another instance left them, to the global budget. */
  replaceGlobal(times: number[]): void {
    this.globalSent = [...new Set([...times, ...this.globalSent])].sort((a, b) => a - b);
  }

  /** Counts a send leaving at `at`; returns `at`, to hand back with `forget` if nothing left after all. */
  record(conversationKey: string, at: number): number {
    const times = this.sent.get(conversationKey) ?? [];
    times.push(at);
    this.sent.set(conversationKey, times);
    this.globalSent.push(at);
    return at;
  }

  /**
   * Moves a slot to when the send really leaves (after the outbox recorded it), so the windows
   * count departures as closely as the channel counts arrivals; returns the new time.
   */
  move(conversationKey: string, from: number, to: number): number {
    this.forget(conversationKey, from);
    const times = this.sent.get(conversationKey) ?? [];
    let i = times.length;
    while (i > 0 && times[i - 1]! > to) i -= 1;
    times.splice(i, 0, to);
    this.sent.set(conversationKey, times);
    let g = this.globalSent.length;
    while (g > 0 && this.globalSent[g - 1]! > to) g -= 1;
    this.globalSent.splice(g, 0, to);
    return to;
  }

  /** Gives back a slot taken for a send that did not happen. */
  forget(conversationKey: string, at: number): void {
    const times = this.sent.get(conversationKey);
    const index = times?.lastIndexOf(at) ?? -1;
    if (index >= 0) times!.splice(index, 1);
    const globalIndex = this.globalSent.lastIndexOf(at);
    if (globalIndex >= 0) this.globalSent.splice(globalIndex, 1);
  }

  /** Teams said to wait (429 with Retry-After): nothing more goes to this conversation until then. */
  pause(conversationKey: string, until: number): void {
    this.pausedUntil.set(conversationKey, Math.max(until, this.pausedUntil.get(conversationKey) ?? 0));
  }

  private prune(conversationKey: string, now: number): number[] {
    const paused = this.pausedUntil.get(conversationKey);
    if (paused !== undefined && paused <= now) this.pausedUntil.delete(conversationKey);
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

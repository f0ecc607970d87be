import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  backoffMs,
  type OutboxMessage,
  type OutboxRecord,
  type OutboxStore,
  type SendOutcome,
} from '../../dsr/ports/outbox.js';
import { RateLimiter } from './rateLimiter.js';
import type { ReadBackAnswer } from './readBack.js';

export interface OutboxTransport {
  /** Sends the record; `departing` is called just before the request that delivers it leaves. */
  send(record: OutboxRecord, departing?: () => void): Promise<SendOutcome>;
  /**
   * What the channel would have answered a send found in its conversation after a crash (the
   * reference of a thread it created, from the message's id), so it is remembered as if answered.
   */
  arrived?(record: OutboxRecord, messageId: string | undefined): Extract<SendOutcome, { kind: 'sent' }>;
}

export interface OutboxHooks {
  /** False cancels the message: its case closed, or the step it is about was done meanwhile. */
  stillWanted?(record: OutboxRecord): Promise<boolean>;
  /**
   * The conversation refused the bot earlier and has not talked to it since: the code of that
   * refusal, and the message is not sent (Teams says not to try again until it works).
   */
  refusedEarlier?(record: OutboxRecord): Promise<string | undefined>;
  /** The conversation's latest known service address, which may have moved since the message was queued. */
  serviceUrl?(record: OutboxRecord): Promise<string | undefined>;
  /** The send created or confirmed a conversation worth remembering. */
  delivered?(record: OutboxRecord, outcome: Extract<SendOutcome, { kind: 'sent' }>): Promise<void>;
  /**
   * A send of this message was cut short (the process died with it in flight): whether it is in
   * its conversation. 'arrived' settles it as sent without sending again.
   */
  readBack?(record: OutboxRecord, since: Date): Promise<ReadBackAnswer>;
  /** The conversation refused the bot or is gone; its reference must be forgotten and someone told. */
  dropped?(record: OutboxRecord, code: string): Promise<void>;
}

export interface OutboxSenderOptions {
  /** Rate limits and retries run on real time, even when a demo fast-forwards the case clock. */
  now?: () => number;
  limiter?: RateLimiter;
  /** Attempts before a message is given up (and kept, to be queued again when its conversation moves). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
  leaseMs?: number;
  idlePollMs?: number;
  /** Sends in flight at once, each to a different conversation. */
  concurrency?: number;
  hooks?: OutboxHooks;
}

/** The retry limits the README states. */
export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_BACKOFF_BASE_MS = 1_000;
export const DEFAULT_BACKOFF_CAP_MS = 5 * 60_000;
/**
 * Sends in flight at once. With Teams answering in about 100 ms, four keep 30 a second going;
 * more would only widen what a crash can repeat (each send in flight may be sent twice).
 */
export const DEFAULT_CONCURRENCY = 4;

/** The lease, among conversations' leases, that names the one instance sending for all. */
export const SENDING_LEASE = 'outbox:sending';

/**
 * The one way proactive messages leave the bot. It takes recorded messages in order, keeps each
 * conversation within Teams' limits, retries what the channel says to retry, and settles every
 * message as sent, cancelled, dropped or failed. Stopping mid-send loses nothing: an unsettled
 * message is picked up again once its lease runs out.
 */
export class OutboxSender {
  readonly owner = randomUUID();
  private readonly now: () => number;
  private readonly limiter: RateLimiter;
  private readonly hooks: OutboxHooks;
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  /** Conversations this sender holds, and until when. */
  private readonly held = new Map<string, number>();
  /** Until when this instance holds the right to send (see `holdSending`). */
  private sendingUntil: number | undefined;
  private enqueuedSinceFetch = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly transport: OutboxTransport,
    private readonly log: Logger,
    private readonly options: OutboxSenderOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.limiter = options.limiter ?? new RateLimiter();
    this.hooks = options.hooks ?? {};
  }

  async enqueue(message: OutboxMessage): Promise<boolean> {
    const added = await this.store.enqueue(message, new Date(this.now()));
    this.enqueuedSinceFetch = true;
    this.wake();
    return added;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.wake();
    await this.loop;
    for (const key of this.held.keys()) await this.store.releaseConversation(key, this.owner);
    this.held.clear();
    if (this.sendingUntil !== undefined) await this.store.releaseConversation(SENDING_LEASE, this.owner);
    this.sendingUntil = undefined;
  }

  /**
   * Holds the right to send for every instance sharing the store. Teams' 30 requests a second are
   * per app and tenant, not per instance, so one instance sends at a time and keeps that one budget
   * exactly; the others queue into the same store and take over once its lease runs out. Taking
   * over, an instance first counts what was sent in the last hour, by whichever instance.
   */
  private async holdSending(now: number): Promise<boolean> {
    const leaseMs = this.options.leaseMs ?? 30_000;
    if (this.sendingUntil !== undefined && this.sendingUntil - now > leaseMs / 2) return true;
    if (!(await this.store.leaseConversation(SENDING_LEASE, this.owner, new Date(now), new Date(now + leaseMs)))) {
      this.sendingUntil = undefined;
      return false;
    }
    if (this.sendingUntil === undefined) {
      const history = await this.store.attemptsSince(new Date(now - 3_600_000));
      const byConversation = new Map<string, number[]>();
      for (const { conversationKey, at } of history) {
        byConversation.set(conversationKey, [...(byConversation.get(conversationKey) ?? []), at]);
      }
      for (const [key, times] of byConversation) this.limiter.replace(key, times);
      this.limiter.replaceGlobal(history.map((a) => a.at));
    }
    this.sendingUntil = now + leaseMs;
    return true;
  }

  /** Holds the conversation, taking over its recent history from whoever held it before. */
  private async holdConversation(key: string, now: number): Promise<boolean> {
    const leaseMs = this.options.leaseMs ?? 30_000;
    const until = this.held.get(key);
    if (until !== undefined && until - now > leaseMs / 2) return true;
    if (!(await this.store.leaseConversation(key, this.owner, new Date(now), new Date(now + leaseMs)))) {
      this.held.delete(key);
      return false;
    }
    if (until === undefined) {
      const history = await this.recentAttempts(now);
      this.limiter.replace(
        key,
        history.filter((a) => a.conversationKey === key).map((a) => a.at),
      );
    }
    this.held.set(key, now + leaseMs);
    return true;
  }

  private recent: { at: number; attempts: Promise<Array<{ conversationKey: string; at: number }>> } | undefined;

  /**
   * Every instance's attempts of the last hour, read at most once a second: a burst that takes
   * fifty conversations at once reads the history once, not fifty times.
   */
  private recentAttempts(now: number): Promise<Array<{ conversationKey: string; at: number }>> {
    if (!this.recent || now - this.recent.at > 1_000) {
      const attempts = this.store.attemptsSince(new Date(now - 3_600_000));
      attempts.catch(() => (this.recent = undefined));
      this.recent = { at: now, attempts };
    }
    return this.recent.attempts;
  }

  /** Resolves once nothing is due; what waits for a retry time is not waited for. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let wait: number;
      try {
        wait = await this.pass();
      } catch (error) {
        this.log.error({ err: error }, 'outbox pass failed');
        wait = 1_000;
      }
      if (!this.running) break;
      await this.sleep(wait);
    }
  }

  /**
   * Sends what is due and returns how long to wait before looking again. Sends to different
   * conversations overlap (up to `concurrency`), so the global rate can be used fully; within one
   * conversation they go one after the other, in order.
   */
  async pass(): Promise<number> {
    if (!(await this.holdSending(this.now()))) {
      // Another instance sends; what is queued here is in the store it reads.
      this.settleIdleWaiters();
      return Math.min(this.options.leaseMs ?? 30_000, 1_000);
    }
    let batch = await this.store.due(new Date(this.now()), 1000);
    this.enqueuedSinceFetch = false;
    if (batch.length === 0) {
      this.settleIdleWaiters();
      return this.options.idlePollMs ?? 1_000;
    }
    let fetchedAt = this.now();
    const concurrency = this.options.concurrency ?? DEFAULT_CONCURRENCY;
    const inFlight = new Map<string, Promise<void>>();
    const seen = new Set(batch.map((r) => r.id));
    let refetch: Promise<void> | undefined;
    let leftToOthers = false;
    while (batch.length > 0 && !this.stopping) {
      const now = this.now();
      if (!(await this.holdSending(now))) break;
      // What was queued or came due since the batch was read joins it, read beside the sends
      // rather than between them, so reading the store never holds the rate back.
      if (!refetch && (this.enqueuedSinceFetch || now - fetchedAt > 2_000)) {
        this.enqueuedSinceFetch = false;
        fetchedAt = now;
        refetch = this.store
          .due(new Date(now), 1000)
          .then((fresh) => {
            const added = fresh.filter((r) => !seen.has(r.id));
            for (const r of added) seen.add(r.id);
            if (added.length > 0) batch = [...batch, ...added];
          })
          .catch((error: unknown) => this.log.warn({ err: error }, 'outbox could not read what is due'))
          .finally(() => (refetch = undefined));
      }
      let pick = -1;
      let soonest = Number.POSITIVE_INFINITY;
      if (inFlight.size < concurrency) {
        for (let i = 0; i < batch.length; i += 1) {
          const key = batch[i]!.conversationKey;
          if (inFlight.has(key)) continue;
          const allowed = this.limiter.nextAllowed(key, now);
          if (allowed <= now) {
            pick = i;
            break;
          }
          soonest = Math.min(soonest, allowed);
        }
      }
      if (pick === -1) {
        const finished = inFlight.size > 0 ? Promise.race(inFlight.values()) : undefined;
        const waitMs = Number.isFinite(soonest) ? soonest - now : 50;
        await (finished ? Promise.race([finished, this.sleep(waitMs)]) : this.sleep(waitMs));
        continue;
      }
      const [record] = batch.splice(pick, 1);
      const key = record!.conversationKey;
      // The slot is taken now, before anything asynchronous, so the next pick already counts it.
      const slot = this.limiter.record(key, now);
      const run = this.attemptHeld(record!, slot)
        .then((outcome) => {
          if (outcome === 'held elsewhere') leftToOthers = true;
          // Retried later, it may come due again within this pass.
          seen.delete(record!.id);
        })
        .catch((error: unknown) => this.log.error({ caseId: record!.caseId, err: error }, 'outbox send failed'))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, run);
    }
    await Promise.all(inFlight.values());
    await refetch;
    // What another process holds is its to send; look again later rather than spin.
    return leftToOthers ? 500 : 0;
  }

  private settleIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Attempts a record once this sender holds its conversation; the slot is handed back if nothing was sent. */
  private async attemptHeld(record: OutboxRecord, slot: number): Promise<'sent' | 'not sent' | 'held elsewhere'> {
    // Another process sending to this conversation keeps its limits; leave the message to it.
    if (!(await this.holdConversation(record.conversationKey, this.now()))) {
      this.limiter.forget(record.conversationKey, slot);
      return 'held elsewhere';
    }
    let taken = slot;
    const key = record.conversationKey;
    const sent = await this.attempt(
      record,
      () => (taken = this.limiter.move(key, taken, this.now())),
      // Teams received the request at some moment between its departure and its answer; counted
      // at the answer, the windows hold however long the request was under way, so a slow or
      // stalled process cannot bunch arrivals into a 429.
      () => (taken = this.limiter.move(key, taken, this.now())),
    );
    if (!sent) this.limiter.forget(key, taken);
    return sent ? 'sent' : 'not sent';
  }

  /** One attempt; false when nothing went out (taken by another sender, cancelled, refused earlier). */
  private async attempt(
    record: OutboxRecord,
    departing: () => void = () => undefined,
    answered: () => void = () => undefined,
  ): Promise<boolean> {
    const now = this.now();
    const leaseMs = this.options.leaseMs ?? 30_000;
    if (!(await this.store.claim(record.id, this.owner, new Date(now), new Date(now + leaseMs)))) return false;
    let current = (await this.store.get(record.id)) ?? record;
    if (Date.parse(current.notBefore) > now) {
      // Read as due before an attempt moved it to later: its time has not come; the lease goes back.
      await this.store.settle(record.id, this.owner, {});
      return false;
    }
    if (this.hooks.stillWanted && !(await this.hooks.stillWanted(current))) {
      await this.store.settle(record.id, this.owner, { status: 'cancelled', finishedAt: new Date(now).toISOString() });
      this.log.info({ caseId: record.caseId, message: record.id }, 'outbox message no longer wanted; cancelled');
      return false;
    }
    const refusedCode = await this.hooks.refusedEarlier?.(current);
    if (refusedCode) {
      await this.store.settle(record.id, this.owner, {
        status: 'dropped',
        finishedAt: new Date(now).toISOString(),
        lastError: refusedCode,
      });
      this.log.info({ caseId: record.caseId, code: refusedCode }, 'conversation refused the bot earlier; not sent');
      return false;
    }
    const serviceUrl = await this.hooks.serviceUrl?.(current);
    if (serviceUrl) current = withServiceUrl(current, serviceUrl);
    // Recorded before anything leaves: if the process dies from here until the answer is recorded,
    // the next sender knows this message may already have reached Teams.
    let resent = false;
    if (current.sendingSince !== undefined) {
      const found = await this.readBack(current, new Date(current.sendingSince));
      if (found.found === 'arrived') {
        await this.store.settle(record.id, this.owner, {
          status: 'sent',
          attempts: current.attempts + 1,
          finishedAt: new Date(this.now()).toISOString(),
          foundAfterCrash: true,
        });
        this.log.info({ caseId: record.caseId, message: record.id }, 'a send cut short had arrived; not sent again');
        const outcome = this.transport.arrived?.(current, found.messageId) ?? { kind: 'sent' as const };
        await this.hooks.delivered?.(current, outcome);
        return false;
      }
      resent = found.found === 'unknown';
      if (resent) {
        this.log.warn(
          { caseId: record.caseId, message: record.id },
          'a send of this message was cut short and its conversation cannot be read back; sent again, possibly twice',
        );
      }
    }
    await this.store.beginAttempt(record.id, this.owner, {
      sendingSince: new Date(now).toISOString(),
      ...(resent ? { resentAfterCrash: (current.resentAfterCrash ?? 0) + 1 } : {}),
    });
    await this.store.noteAttempt(record.conversationKey, new Date(now));
    let outcome: SendOutcome;
    try {
      outcome = await this.transport.send(current, departing);
    } catch (error) {
      this.log.warn({ caseId: record.caseId, err: error }, 'outbox send failed without an answer');
      outcome = { kind: 'retry', status: 0 };
    }
    answered();
    await this.noteAnswer(current, now);
    await this.settleOutcome(current, outcome);
    return true;
  }

  /** Moves the attempt's note to its answer; a note that cannot move leaves the limits a little looser, never a message lost. */
  private async noteAnswer(record: OutboxRecord, sentAt: number): Promise<void> {
    try {
      await this.store.noteAnswer(record.conversationKey, new Date(sentAt), new Date(this.now()));
    } catch (error) {
      this.log.warn({ caseId: record.caseId, err: error }, 'outbox could not note when Teams answered');
    }
  }

  /** Reads the conversation back where a hook can; any failure there is 'unknown', never a lost message. */
  private async readBack(record: OutboxRecord, since: Date): Promise<ReadBackAnswer> {
    if (!this.hooks.readBack) return { found: 'unknown' };
    try {
      return await this.hooks.readBack(record, since);
    } catch (error) {
      this.log.warn({ caseId: record.caseId, err: error }, 'outbox could not read the conversation back');
      return { found: 'unknown' };
    }
  }

  private async settleOutcome(current: OutboxRecord, outcome: SendOutcome): Promise<void> {
    const attempts = current.attempts + 1;
    const finishedAt = new Date(this.now()).toISOString();
    const id = current.id;
    switch (outcome.kind) {
      case 'sent':
        // The outcome first: the shorter the time between Teams' answer and this write, the
        // smaller the chance that a crash sends the message twice.
        await this.store.settle(id, this.owner, { status: 'sent', attempts, finishedAt });
        await this.hooks.delivered?.(current, outcome);
        return;
      case 'retry': {
        const lastError = `HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`;
        if (attempts >= (this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
          await this.store.settle(id, this.owner, { status: 'failed', attempts, finishedAt, lastError, givenUp: true });
          this.log.error({ caseId: current.caseId, status: outcome.status }, 'outbox gave up after retries');
          return;
        }
        const delay = Math.max(
          outcome.retryAfterMs ?? 0,
          backoffMs(
            attempts,
            this.options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
            this.options.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS,
            this.options.random,
          ),
        );
        if (outcome.status === 429) this.limiter.pause(current.conversationKey, this.now() + delay);
        await this.store.settle(id, this.owner, {
          attempts,
          notBefore: new Date(this.now() + delay).toISOString(),
          lastError,
        });
        return;
      }
      case 'drop':
        await this.store.settle(id, this.owner, { status: 'dropped', attempts, finishedAt, lastError: outcome.code });
        this.log.warn(
          { caseId: current.caseId, code: outcome.code },
          'conversation refused the bot; reference dropped',
        );
        await this.hooks.dropped?.(current, outcome.code);
        return;
      case 'fail':
        await this.store.settle(id, this.owner, {
          status: 'failed',
          attempts,
          finishedAt,
          lastError: `HTTP ${outcome.status} ${outcome.code}`,
        });
        this.log.error({ caseId: current.caseId, status: outcome.status, code: outcome.code }, 'outbox send failed');
    }
  }

  /** Queues again what was given up for this conversation (every conversation without a key). */
  async requeueGivenUp(conversationKey?: string): Promise<number> {
    const count = await this.store.requeueGivenUp(conversationKey, new Date(this.now()));
    if (count > 0) {
      this.log.info({ count }, 'given-up messages queued again');
      this.wake();
    }
    return count;
  }
}

/** The record as it is sent now: to the conversation's latest service address. */
function withServiceUrl(record: OutboxRecord, serviceUrl: string): OutboxRecord {
  const destination = record.destination;
  if (destination.kind === 'conversation') {
    return { ...record, destination: { ...destination, reference: { ...destination.reference, serviceUrl } } };
  }
  return { ...record, destination: { ...destination, serviceUrl } };
}

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  backoffMs,
  type OutboxMessage,
  type OutboxRecord,
  type OutboxStore,
  type SendOutcome,
} from '../../dsr/outbox.js';
import { RateLimiter } from './rateLimiter.js';

export interface OutboxTransport {
  send(record: OutboxRecord): Promise<SendOutcome>;
}

export interface OutboxHooks {
  /** False cancels the message: its case closed, or the step it is about was done meanwhile. */
  stillWanted?(record: OutboxRecord): Promise<boolean>;
  /** The send created or confirmed a conversation worth remembering. */
  delivered?(record: OutboxRecord, outcome: Extract<SendOutcome, { kind: 'sent' }>): Promise<void>;
  /** The conversation refused the bot or is gone; its reference must be forgotten and someone told. */
  dropped?(record: OutboxRecord, code: string): Promise<void>;
}

export interface OutboxSenderOptions {
  /** Rate limits and retries run on real time, even when a demo fast-forwards the case clock. */
  now?: () => number;
  limiter?: RateLimiter;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
  leaseMs?: number;
  idlePollMs?: number;
  hooks?: OutboxHooks;
}

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
    this.wake();
    return added;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    // Without the history (the store is unreachable just now) each conversation's own history is
    // still read when the sender first takes it; the loop itself must start regardless.
    this.loop = this.resume()
      .catch((error: unknown) => this.log.warn({ err: error }, 'outbox could not read recent attempts'))
      .then(() => this.run());
  }

  /** What an earlier run sent still counts against the limits after a restart. */
  private async resume(): Promise<void> {
    const now = this.now();
    for (const { conversationKey, at } of await this.store.attemptsSince(new Date(now - 3_600_000))) {
      this.limiter.record(conversationKey, at);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.wake();
    await this.loop;
    for (const key of this.held.keys()) await this.store.releaseConversation(key, this.owner);
    this.held.clear();
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
      const history = await this.store.attemptsSince(new Date(now - 3_600_000));
      this.limiter.replace(
        key,
        history.filter((a) => a.conversationKey === key).map((a) => a.at),
      );
    }
    this.held.set(key, now + leaseMs);
    return true;
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

  /** Sends what is due and returns how long to wait before looking again. */
  async pass(): Promise<number> {
    const batch = await this.store.due(new Date(this.now()), 1000);
    if (batch.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return this.options.idlePollMs ?? 1_000;
    }
    const fetchedAt = this.now();
    let leftToOthers = false;
    while (batch.length > 0 && !this.stopping) {
      const now = this.now();
      let pick = -1;
      let soonest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < batch.length; i += 1) {
        const allowed = this.limiter.nextAllowed(batch[i]!.conversationKey, now);
        if (allowed <= now) {
          pick = i;
          break;
        }
        soonest = Math.min(soonest, allowed);
      }
      if (pick === -1) {
        // Something newly enqueued or a retry coming due may be for a conversation with room.
        if (now - fetchedAt > 2_000) return 0;
        await this.sleep(soonest - now);
        continue;
      }
      const [record] = batch.splice(pick, 1);
      // Another process sending to this conversation keeps its limits; leave the message to it.
      if (!(await this.holdConversation(record!.conversationKey, this.now()))) {
        leftToOthers = true;
        continue;
      }
      if (this.limiter.nextAllowed(record!.conversationKey, this.now()) > this.now()) {
        batch.unshift(record!);
        continue;
      }
      await this.attempt(record!);
    }
    // What another process holds is its to send; look again later rather than spin.
    return leftToOthers ? 500 : 0;
  }

  private async attempt(record: OutboxRecord): Promise<void> {
    const now = this.now();
    const leaseMs = this.options.leaseMs ?? 30_000;
    if (!(await this.store.claim(record.id, this.owner, new Date(now), new Date(now + leaseMs)))) return;
    const current = (await this.store.get(record.id)) ?? record;
    if (this.hooks.stillWanted && !(await this.hooks.stillWanted(current))) {
      await this.store.settle(record.id, this.owner, { status: 'cancelled', finishedAt: new Date(now).toISOString() });
      this.log.info({ caseId: record.caseId, message: record.id }, 'outbox message no longer wanted; cancelled');
      return;
    }
    this.limiter.record(record.conversationKey, now);
    await this.store.noteAttempt(record.conversationKey, new Date(now));
    let outcome: SendOutcome;
    try {
      outcome = await this.transport.send(current);
    } catch (error) {
      this.log.warn({ caseId: record.caseId, err: error }, 'outbox send failed without an answer');
      outcome = { kind: 'retry', status: 0 };
    }
    const attempts = current.attempts + 1;
    const finishedAt = new Date(this.now()).toISOString();
    switch (outcome.kind) {
      case 'sent':
        await this.hooks.delivered?.(current, outcome);
        await this.store.settle(record.id, this.owner, { status: 'sent', attempts, finishedAt });
        return;
      case 'retry': {
        if (attempts >= (this.options.maxAttempts ?? 8)) {
          await this.store.settle(record.id, this.owner, {
            status: 'failed',
            attempts,
            finishedAt,
            lastError: `HTTP ${outcome.status}`,
          });
          this.log.error({ caseId: record.caseId, status: outcome.status }, 'outbox gave up after retries');
          return;
        }
        const delay = Math.max(
          outcome.retryAfterMs ?? 0,
          backoffMs(
            attempts,
            this.options.backoffBaseMs ?? 1_000,
            this.options.backoffCapMs ?? 60_000,
            this.options.random,
          ),
        );
        await this.store.settle(record.id, this.owner, {
          attempts,
          notBefore: new Date(this.now() + delay).toISOString(),
          lastError: `HTTP ${outcome.status}`,
        });
        return;
      }
      case 'drop':
        await this.store.settle(record.id, this.owner, {
          status: 'dropped',
          attempts,
          finishedAt,
          lastError: outcome.code,
        });
        this.log.warn({ caseId: record.caseId, code: outcome.code }, 'conversation refused the bot; reference dropped');
        await this.hooks.dropped?.(current, outcome.code);
        return;
      case 'fail':
        await this.store.settle(record.id, this.owner, {
          status: 'failed',
          attempts,
          finishedAt,
          lastError: `HTTP ${outcome.status} ${outcome.code}`,
        });
        this.log.error({ caseId: record.caseId, status: outcome.status, code: outcome.code }, 'outbox send failed');
    }
  }
}

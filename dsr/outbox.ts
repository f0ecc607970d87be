/**
 * The outbox: every message the bot sends on its own is recorded here before it is sent, so a
 * restart resumes what was waiting and a retried decision never sends the same message twice.
 * Records are plain JSON so a PostgreSQL table can hold them as well as the embedded store.
 */

/** Where a message goes. References are kept as JSON; the bot layer knows their shape. */
export type OutboxDestination =
  /** An existing conversation: a 1:1 chat, or a reply in a channel thread. */
  | { kind: 'conversation'; reference: Record<string, unknown>; referenceKey?: string }
  /** A new thread in a team channel. */
  | { kind: 'channelThread'; serviceUrl: string; channelId: string; tenantId?: string; bot?: Record<string, unknown> }
  /** A user's 1:1 chat, created when the bot has not talked to them yet. */
  | { kind: 'user'; userId: string; serviceUrl: string; tenantId?: string; bot?: Record<string, unknown> };

export type OutboxStatus = 'pending' | 'sent' | 'cancelled' | 'dropped' | 'failed';

export interface OutboxMessage {
  /** The durable key: enqueueing the same id again is a no-op, however often it is retried. */
  id: string;
  /** Teams limits the rate per conversation; messages sharing this key share the limits. */
  conversationKey: string;
  destination: OutboxDestination;
  activity: Record<string, unknown>;
  caseId?: string;
  /** Checked just before sending; a reminder whose case closed meanwhile is cancelled. */
  guard?: OutboxGuard;
  /** Where to keep the reference of a conversation the send creates (a new thread). */
  rememberAs?: string;
  notBefore?: string;
}

export type OutboxGuard =
  | { kind: 'caseOpen' }
  | { kind: 'caseStatus'; statuses: string[] }
  /** A deadline reminder is void once the due date moved (an extension). */
  | { kind: 'caseDue'; dueAt: string };

export interface OutboxRecord extends OutboxMessage {
  status: OutboxStatus;
  attempts: number;
  enqueuedAt: string;
  notBefore: string;
  finishedAt?: string;
  lastError?: string;
}

/** A message as every store records it when it is queued: waiting, never tried. */
export function pendingRecord(message: OutboxMessage, now: Date): OutboxRecord {
  return {
    ...message,
    status: 'pending',
    attempts: 0,
    enqueuedAt: now.toISOString(),
    notBefore: message.notBefore ?? now.toISOString(),
  };
}

export interface OutboxStore {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Records the message; false when its id was already recorded (sent or not). */
  enqueue(message: OutboxMessage, now: Date): Promise<boolean>;
  /** Unfinished records whose time has come, oldest first. */
  due(now: Date, limit: number): Promise<OutboxRecord[]>;
  get(id: string): Promise<OutboxRecord | undefined>;
  /**
   * Takes the right to attempt a record until `leaseUntil`; only one owner holds it at a time,
   * across processes sharing the store. An expired lease may be taken over.
   */
  claim(id: string, owner: string, now: Date, leaseUntil: Date): Promise<boolean>;
  /**
   * Takes a conversation for one sender until `leaseUntil` (renewable by its holder), so the rate
   * limits of a conversation are kept by one process even when several share the store.
   */
  leaseConversation(conversationKey: string, owner: string, now: Date, leaseUntil: Date): Promise<boolean>;
  releaseConversation(conversationKey: string, owner: string): Promise<void>;
  /** Every request counts against Teams' limits, so attempts are remembered across a restart. */
  noteAttempt(conversationKey: string, at: Date): Promise<void>;
  attemptsSince(since: Date): Promise<Array<{ conversationKey: string; at: number }>>;
  /**
   * Empties what every record `match` picks would send (its activity), cancelling those still
   * waiting, and says how many; for deleting a person's data. The record itself stays, so its id
   * is never sent again.
   */
  redact(match: (record: OutboxRecord) => boolean): Promise<number>;
  /** Records an attempt's outcome and gives up the lease. */
  settle(
    id: string,
    owner: string,
    change: Partial<Pick<OutboxRecord, 'status' | 'attempts' | 'notBefore' | 'finishedAt' | 'lastError'>>,
  ): Promise<void>;
}

/** How the channel answered a send, as the outbox acts on it. */
export type SendOutcome =
  | { kind: 'sent'; conversationReference?: Record<string, unknown> }
  | { kind: 'retry'; status: number; retryAfterMs?: number }
  /** The conversation is gone or refuses the bot: the reference must be forgotten. */
  | { kind: 'drop'; status: number; code: string }
  | { kind: 'fail'; status: number; code: string };

const RETRYABLE = new Set([429, 412, 502, 503, 504]);
const DROP_CODES = new Set(['BotNotInConversationRoster', 'ConversationBlockedByUser', 'ConversationNotFound']);

/** Sorts a channel's error answer into what the outbox does next; only the documented cases are retried. */
export function classifySendError(status: number, code: string | undefined, retryAfter?: string | null): SendOutcome {
  if (RETRYABLE.has(status)) {
    return { kind: 'retry', status, ...parseRetryAfter(retryAfter) };
  }
  if ((status === 403 || status === 404) && code !== undefined && DROP_CODES.has(code)) {
    return { kind: 'drop', status, code };
  }
  if (status === 404) return { kind: 'drop', status, code: code ?? 'ConversationNotFound' };
  return { kind: 'fail', status, code: code ?? 'unknown' };
}

function parseRetryAfter(value: string | null | undefined): { retryAfterMs?: number } {
  if (!value) return {};
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return { retryAfterMs: seconds * 1000 };
  const at = Date.parse(value);
  return Number.isNaN(at) ? {} : { retryAfterMs: Math.max(0, at - Date.now()) };
}

/** Exponential backoff with full jitter, capped; `random` is injectable so tests can pin it. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

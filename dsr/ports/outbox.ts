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
  | {
      kind: 'channelThread';
      serviceUrl: string;
      channelId: string;
      tenantId?: string;
      bot?: Record<string, unknown>;
      /** The team's Entra group id, where known: the outbox can then read the channel back after a crash. */
      teamId?: string;
    }
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
  /** The recipient's name, for the digest to say who could not be reached; never logged. */
  recipientName?: string;
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
  /**
   * Written before each send and cleared when its answer is recorded: still set on a record nobody
   * holds, it says a send was cut short and may have reached Teams.
   */
  sendingSince?: string;
  /**
   * How many times a send cut short by a crash was sent again without knowing whether it had
   * arrived (each may be a duplicate). A send found absent when the conversation was read back is
   * not counted: sending it again repeats nothing.
   */
  resentAfterCrash?: number;
  /** A send cut short by a crash was found in its conversation, and settled as sent without sending again. */
  foundAfterCrash?: boolean;
  /** Failed only because the retries ran out: worth queueing again once the conversation's address changes. */
  givenUp?: boolean;
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
  /**
   * Moves an attempt noted at `sentAt` to the time its answer came. Teams counted it at some moment
   * in between, so another instance taking over counts it from the later time and never bunches
   * its own sends against it; an attempt whose sender died before the answer keeps its first time.
   */
  noteAnswer(conversationKey: string, sentAt: Date, answeredAt: Date): Promise<void>;
  attemptsSince(since: Date): Promise<Array<{ conversationKey: string; at: number }>>;
  /**
   * Empties what every record `match` picks would send (its activity), cancelling those still
   * waiting, and says how many; for deleting a person's data. The record itself stays, so its id
   * is never sent again.
   */
  redact(match: (record: OutboxRecord) => boolean): Promise<number>;
  /** Records, under the lease, that a send starts now (`sendingSince`), before anything leaves. */
  beginAttempt(
    id: string,
    owner: string,
    change: Pick<OutboxRecord, 'sendingSince' | 'resentAfterCrash'>,
  ): Promise<void>;
  /** Records an attempt's outcome (clearing `sendingSince`) and gives up the lease. */
  settle(id: string, owner: string, change: OutboxSettlement): Promise<void>;
  /**
   * Queues again what was given up after its retries ran out, for one conversation (or for every
   * one when no key is given); returns how many. A refusal or a malformed message stays as it is.
   */
  requeueGivenUp(conversationKey: string | undefined, now: Date): Promise<number>;
}

export type OutboxSettlement = Partial<
  Pick<OutboxRecord, 'status' | 'attempts' | 'notBefore' | 'finishedAt' | 'lastError' | 'givenUp' | 'foundAfterCrash'>
>;

/** How the channel answered a send, as the outbox acts on it. A message is sent only on a 2xx. */
export type SendOutcome =
  | { kind: 'sent'; conversationReference?: Record<string, unknown> }
  /** Worth trying again later: throttled, a conflict, a server fault, no answer at all. */
  | { kind: 'retry'; status: number; code?: string; retryAfterMs?: number }
  /** Refused for good: the conversation is gone or refuses the bot; not tried again until it works. */
  | { kind: 'drop'; status: number; code: string }
  /** The request itself was wrong (too big, malformed): sending it again cannot help. */
  | { kind: 'fail'; status: number; code: string };

/**
 * The refusals Teams documents for proactive sends, in the words the digest uses. Source:
 * Microsoft Learn, "Status codes from bot conversational APIs"
 * (https://learn.microsoft.com/microsoftteams/platform/bots/build-conversational-capability#status-codes-from-bot-conversational-apis).
 * Each says "No" to retrying: wait until the conversation talks to the bot again.
 */
export const REFUSAL_CODES = [
  'BotDisabledByAdmin',
  'BotNotInConversationRoster',
  'ConversationBlockedByUser',
  'ForbiddenOperationException',
  'NotEnoughPermissions',
  'ConversationNotFound',
  'InvalidBotApiHost',
] as const;

/** The longest `Retry-After` honoured; a longer one is taken as this long (and said so in the log). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Sorts a channel's answer into what the outbox does next. Retried: 429 (with its Retry-After),
 * 412 and 502, 503, 504, which the same Learn page and "Optimize your bot with rate limiting in
 * Teams" (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit) say to retry
 * with backoff. A 500 is retried too, within the same limit: Learn lists it as not retryable, but a
 * reminder that carries a legal deadline is worth a few tries against a passing fault, and the
 * bounded backoff keeps that from becoming load. Every 403 and 404 is a refusal for good, with
 * its code; any other answer is a request Teams will never take.
 */
export function classifySendError(
  status: number,
  code: string | undefined,
  retryAfter?: string | null,
  now: number = Date.now(),
): SendOutcome {
  if (status === 0 || status === 408 || status === 412 || status === 429 || status >= 500) {
    return { kind: 'retry', status, ...(code ? { code } : {}), ...parseRetryAfter(retryAfter, now) };
  }
  if (status === 403 || status === 404) {
    return { kind: 'drop', status, code: code ?? (status === 404 ? 'ConversationNotFound' : 'Forbidden') };
  }
  return { kind: 'fail', status, code: code ?? 'unknown' };
}

/**
 * Reads `Retry-After` as seconds or an HTTP date (RFC 9110, 10.2.3). A time in the past means now;
 * anything beyond an hour is capped at an hour, so one odd answer cannot park a reminder for days.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): { retryAfterMs?: number } {
  if (!value) return {};
  const trimmed = value.trim();
  let ms: number | undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (!Number.isNaN(at)) ms = at - now;
  }
  if (ms === undefined || !Number.isFinite(ms)) return {};
  return { retryAfterMs: Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms))) };
}

/** Exponential backoff with full jitter, capped; `random` is injectable so tests can pin it. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

import type { Logger } from 'pino';
import { isOpen } from '../../dsr/case.js';
import type { OutboxRecord, OutboxStore } from '../../dsr/ports/outbox.js';
import { StateConflictError, type CaseStore } from '../../dsr/ports/store.js';
import { OutboxSender, type OutboxHooks, type OutboxSenderOptions } from './outboxSender.js';
import { RateLimiter } from './rateLimiter.js';
import type { ConversationReadBack } from './readBack.js';
import { TeamsTransport, type ConnectorSource } from './teamsTransport.js';

export { OutboxSender } from './outboxSender.js';

export const unreachableKey = (userId: string) => `dsr/unreachable/${userId}`;
export const UNREACHABLE_INDEX = 'dsr/unreachable';

/**
 * A conversation that refused the bot: a person's 1:1 chat (keyed by their Entra id) or a channel
 * (keyed `channel:<id>`), with Teams' code. Nothing more is sent there until it talks to the bot
 * again; the next digest says so once.
 */
export interface UnreachableUser {
  userId: string;
  code: string;
  at: string;
  /** The person's name as the directory gave it when the message was queued. */
  name?: string;
  /** When a digest reported it; it is reported once. */
  reportedAt?: string;
}

/** The key a channel's refusal is kept under, beside people's. */
export const channelRefusalKey = (channelId: string) => `channel:${channelId}`;

/** Whom a message was for: one person, or the channel it was posted in. */
function recipientOf(record: OutboxRecord): string | undefined {
  if (record.destination.kind === 'user') return record.destination.userId;
  if (record.destination.kind === 'channelThread') return channelRefusalKey(record.destination.channelId);
  const key = record.destination.referenceKey;
  if (key?.startsWith('dsr/user/')) return key.slice('dsr/user/'.length);
  return record.conversationKey.startsWith('channel:') ? record.conversationKey : undefined;
}

/**
 * Changes the index of unreachable people at the eTag it was read at, so two instances recording
 * different people at once both keep theirs; a key not there yet is created only if still absent.
 */
async function changeUnreachable(
  store: CaseStore,
  change: (index: Record<string, UnreachableUser>) => boolean,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const entry = (await store.state.read([UNREACHABLE_INDEX]))[UNREACHABLE_INDEX];
    const index = { ...(entry?.value as Record<string, UnreachableUser> | undefined) };
    if (!change(index)) return;
    try {
      await store.state.write({ [UNREACHABLE_INDEX]: { value: index, eTag: entry?.eTag ?? 'absent' } });
      return;
    } catch (error) {
      if (!(error instanceof StateConflictError) || attempt >= 10) throw error;
      // Instances that collided try again at different moments.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/** Records who could not be reached, so the privacy channel's digest can say so (once). */
export function markUnreachable(store: CaseStore, user: UnreachableUser): Promise<void> {
  return changeUnreachable(store, (index) => {
    const known = index[user.userId];
    // The same refusal again (another message to the same person) is not news for the digest.
    if (known?.code === user.code) return false;
    index[user.userId] = user;
    return true;
  });
}

/** Marks these refusals as told in a digest, so the next digest does not repeat them. */
export function markReported(store: CaseStore, keys: string[], at: string): Promise<void> {
  return changeUnreachable(store, (index) => {
    let changed = false;
    for (const key of keys) {
      if (index[key] && !index[key].reportedAt) {
        index[key] = { ...index[key], reportedAt: at };
        changed = true;
      }
    }
    return changed;
  });
}

export async function unreachableUsers(store: CaseStore): Promise<Record<string, UnreachableUser>> {
  return ((await store.state.read([UNREACHABLE_INDEX]))[UNREACHABLE_INDEX]?.value ?? {}) as Record<
    string,
    UnreachableUser
  >;
}

/** A user (or a channel, by `channelRefusalKey`) who talks to the bot again is reachable again. */
export function markReachable(store: CaseStore, userId: string): Promise<void> {
  return changeUnreachable(store, (index) => {
    if (!index[userId]) return false;
    delete index[userId];
    return true;
  });
}

/** Where the latest service address of a conversation is kept; every inbound activity updates it. */
export const addressKey = (conversationKey: string) => `dsr/address/${conversationKey}`;

/** A tenant's latest service address, for a conversation the bot has not heard from itself. */
export const tenantAddressKey = (tenantId: string) => addressKey(`tenant:${tenantId}`);

/** The tenant a message goes to, where its destination says. */
function tenantOf(record: OutboxRecord): string | undefined {
  const destination = record.destination;
  if (destination.kind !== 'conversation') return destination.tenantId;
  const conversation = destination.reference.conversation as { tenantId?: unknown } | undefined;
  return typeof conversation?.tenantId === 'string' ? conversation.tenantId : undefined;
}

/**
 * Cancels messages no longer wanted, sends to each conversation's latest address, holds back what
 * a conversation refused, remembers created conversations, and forgets refused ones.
 */
export function outboxHooks(cases: CaseStore, log: Logger, readBack?: ConversationReadBack): OutboxHooks {
  return {
    ...(readBack ? { readBack: (record, since) => readBack.find(record, since) } : {}),
    async stillWanted(record) {
      if (!record.guard || !record.caseId) return true;
      const dsrCase = await cases.getCase(record.caseId);
      if (!dsrCase || !isOpen(dsrCase)) return false;
      switch (record.guard.kind) {
        case 'caseOpen':
          return true;
        case 'caseStatus':
          return record.guard.statuses.includes(dsrCase.status);
        case 'caseDue':
          return record.guard.dueAt === dsrCase.dueAt;
      }
    },
    async refusedEarlier(record) {
      const who = recipientOf(record);
      return who ? (await unreachableUsers(cases))[who]?.code : undefined;
    },
    async serviceUrl(record) {
      const tenantId = tenantOf(record);
      const keys = [addressKey(record.conversationKey), ...(tenantId ? [tenantAddressKey(tenantId)] : [])];
      const found = await cases.state.read(keys);
      for (const key of keys) {
        const address = found[key]?.value as { serviceUrl?: unknown } | undefined;
        if (typeof address?.serviceUrl === 'string') return address.serviceUrl;
      }
      return undefined;
    },
    async delivered(record, outcome) {
      if (record.rememberAs && outcome.conversationReference) {
        await cases.state.write({ [record.rememberAs]: { value: outcome.conversationReference, eTag: '*' } });
      }
    },
    async dropped(record, code) {
      if (record.destination.kind === 'conversation' && record.destination.referenceKey) {
        await cases.state.delete([record.destination.referenceKey]);
      }
      const userId = recipientOf(record);
      if (userId) {
        await markUnreachable(cases, {
          userId,
          code,
          at: new Date().toISOString(),
          ...(record.recipientName ? { name: record.recipientName } : {}),
        });
      }
      log.warn({ caseId: record.caseId, code }, 'recipient unreachable; recorded for the digest');
    },
  };
}

export interface OutboxParts {
  store: OutboxStore;
  sender: OutboxSender;
}

/** The outbox on the store the composition root chose, sending through the Bot Connector. */
export async function createOutbox(
  connectors: ConnectorSource,
  store: OutboxStore,
  cases: CaseStore,
  log: Logger,
  options: OutboxSenderOptions & {
    globalPerSecond?: number;
    /** Where a send cut short by a crash can be looked for before it is sent again. */
    readBack?: ConversationReadBack;
  } = {},
): Promise<OutboxParts> {
  await store.open();
  const sender = new OutboxSender(store, new TeamsTransport(connectors), log, {
    limiter: new RateLimiter(undefined, options.globalPerSecond),
    ...options,
    hooks: outboxHooks(cases, log, options.readBack),
  });
  return { store, sender };
}

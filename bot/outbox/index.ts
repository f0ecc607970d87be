import { join } from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import type { Logger } from 'pino';
import { isOpen } from '../../dsr/case.js';
import type { OutboxRecord, OutboxStore } from '../../dsr/outbox.js';
import { FileOutboxStore } from '../../dsr/storage/fileOutboxStore.js';
import { StateConflictError, type CaseStore } from '../../dsr/store.js';
import { OutboxSender, type OutboxHooks, type OutboxSenderOptions } from './outboxSender.js';
import { RateLimiter } from './rateLimiter.js';
import { TeamsTransport } from './teamsTransport.js';

export { OutboxSender } from './outboxSender.js';

export const unreachableKey = (userId: string) => `dsr/unreachable/${userId}`;
export const UNREACHABLE_INDEX = 'dsr/unreachable';

export interface UnreachableUser {
  userId: string;
  code: string;
  at: string;
}

/** Whom a message was for, when it was for one person. */
function recipientOf(record: OutboxRecord): string | undefined {
  if (record.destination.kind === 'user') return record.destination.userId;
  const key = record.destination.kind === 'conversation' ? record.destination.referenceKey : undefined;
  return key?.startsWith('dsr/user/') ? key.slice('dsr/user/'.length) : undefined;
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

/** Records who could not be reached, so the privacy channel's digest can say so. */
export function markUnreachable(store: CaseStore, user: UnreachableUser): Promise<void> {
  return changeUnreachable(store, (index) => {
    index[user.userId] = user;
    return true;
  });
}

export async function unreachableUsers(store: CaseStore): Promise<Record<string, UnreachableUser>> {
  return ((await store.state.read([UNREACHABLE_INDEX]))[UNREACHABLE_INDEX]?.value ?? {}) as Record<
    string,
    UnreachableUser
  >;
}

/** A user who talks to the bot again is reachable again. */
export function markReachable(store: CaseStore, userId: string): Promise<void> {
  return changeUnreachable(store, (index) => {
    if (!index[userId]) return false;
    delete index[userId];
    return true;
  });
}

/** Cancels messages no longer wanted, remembers created conversations, and forgets refused ones. */
export function outboxHooks(cases: CaseStore, log: Logger): OutboxHooks {
  return {
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
      if (userId) await markUnreachable(cases, { userId, code, at: new Date().toISOString() });
      log.warn({ caseId: record.caseId, code }, 'recipient unreachable; recorded for the digest');
    },
  };
}

export interface OutboxParts {
  store: OutboxStore;
  sender: OutboxSender;
}

/** The outbox on the given store (by default the embedded store's folder), sending through the adapter. */
export async function createOutbox(
  adapter: CloudAdapter,
  appId: string,
  dataDir: string,
  cases: CaseStore,
  log: Logger,
  options: OutboxSenderOptions & { globalPerSecond?: number; store?: OutboxStore } = {},
): Promise<OutboxParts> {
  const store = options.store ?? new FileOutboxStore(join(dataDir, 'outbox'));
  await store.open();
  const sender = new OutboxSender(store, new TeamsTransport(adapter, appId), log, {
    limiter: new RateLimiter(undefined, options.globalPerSecond ?? 30),
    ...options,
    hooks: outboxHooks(cases, log),
  });
  return { store, sender };
}

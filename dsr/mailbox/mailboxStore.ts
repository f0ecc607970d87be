/**
 * What the privacy mailbox's watcher keeps: where its delta query stands, and each message it has
 * seen, keyed by Graph's message id, so that a restart or a second instance neither misses nor
 * repeats one. Nothing here is personal data: ids, times, states and the case a mail became.
 */
export type MailState = 'drafted' | 'skipped' | 'recorded' | 'dismissed';

/** Why a mail got no draft: an automatic reply, bulk mail, or a reply-all loop in one thread. */
export type SkipReason = 'auto-reply' | 'bulk' | 'thread-loop';

export interface MailRecord {
  messageId: string;
  state: MailState;
  seenAt: string;
  conversationId?: string;
  reason?: SkipReason;
  caseId?: string;
  /** Who recorded or dismissed it, and when. */
  decidedBy?: string;
  decidedAt?: string;
}

/** The failure the privacy channel was told about, until the mailbox reads again. */
export interface MailboxProblem {
  failure: string;
  since: string;
}

export interface MailboxSync {
  /** Where the next round starts; none before the first round ends or after a reset. */
  deltaLink?: string;
  /** The first sync reads mail received from here on; a reset reads from the same point. */
  since: string;
  problem?: MailboxProblem;
}

export interface MailDecision {
  state: 'recorded' | 'dismissed';
  decidedBy: string;
  decidedAt: string;
  caseId?: string;
}

export interface MailboxStore {
  sync(mailbox: string): Promise<MailboxSync | undefined>;
  saveSync(mailbox: string, sync: MailboxSync): Promise<void>;
  mail(messageId: string): Promise<MailRecord | undefined>;
  /** Keeps a message as seen; false (and nothing changed) when it already was. */
  remember(record: MailRecord): Promise<boolean>;
  /**
   * Records the team's decision on a drafted mail, only if it is still a draft; answers the record
   * as it now is (changed or not), undefined for a message never seen.
   */
  decide(messageId: string, decision: MailDecision): Promise<{ changed: boolean; record: MailRecord | undefined }>;
  /** How many messages of one conversation were seen since a time (a reply-all loop shows here). */
  threadCount(conversationId: string, since: Date): Promise<number>;
}

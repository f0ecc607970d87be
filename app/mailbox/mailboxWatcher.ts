import { createHash, randomUUID } from 'node:crypto';
import { CardFactory, MessageFactory } from 'botbuilder';
import type { Logger } from 'pino';
import { translator } from '../../i18n/index.js';
import { mailDraftCard } from '../../cards/mailDraftCard.js';
import {
  InboxReadError,
  type GraphInboxReader,
  type InboxFailure,
  type InboxMail,
} from '../../connectors/graphInbox.js';
import type { Clock } from '../../dsr/clock.js';
import type { LeaseStore } from '../../dsr/ports/leases.js';
import { readMail, THREAD_WINDOW_MS } from '../../dsr/mailbox/mailIntake.js';
import { namedLease, RunLease, type LeaseRecord } from '../../dsr/runs/runLease.js';
import type { MailboxStore, MailboxSync } from '../../dsr/mailbox/mailboxStore.js';
import type { KeyValueStore } from '../../dsr/ports/store.js';
import { channelConversationKey } from '../../teams/outbox/conversationKeys.js';
import { channelThread, PRIVACY_CHANNEL, type ChannelRecord, type Outbox } from '../../teams/proactiveNotifier.js';

export interface MailboxWatcherOptions {
  mailbox: string;
  reader: () => Promise<GraphInboxReader | undefined>;
  store: MailboxStore;
  outbox: Outbox;
  /** Where the privacy channel is kept (PRIVACY_CHANNEL). */
  state: KeyValueStore;
  /** Held by the one instance that reads the mailbox; none where one process owns the data folder. */
  leases?: LeaseStore;
  clock: Clock;
  timeZone: string;
  log: Logger;
  pollMs: number;
  /** How far back the first sync reads. */
  sinceDays: number;
  /** The languages the letter templates provide, for the draft's language choice. */
  languages?: readonly string[];
  /** The privacy channel's language (a channel has no locale): the drafts and reports posted there. */
  channelLanguage?: string;
}

export type PassOutcome = 'read' | 'waiting' | 'not-holder' | 'no-channel' | 'not-connected' | 'failed' | 'busy';

/** The longest wait between two tries of an unreadable mailbox. */
export const MAX_BACKOFF_MS = 30 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The outbox id of a mail's draft: the same mail never makes two, whichever instance reads it. */
export function draftOutboxId(messageId: string): string {
  return `mailbox|${createHash('sha256').update(messageId).digest('hex').slice(0, 40)}`;
}

/**
 * Reads the privacy mailbox by delta query and turns each new mail into a draft request in the
 * privacy channel, through the outbox. Exactly once: a mail's draft is queued under an id made from
 * its message id (queuing it again does nothing), then the mail is remembered as seen, and only
 * after a whole round is the delta link kept; a crash anywhere reads the round again, and what was
 * seen is passed over. One instance reads at a time, by lease. A mailbox that cannot be read is
 * reported once to the channel, tried again with growing pauses, and its recovery reported.
 *
 * The lease is renewed while a pass reads (a first sync of many mails outlasts it), and a pass that
 * finds another instance holding it stops before the next mail, its round unsaved. Between passes
 * it is kept, not given up, lasting three polls: the reader keeps its pause after a failure, which
 * instances taking turns would each ignore, asking a throttled Graph again at every poll.
 */
export class MailboxWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PassOutcome> | undefined;
  private failures = 0;
  private notBefore = 0;
  private readonly warned = new Set<string>();
  /** This instance's hold on the mailbox, where instances share a store. */
  private readonly lease: LeaseRecord | undefined;

  constructor(private readonly options: MailboxWatcherOptions) {
    this.lease = options.leases
      ? namedLease(options.leases, `mailbox:${options.mailbox.toLowerCase()}`, randomUUID())
      : undefined;
  }

  start(): void {
    const tick = () => {
      void this.pass().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.options.pollMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await this.lease?.release().catch(() => undefined);
  }

  /** One reading of the mailbox, unless one is under way, a pause after a failure is not over, or another instance reads. */
  pass(): Promise<PassOutcome> {
    if (this.running) return Promise.resolve('busy');
    this.running = this.read().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.log.warn(message);
  }

  private async read(): Promise<PassOutcome> {
    try {
      return await this.readOnce();
    } catch (error) {
      // The lease or the channel could not be read (the database is away): the next pass tries again.
      this.options.log.warn(
        { error: error instanceof Error ? error.name : 'unknown' },
        'privacy mailbox not read: the store did not answer',
      );
      return 'failed';
    }
  }

  private async readOnce(): Promise<PassOutcome> {
    const now = this.options.clock.now();
    if (now.getTime() < this.notBefore) return 'waiting';
    const lease = this.lease
      ? new RunLease(this.lease, () => new Date(), Math.max(60_000, 3 * this.options.pollMs))
      : undefined;
    if (lease && !(await lease.claim())) return 'not-holder';
    lease?.keep();
    try {
      return await this.readHeld(now, () => !lease?.lost);
    } finally {
      // Kept until it runs out: the next pass renews it (see the class).
      lease?.stopRenewing();
    }
  }

  /** A pass under the lease; `held` turns false once another instance took it over. */
  private async readHeld(now: Date, held: () => boolean): Promise<PassOutcome> {
    const { store, mailbox, log } = this.options;
    const channel = (await this.options.state.read([PRIVACY_CHANNEL]))[PRIVACY_CHANNEL]?.value as
      ChannelRecord | undefined;
    // Until the team picks its channel there is nowhere to draft to; the mail waits in the mailbox.
    if (!channel?.reference.serviceUrl) {
      this.warnOnce('channel', 'privacy mailbox not read yet: no privacy channel; mail waits for "use this channel"');
      return 'no-channel';
    }
    const reader = await this.options.reader();
    if (!reader) {
      this.warnOnce('graph', 'privacy mailbox not read: Microsoft Graph is not connected');
      return 'not-connected';
    }
    let sync: MailboxSync | undefined;
    try {
      sync = await store.sync(mailbox);
      if (!sync) {
        sync = { since: new Date(now.getTime() - this.options.sinceDays * DAY_MS).toISOString() };
        await store.saveSync(mailbox, sync);
      }
      const counts = await this.round(reader, sync, channel, held);
      if (!counts) {
        // The round stays unsaved; the new holder reads it again and passes over what was drafted.
        log.warn('privacy mailbox lease taken over by another instance; this reading stopped');
        return 'not-holder';
      }
      if (sync.problem) {
        await this.post(
          channel,
          `mailbox-recovered|${sync.problem.since}`,
          translator(this.options.channelLanguage)('mailbox.recovered'),
        );
        delete sync.problem;
      }
      await store.saveSync(mailbox, sync);
      this.failures = 0;
      this.notBefore = 0;
      if (counts.drafted + counts.skipped > 0) log.info(counts, 'privacy mailbox read');
      return 'read';
    } catch (error) {
      // Whoever holds the mailbox now reads it, and reports its failures.
      if (!held()) return 'not-holder';
      await this.failed(error, now, sync, channel);
      return 'failed';
    }
  }

  /**
   * Follows one round to its delta link; a state token Graph no longer holds starts a full sync
   * again, once. Undefined when the lease was lost (`held` false) before a page or a mail.
   */
  private async round(
    reader: GraphInboxReader,
    sync: MailboxSync,
    channel: ChannelRecord,
    held: () => boolean,
  ): Promise<{ drafted: number; skipped: number } | undefined> {
    const counts = { drafted: 0, skipped: 0 };
    let link = sync.deltaLink ?? reader.firstLink(new Date(sync.since));
    let restarted = false;
    for (;;) {
      if (!held()) return undefined;
      let page;
      try {
        page = await reader.page(link);
      } catch (error) {
        if (!(error instanceof InboxReadError) || error.failure !== 'sync-reset' || restarted) throw error;
        // Mail seen before is passed over by its id, so reading the whole window again repeats no draft.
        this.options.log.warn({ status: error.status }, 'privacy mailbox sync state expired; reading it again in full');
        restarted = true;
        delete sync.deltaLink;
        await this.options.store.saveSync(this.options.mailbox, sync);
        link = reader.firstLink(new Date(sync.since));
        continue;
      }
      if (page.unreadable > 0) {
        this.options.log.warn({ entries: page.unreadable }, 'privacy mailbox entries without an id passed over');
      }
      for (const mail of page.mails) {
        if (!held()) return undefined;
        const outcome = await this.take(mail, channel);
        if (outcome) counts[outcome] += 1;
      }
      if (page.nextLink) {
        link = page.nextLink;
        continue;
      }
      if (!page.deltaLink) throw new InboxReadError('unavailable', undefined, undefined);
      sync.deltaLink = page.deltaLink;
      return counts;
    }
  }

  private async take(mail: InboxMail, channel: ChannelRecord): Promise<'drafted' | 'skipped' | undefined> {
    const { store, clock, log } = this.options;
    if (await store.mail(mail.id)) return undefined;
    const now = clock.now();
    const threadSeen = mail.conversationId
      ? await store.threadCount(mail.conversationId, new Date(now.getTime() - THREAD_WINDOW_MS))
      : 0;
    const reading = readMail(mail, {
      ownDomains: [this.options.mailbox.slice(this.options.mailbox.lastIndexOf('@') + 1).toLowerCase()],
      now,
      timeZone: this.options.timeZone,
      threadSeen,
    });
    const seen = {
      messageId: mail.id,
      seenAt: now.toISOString(),
      ...(mail.conversationId ? { conversationId: mail.conversationId } : {}),
    };
    if (reading.kind === 'skip') {
      await store.remember({ ...seen, state: 'skipped', reason: reading.reason });
      // The id and the reason only: the log never carries who wrote or what.
      log.info({ messageId: mail.id, reason: reading.reason }, 'privacy mailbox: mail passed over, not a request');
      return 'skipped';
    }
    const card = mailDraftCard({
      messageId: mail.id,
      intakeId: randomUUID(),
      mail: { sender: mail.from, subject: mail.subject, receivedAt: reading.receivedAt, quote: reading.quote },
      timeZone: this.options.timeZone,
      now,
      prefill: reading.prefill,
      notes: reading.notes,
      ...(this.options.languages ? { languages: this.options.languages } : {}),
      locale: this.options.channelLanguage,
    });
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    message.summary = translator(this.options.channelLanguage)('mailbox.draft.title');
    await this.options.outbox.enqueue({
      id: draftOutboxId(mail.id),
      conversationKey: channelConversationKey(channel.channelId),
      destination: channelThread(channel, channel.reference.serviceUrl!),
      activity: { ...message },
    });
    await store.remember({ ...seen, state: 'drafted' });
    log.info({ messageId: mail.id, notes: reading.notes }, 'privacy mailbox: draft request queued');
    return 'drafted';
  }

  private async failed(
    error: unknown,
    now: Date,
    sync: MailboxSync | undefined,
    channel: ChannelRecord,
  ): Promise<void> {
    const { log, store, mailbox, pollMs } = this.options;
    const failure: InboxFailure = error instanceof InboxReadError ? error.failure : 'unavailable';
    const advised = error instanceof InboxReadError ? error.retryAfterMs : undefined;
    this.failures += 1;
    const backoff = Math.min(MAX_BACKOFF_MS, pollMs * 2 ** (this.failures - 1));
    const wait = Math.max(backoff, advised ?? 0);
    this.notBefore = now.getTime() + wait;
    log.warn(
      {
        failure,
        status: error instanceof InboxReadError ? error.status : undefined,
        error: error instanceof InboxReadError ? undefined : error instanceof Error ? error.name : 'unknown',
        retryInMs: wait,
      },
      'privacy mailbox could not be read',
    );
    // Only the mailbox's own failures are the channel's business; our store or outbox failing is logged.
    if (!(error instanceof InboxReadError) || !sync || sync.problem) return;
    try {
      const t = translator(this.options.channelLanguage);
      // "sync-reset" twice in a row is the service failing, not a state to report on its own.
      const kind = failure === 'sync-reset' ? 'unavailable' : failure;
      sync.problem = { failure: kind, since: now.toISOString() };
      await this.post(
        channel,
        `mailbox-problem|${sync.problem.since}`,
        `${t(`mailbox.problem.${kind}`, { mailbox })} ${t('mailbox.problem.waiting')}`,
      );
      await store.saveSync(mailbox, sync);
    } catch (reportError) {
      // The store or the outbox is down too: the next pass reports it.
      delete sync.problem;
      log.warn(
        { error: reportError instanceof Error ? reportError.name : 'unknown' },
        'could not report the mailbox problem',
      );
    }
  }

  private async post(channel: ChannelRecord, id: string, text: string): Promise<void> {
    await this.options.outbox.enqueue({
      id,
      conversationKey: channelConversationKey(channel.channelId),
      destination: channelThread(channel, channel.reference.serviceUrl!),
      activity: { type: 'message', text },
    });
  }
}

import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import { MailboxWatcher } from '../../../app/mailbox/mailboxWatcher.js';
import type { GraphInboxReader, InboxMail, InboxPage } from '../../../connectors/graphInbox.js';
import type { MailboxStore, MailboxSync, MailRecord } from '../../../dsr/mailbox/mailboxStore.js';
import { PRIVACY_CHANNEL, type Outbox } from '../../../teams/proactiveNotifier.js';
import { MemoryCases } from '../../support/memoryCases.js';
import { MemoryLeases } from '../../support/memoryLeases.js';

const T0 = new Date('2026-06-08T07:00:00.000Z');
const MAILBOX = 'privacy@contoso.com';
/** The watcher's lease lasts three polls, and a minute at least. */
const POLL_MS = 20_000;
const LEASE_MS = 60_000;

const request = (n: number): InboxMail => ({
  id: `mail-${n}`,
  receivedDateTime: T0.toISOString(),
  subject: `Request ${n}`,
  body: { contentType: 'text', content: 'Please delete all my personal data under the GDPR.\n\nJane Roe' },
  from: { name: 'Jane Roe', address: `jane.roe.${n}@example.org` },
  conversationId: `conversation-${n}`,
  hasAttachments: false,
});

/** What every instance shares: the mailbox's sync state and seen mail, the channel, the outbox. */
class SharedMailbox implements MailboxStore {
  private syncs = new Map<string, MailboxSync>();
  private readonly mails = new Map<string, MailRecord>();
  readonly cases = new MemoryCases();
  /** Each draft queued once, by its outbox id; who queued it. */
  readonly drafts = new Map<string, string>();
  /** Which instance tried to queue each draft, repeats included. */
  readonly tried: Array<{ by: string }> = [];
  private hang: { entered: () => void; gate: Promise<void> } | undefined;

  /** Makes the next draft hang: settles once it is being queued; `letGo` lets it through. */
  hangNext(): { queuing: Promise<void>; letGo: () => void } {
    let letGo: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const queuing = new Promise<void>((resolve) => (entered = resolve));
    this.hang = { entered: () => entered(), gate: new Promise<void>((resolve) => (letGo = resolve)) };
    return { queuing, letGo: () => letGo() };
  }

  sync(mailbox: string): Promise<MailboxSync | undefined> {
    return Promise.resolve(structuredClone(this.syncs.get(mailbox)));
  }
  saveSync(mailbox: string, sync: MailboxSync): Promise<void> {
    this.syncs.set(mailbox, structuredClone(sync));
    return Promise.resolve();
  }
  mail(messageId: string): Promise<MailRecord | undefined> {
    return Promise.resolve(this.mails.get(messageId));
  }
  remember(record: MailRecord): Promise<boolean> {
    if (this.mails.has(record.messageId)) return Promise.resolve(false);
    this.mails.set(record.messageId, record);
    return Promise.resolve(true);
  }
  decide(): Promise<{ changed: boolean; record: MailRecord | undefined }> {
    return Promise.resolve({ changed: false, record: undefined });
  }
  threadCount(): Promise<number> {
    return Promise.resolve(0);
  }

  outbox(by: string): Outbox {
    return {
      enqueue: async (message) => {
        this.tried.push({ by });
        const hang = this.hang;
        this.hang = undefined;
        hang?.entered();
        await hang?.gate;
        if (this.drafts.has(message.id)) return false;
        this.drafts.set(message.id, by);
        return true;
      },
      requeueGivenUp: () => Promise.resolve(0),
    };
  }

  deltaLink(): string | undefined {
    return this.syncs.get(MAILBOX)?.deltaLink;
  }
}

/** The inbox as Graph pages it: every mail in one page, then the delta link. */
function inbox(mails: InboxMail[]): GraphInboxReader {
  const reader: Pick<GraphInboxReader, 'firstLink' | 'page'> = {
    firstLink: () => 'first',
    page: (): Promise<InboxPage> =>
      Promise.resolve({ mails, unreadable: 0, nextLink: undefined, deltaLink: 'delta-1' }),
  };
  return reader as GraphInboxReader;
}

describe('the privacy mailbox read by one instance at a time', () => {
  let time: sinon.SinonFakeTimers;
  beforeEach(() => {
    time = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => time.restore());

  async function world(): Promise<{
    shared: SharedMailbox;
    leases: MemoryLeases;
    watcher: (by: string) => MailboxWatcher;
  }> {
    const shared = new SharedMailbox();
    await shared.cases.state.write({
      [PRIVACY_CHANNEL]: {
        value: {
          reference: { serviceUrl: 'https://smba.example/', conversation: { id: '19:privacy@thread.tacv2' } },
          channelId: '19:privacy@thread.tacv2',
        },
      },
    });
    const leases = new MemoryLeases();
    const reader = inbox([request(1), request(2), request(3)]);
    const watcher = (by: string) =>
      new MailboxWatcher({
        mailbox: MAILBOX,
        reader: () => Promise.resolve(reader),
        store: shared,
        outbox: shared.outbox(by),
        state: shared.cases.state,
        leases,
        clock: { now: () => new Date() },
        timeZone: 'Europe/Berlin',
        log: pino({ level: 'silent' }),
        pollMs: POLL_MS,
        sinceDays: 30,
      });
    return { shared, leases, watcher };
  }

  it('keeps reading on the instance whose reading outlasts its lease, so the other drafts nothing', async () => {
    const { shared, watcher } = await world();
    const [a, b] = [watcher('a'), watcher('b')];
    const slow = shared.hangNext();
    const reading = a.pass();
    await slow.queuing;
    // Queuing the first draft takes twice the lease's life; the lease is renewed meanwhile.
    await time.tickAsync(2 * LEASE_MS);
    assert.equal(await b.pass(), 'not-holder');
    slow.letGo();
    assert.equal(await reading, 'read');
    assert.equal(shared.drafts.size, 3);
    assert.ok(
      shared.tried.every((t) => t.by === 'a'),
      'the other instance drafted nothing',
    );
    // Kept between readings: the next poll stays with the reader.
    assert.equal(await b.pass(), 'not-holder');
    assert.equal(await a.pass(), 'read');
  });

  it('stops a reading whose lease another instance took over, which drafts every mail once', async () => {
    const { shared, leases, watcher } = await world();
    const [a, b] = [watcher('a'), watcher('b')];
    const hung = shared.hangNext();
    const reading = a.pass();
    await hung.queuing;
    // The reader hung past its lease: the other takes the mailbox over and reads it whole.
    leases.runOut('mailbox:privacy@contoso.com');
    assert.equal(await b.pass(), 'read');
    assert.equal(shared.deltaLink(), 'delta-1');
    // The hung reader's next renewal finds the lease taken; when its draft returns, it stops there.
    await time.tickAsync(LEASE_MS / 3);
    hung.letGo();
    assert.equal(await reading, 'not-holder');
    assert.equal(shared.tried.filter((t) => t.by === 'a').length, 1, 'no mail after the one it hung on');
    assert.equal(shared.drafts.size, 3, 'each mail drafted once');
  });
});

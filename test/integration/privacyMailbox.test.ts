import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import sinon from 'sinon';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import type { PassOutcome } from '../../app/mailbox/mailboxWatcher.js';
import { ConnectorRegistry } from '../../connectors/registry.js';
import { startSandbox, TENANT_DOMAIN, type Sandbox } from '../../sandbox/index.js';
import { SANDBOX_MAILBOX_LOCAL_PART } from '../../sandbox/systems/graphMail.js';
import { BotHarness, cardText, invokeCard } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/database.js';
import { adele, alex, megan } from '../support/people.js';

const MAILBOX = `${SANDBOX_MAILBOX_LOCAL_PART}@${TENANT_DOMAIN}`;
const CHANNEL = '19:privacy-requests@thread.tacv2';
const FAST = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 0 };

type Card = Record<string, unknown>;

function assertValidCard(card: Card): void {
  assert.deepEqual(
    cardProblems(card, { 'mailbox.record': ['messageId', 'intakeId'], 'mailbox.dismiss': ['messageId'] }),
    [],
  );
}

/** A bot watching the sandbox's privacy mailbox over HTTPS, its privacy channel chosen. */
async function startMailboxBot(
  sandbox: Sandbox,
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<BotHarness> {
  const settings = sandboxConnectorSettings(sandbox);
  const registry = ConnectorRegistry.fromConfig(settings.config, {
    source: 'test',
    credentials: settings.credentials,
    caPem: settings.caPem,
    retry: FAST,
  });
  const bot = await new BotHarness(
    // The watcher is driven by the tests; its own timer would read again only after a minute.
    { DSR_INTAKE_MAILBOX: MAILBOX, DSR_INTAKE_MAILBOX_POLL_SECONDS: '60', ...env },
    { connectors: registry.all(), inboxReader: registry.inboxReader(MAILBOX) },
  ).start(dataDir);
  await bot.say(megan, '<at>DSR Assistant</at> use this channel', CHANNEL);
  return bot;
}

/** One reading of the mailbox, after the one the start began (if it still runs). */
async function read(bot: BotHarness): Promise<PassOutcome> {
  for (;;) {
    const outcome = await bot.app.mailbox!.pass();
    if (outcome !== 'busy') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function cardsIn(bot: BotHarness): Card[] {
  return bot.connector
    .delivered()
    .filter((call) => call.path === '/v3/conversations')
    .map((call) => {
      const body = call.body as { activity?: { attachments?: Array<{ content: Card }> } };
      return body.activity?.attachments?.[0]?.content;
    })
    .filter((card): card is Card => card !== undefined);
}

function texts(bot: BotHarness): string[] {
  return bot.connector
    .delivered()
    .filter((call) => call.path === '/v3/conversations')
    .map((call) => (call.body as { activity?: { text?: string } }).activity?.text)
    .filter((text): text is string => typeof text === 'string');
}

const drafts = (bot: BotHarness) => cardsIn(bot).filter((card) => JSON.stringify(card).includes('mailbox.record'));

async function waitForDrafts(bot: BotHarness, count: number): Promise<Card[]> {
  await bot.connector.waitFor(() => (drafts(bot).length >= count ? true : undefined), 20_000);
  return drafts(bot);
}

async function waitForText(bot: BotHarness, pattern: RegExp): Promise<string> {
  return bot.connector.waitFor(() => texts(bot).find((text) => pattern.test(text)), 20_000);
}

/** The inputs of a card with the values it shows, as Teams sends them with a press. */
function formOf(card: Card): Record<string, string> {
  const values: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string' && record.type.startsWith('Input.') && typeof record.id === 'string') {
        values[record.id] = typeof record.value === 'string' ? record.value : '';
      }
      Object.values(record).forEach(walk);
    }
  };
  walk(card.body);
  return values;
}

function recordData(card: Card): Record<string, unknown> {
  const actions = card.actions as Array<{ verb: string; data: Record<string, unknown> }>;
  return { ...formOf(card), ...actions.find((a) => a.verb === 'mailbox.record')!.data };
}

function messageIdOf(card: Card): string {
  return (card.actions as Array<{ data: { messageId: string } }>)[0]!.data.messageId;
}

const draftAbout = (list: Card[], words: string) => list.find((card) => cardText(card).includes(words));

describe('the privacy mailbox, read by delta query into draft requests', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let bot: BotHarness;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(async () => {
    sandbox.reset();
    bot = await startMailboxBot(sandbox);
  });
  afterEach(async () => {
    sinon.restore();
    await bot?.stop();
  });

  it('drafts each request in the seeded mailbox pre-filled, in four languages, and passes over the newsletter and the auto-reply', async () => {
    assert.equal(await read(bot), 'read');
    const cards = await waitForDrafts(bot, 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Four requests and the invoice question (as a low-key draft); the newsletter and the auto-reply get none.
    assert.equal(drafts(bot).length, 5);
    for (const card of cards) assertValidCard(card);
    const all = cards.map(cardText).join('\n');
    assert.doesNotMatch(all, /monthly privacy newsletter|out of the office/i);

    const german = formOf(draftAbout(cards, 'Löschung meiner Daten')!);
    assert.equal(german.subjectEmails, 'lena.fischer@example.org');
    assert.equal(german.requestTypes, 'delete');
    assert.equal(german.subjectLanguage, 'de');
    assert.equal(german.subjectName, 'Lena Fischer');
    const english = formOf(draftAbout(cards, 'Request for a copy')!);
    assert.equal(english.customerNumber, 'C00010');
    assert.equal(english.requestTypes, 'access');
    const seeded = sandbox.inbox.messages().find((m) => m.subject === 'Request for a copy of my personal data')!;
    // The day it arrived in the organisation's zone (Europe/Berlin by default), not in UTC.
    assert.equal(english.receivedDate, DateTime.fromISO(seeded.receivedDateTime).setZone('Europe/Berlin').toISODate());
    assert.match(cardText(draftAbout(cards, 'Request for a copy')!), /under Article 15 GDPR I would like a copy/);
    assert.equal(formOf(draftAbout(cards, 'Solicitud de supresión')!).subjectLanguage, 'es');
    assert.equal(formOf(draftAbout(cards, "Demande d'accès")!).requestTypes, 'access');
    assert.match(cardText(draftAbout(cards, 'invoice 2024-1187')!), /names no data protection right/);
  });

  it('drafts a new mail once, and neither a read receipt nor another reading repeats it', async () => {
    await read(bot);
    await waitForDrafts(bot, 5);
    const delivered = sandbox.inbox.deliver({
      subject: 'Please delete my account',
      body: 'Hi, please erase all my personal data under the GDPR.\n\nJane Roe',
      from: { name: 'Jane Roe', address: 'jane.roe@example.org' },
    });
    assert.equal(await read(bot), 'read');
    const cards = await waitForDrafts(bot, 6);
    assert.equal(formOf(draftAbout(cards, 'Please delete my account')!).subjectEmails, 'jane.roe@example.org');
    sandbox.inbox.markRead(delivered.id);
    await read(bot);
    await read(bot);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(drafts(bot).length, 6);
  });

  it('follows every page of a round', async () => {
    for (let i = 0; i < 120; i += 1) {
      sandbox.inbox.deliver({
        subject: 'Newsletter',
        body: `Issue ${i}. Unsubscribe here.`,
        from: { address: 'news@shop.example' },
      });
    }
    sandbox.clearRequests();
    assert.equal(await read(bot), 'read');
    const pages = sandbox.requests('graph').filter((entry) => entry.path.includes('/messages/delta'));
    // 127 messages in pages of 50: three pages, the last with the delta link.
    assert.equal(pages.length, 3);
    await waitForDrafts(bot, 5);
    // A new round starts from the delta link: one request, nothing new.
    sandbox.clearRequests();
    await read(bot);
    assert.equal(sandbox.requests('graph').filter((entry) => entry.path.includes('/messages/delta')).length, 1);
  });

  it('records a draft with one press as a case with its triage card, once, whoever presses again', async () => {
    await read(bot);
    const cards = await waitForDrafts(bot, 5);
    const draft = draftAbout(cards, 'Löschung meiner Daten')!;
    const pressed = await bot.execute(megan, 'mailbox.record', recordData(draft), CHANNEL);
    const answer = cardText(invokeCard(pressed));
    const caseId = /DSR-\d{4}-\d{4}/.exec(answer)![0];
    assert.match(answer, /Recorded as DSR-\d{4}-\d{4} by Megan Bowen/);
    const dsrCase = (await bot.app.store.getCase(caseId))!;
    assert.deepEqual(dsrCase.subject.emails, ['lena.fischer@example.org']);
    assert.deepEqual(dsrCase.requestTypes, ['delete']);
    await bot.connector.waitFor(
      () => cardsIn(bot).find((card) => cardText(card).includes(caseId) && !JSON.stringify(card).includes('mailbox.')),
      20_000,
    );
    const again = cardText(invokeCard(await bot.execute(adele, 'mailbox.record', recordData(draft), CHANNEL)));
    assert.match(again, new RegExp(`recorded already, as ${caseId}`));
    assert.equal((await bot.app.store.listCases({})).length, 1);
    const events = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event.action);
    assert.ok(events.includes('mailbox.record'));
  });

  it('refuses a draft whose form is wrong, changing nothing, and then records it', async () => {
    await read(bot);
    const draft = draftAbout(await waitForDrafts(bot, 5), 'Request for a copy')!;
    const refused = invokeCard(
      await bot.execute(megan, 'mailbox.record', { ...recordData(draft), subjectName: '', requestTypes: '' }, CHANNEL),
    );
    assert.match(cardText(refused), /need another look/);
    assertValidCard(refused);
    assert.equal((await bot.app.store.listCases({})).length, 0);
    assert.doesNotMatch(cardText(refused), /could not read a request/);
    const corrected = { ...recordData(refused), subjectName: 'Maria Garcia', requestTypes: 'access' };
    const recorded = cardText(invokeCard(await bot.execute(megan, 'mailbox.record', corrected, CHANNEL)));
    assert.match(recorded, /Recorded as DSR-/);
  });

  it('dismisses a mail for good, audited by its message id alone; a repeated press says so', async () => {
    await read(bot);
    const draft = draftAbout(await waitForDrafts(bot, 5), 'invoice 2024-1187')!;
    const messageId = messageIdOf(draft);
    const answer = cardText(invokeCard(await bot.execute(adele, 'mailbox.dismiss', { messageId }, CHANNEL)));
    assert.match(answer, /Dismissed as not a request by Adele Vance/);
    assert.doesNotMatch(answer, /invoice|Paul Becker/);
    const again = cardText(invokeCard(await bot.execute(megan, 'mailbox.dismiss', { messageId }, CHANNEL)));
    assert.match(again, /dismissed already/);
    const stale = cardText(invokeCard(await bot.execute(megan, 'mailbox.record', recordData(draft), CHANNEL)));
    assert.match(stale, /dismissed already/);
    assert.equal((await bot.app.store.listCases({})).length, 0);
    const dismissals = [];
    for await (const event of bot.app.store.auditEvents()) {
      if (event.action === 'mailbox.dismiss') dismissals.push(event);
    }
    assert.equal(dismissals.length, 1);
    assert.deepEqual(dismissals[0]!.detail, { messageId });
    assert.equal(dismissals[0]!.actorId, adele.aadObjectId);
  });

  it('lets only the privacy team record or dismiss, and refuses a forged or unknown mail', async () => {
    await read(bot);
    const draft = draftAbout(await waitForDrafts(bot, 5), 'invoice 2024-1187')!;
    const messageId = messageIdOf(draft);
    const outsider = await bot.execute(alex, 'mailbox.dismiss', { messageId }, CHANNEL);
    assert.equal((outsider.body as { statusCode: number }).statusCode, 403);
    const forged = await bot.execute(megan, 'mailbox.record', { ...recordData(draft), intakeId: 'x' }, CHANNEL);
    assert.equal((forged.body as { statusCode: number }).statusCode, 400);
    const unknown = await bot.execute(megan, 'mailbox.dismiss', { messageId: 'AAMkNotAMail' }, CHANNEL);
    assert.equal((unknown.body as { statusCode: number }).statusCode, 404);
    const kept = cardText(invokeCard(await bot.execute(megan, 'mailbox.dismiss', { messageId }, CHANNEL)));
    assert.match(kept, /Dismissed as not a request by Megan Bowen/);
  });

  it('drafts hostile mail with what could be read and a note, and never falls over', async () => {
    const hostile = [
      sandbox.inbox.deliver({
        subject: 'Huge',
        body: `Please delete my data under the GDPR. ${'lorem ipsum '.repeat(100_000)}`,
        from: { address: 'huge@example.org' },
      }),
      sandbox.inbox.deliver({
        subject: 'Binary',
        body: `I want access to my data (GDPR). ${'\u0000\u0001\u0002\u0003\ufffd'.repeat(400)}`,
        from: { address: 'binary@example.org' },
      }),
      sandbox.inbox.deliver({
        subject: 'Broken',
        contentType: 'html',
        body: '<html><body><div><p>Ich verlange Auskunft nach Art. 15 DSGVO<table><tr><td>--boundary\r\nContent-Type: text/plain; charset=xx\r\n<<<</body',
        from: { address: 'broken@example.org' },
      }),
      sandbox.inbox.deliver({
        subject: 'Richiesta',
        body: 'Buongiorno, vorrei sapere quali dati personali conservate su di me e chiedo la cancellazione. Grazie mille.',
        from: { address: 'italiano@example.org' },
      }),
      sandbox.inbox.deliver({ subject: '', body: '', from: undefined, receivedDateTime: undefined }),
    ];
    assert.equal(await read(bot), 'read');
    const cards = await waitForDrafts(bot, 5 + hostile.length);
    for (const card of cards) assertValidCard(card);
    const text = (words: string) => cardText(cards.find((card) => cardText(card).includes(words))!);
    assert.match(text('Subject: Huge'), /only its beginning was read/);
    assert.match(text('Subject: Binary'), /binary content/);
    assert.match(text('Subject: Broken'), /Ich verlange Auskunft/);
    assert.match(text('Subject: Richiesta'), /language the bot does not read/);
    assert.match(text('an unknown sender'), /has no text/);
  });

  it('drafts the first mails of a reply-all loop and passes over the rest', async () => {
    for (let i = 0; i < 6; i += 1) {
      sandbox.inbox.deliver({
        subject: 'RE: Delete my data',
        body: `Reply ${i}: please erase my data (GDPR).`,
        from: { address: `person${i}@example.org` },
        conversationId: 'loop-conversation',
      });
    }
    await read(bot);
    await waitForDrafts(bot, 8);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(drafts(bot).length, 8);
    assert.match(cardText(drafts(bot).find((card) => cardText(card).includes('Reply 1'))!), /same conversation/);
  });

  it('reads the whole window again when Graph forgets the sync state, repeating no draft', async () => {
    await read(bot);
    await waitForDrafts(bot, 5);
    sandbox.inbox.forgetSyncState();
    sandbox.inbox.deliver({
      subject: 'Access please',
      body: 'I request access to my data (GDPR).',
      from: { address: 'new@example.org' },
    });
    assert.equal(await read(bot), 'read');
    await waitForDrafts(bot, 6);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(drafts(bot).length, 6);
  });

  for (const status of [401, 403, 404, 503] as const) {
    it(`tells the channel once that the mailbox answers ${status}, waits longer each time, and says when it reads again`, async () => {
      const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      sandbox.inbox.fault({ status });
      assert.equal(await read(bot), 'failed');
      const problem = await waitForText(bot, /cannot read the privacy mailbox/);
      assert.match(problem, status === 404 ? /404/ : status === 503 ? /not answering/ : new RegExp(String(status)));
      // Within the pause nothing is asked of the mailbox.
      const asked = sandbox.inbox.deltaRequests();
      assert.equal(await read(bot), 'waiting');
      assert.equal(sandbox.inbox.deltaRequests(), asked);
      // The first pause is one polling interval (a minute), the next twice as long.
      clock.tick(60 * 1000);
      assert.equal(await read(bot), 'failed');
      clock.tick(60 * 1000);
      assert.equal(await read(bot), 'waiting');
      clock.tick(60 * 1000);
      sandbox.inbox.fault(null);
      assert.equal(await read(bot), 'read');
      await waitForText(bot, /can be read again/);
      await waitForDrafts(bot, 5);
      assert.equal(texts(bot).filter((text) => /cannot read the privacy mailbox/.test(text)).length, 1);
    });
  }

  it('waits as long as Graph asks when throttled (429 with Retry-After)', async () => {
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    sandbox.inbox.fault({ status: 429, retryAfterSeconds: 7200 });
    assert.equal(await read(bot), 'failed');
    await waitForText(bot, /asks me to slow down/);
    clock.tick(3600 * 1000 + 1000);
    assert.equal(await read(bot), 'waiting');
    clock.tick(3600 * 1000);
    sandbox.inbox.fault(null);
    assert.equal(await read(bot), 'read');
    await waitForText(bot, /can be read again/);
  });

  it('restarts on the data folder without missing or repeating a mail', async () => {
    await read(bot);
    await waitForDrafts(bot, 5);
    const dataDir = bot.dataDir;
    await bot.stop({ keepData: true });
    sandbox.inbox.deliver({
      subject: 'While away',
      body: 'Please delete my data (GDPR).',
      from: { address: 'away@example.org' },
    });
    bot = await startMailboxBot(sandbox, {}, dataDir);
    assert.equal(await read(bot), 'read');
    const cards = await waitForDrafts(bot, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(drafts(bot).length, 1);
    assert.match(cardText(cards[0]!), /While away/);
  });
});

describe('the privacy mailbox on a shared database', function () {
  this.timeout(120_000);
  skipWithoutDatabase(this);
  let sandbox: Sandbox;
  let schema: string;
  const bots: BotHarness[] = [];

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    schema = freshSchema();
  });
  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.stop();
    await dropSchema(schema);
  });

  const env = () => ({ DSR_DATABASE_URL: testDatabaseUrl()!, DSR_DATABASE_SCHEMA: schema });
  const allDrafts = () => bots.flatMap((bot) => drafts(bot));

  it('lets one of two instances read, and neither a second instance nor a restart repeats a mail', async () => {
    bots.push(await startMailboxBot(sandbox, env()), await startMailboxBot(sandbox, env()));
    const outcomes = await Promise.all(bots.map((bot) => read(bot)));
    assert.deepEqual(outcomes.filter((o) => o === 'read').length, 1);
    assert.ok(outcomes.includes('not-holder'));
    await bots[0]!.connector.waitFor(() => (allDrafts().length >= 5 ? true : undefined), 20_000);
    const reader = bots[outcomes.indexOf('read')]!;
    // The reader stops; the other takes over once its lease runs out, and repeats nothing.
    await reader.stop();
    bots.splice(bots.indexOf(reader), 1);
    // The channel's messages go through the instance still running.
    await bots[0]!.say(megan, '<at>DSR Assistant</at> use this channel', CHANNEL);
    const before = drafts(bots[0]!).length;
    sandbox.inbox.deliver({
      subject: 'Shared',
      body: 'I ask for access to my data (GDPR).',
      from: { address: 'shared@example.org' },
    });
    assert.equal(await read(bots[0]!), 'read');
    await bots[0]!.connector.waitFor(
      () => (drafts(bots[0]!).some((card) => cardText(card).includes('Subject: Shared')) ? true : undefined),
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(drafts(bots[0]!).length, before + 1);
    const messageId = messageIdOf(draftAbout(drafts(bots[0]!), 'Subject: Shared')!);
    const answer = cardText(invokeCard(await bots[0]!.execute(megan, 'mailbox.dismiss', { messageId }, CHANNEL)));
    assert.match(answer, /Dismissed/);

    // Every instance stops; one starts again on the database, reads, and drafts nothing twice.
    await bots.splice(0)[0]!.stop();
    bots.push(await startMailboxBot(sandbox, env()));
    assert.equal(await read(bots[0]!), 'read');
    sandbox.inbox.deliver({
      subject: 'After restart',
      body: 'Delete my data (GDPR).',
      from: { address: 'r@example.org' },
    });
    assert.equal(await read(bots[0]!), 'read');
    await bots[0]!.connector.waitFor(() => (drafts(bots[0]!).length > 0 ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      drafts(bots[0]!).map((card) => /Subject: ([^\n]+)/.exec(cardText(card))?.[1]),
      ['After restart'],
    );
    const again = cardText(invokeCard(await bots[0]!.execute(adele, 'mailbox.dismiss', { messageId }, CHANNEL)));
    assert.match(again, /dismissed already/);
  });
});

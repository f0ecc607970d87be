import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootDialog } from '../../../teams/conversation/rootDialog.js';
import { ConversationClient } from '../../support/conversationClient.js';
import type { DsrServices } from '../../../teams/services.js';
import { validateIntake } from '../../../dsr/intake.js';
import { LowdbCaseStore } from '../../../storage/lowdbStore.js';
import { cardText } from '../../support/botHarness.js';
import { dialogServices } from '../../support/dialogServices.js';
import { cardProblems } from '../../support/cardRules.js';

const NOW = new Date('2026-03-10T12:00:00.000Z'); // a Tuesday
const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };

type Card = { body: unknown[] };
function cardIn(reply: unknown): Card | undefined {
  return (reply as { attachments?: Array<{ content: Card }> } | undefined)?.attachments?.[0]?.content;
}

/** The values the intake form's inputs hold, by field id. */
function inputValues(card: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (typeof element.type === 'string' && element.type.startsWith('Input.') && typeof element.id === 'string') {
      values[element.id] = typeof element.value === 'string' ? element.value : '';
    }
    Object.values(element).forEach(walk);
  };
  walk(card);
  return values;
}

const PASTED_GERMAN_MAIL = `neue Anfrage
Von: Monika Schulz <m.schulz@example.net>
Gesendet: Montag, 2. März 2026 08:31
Betreff: Meine Daten

Guten Tag, bitte löschen Sie mein Kundenkonto (Kundennummer 4711-0815) und alle meine Daten.

Mit freundlichen Grüßen
Monika Schulz`;

describe('requests from pasted text and phrasings in four languages', () => {
  let dir: string;
  let store: LowdbCaseStore;
  let services: DsrServices;
  let client: ConversationClient;
  const say = (text: string, locale = 'en-GB') => client.sendActivity({ type: 'message', text, locale });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-intake-text-'));
    store = new LowdbCaseStore(dir);
    await store.open();
    services = dialogServices(store, NOW, calendar);
    client = new ConversationClient(new RootDialog(services, store, { issue: () => 'https://bot.example/l' }));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('pre-fills the form from a pasted mail and lists each value with its source, in the reader’s language', async () => {
    const card = cardIn(await say(PASTED_GERMAN_MAIL, 'de-DE'));
    assert.deepEqual(cardProblems(card), []);
    const values = inputValues(card);
    assert.equal(values.subjectName, 'Monika Schulz');
    assert.equal(values.subjectEmails, 'm.schulz@example.net');
    assert.equal(values.customerNumber, '4711-0815');
    assert.equal(values.requestTypes, 'delete');
    assert.equal(values.subjectLanguage, 'de');
    assert.match(values.details!, /bitte löschen Sie mein Kundenkonto/);
    const text = cardText(card);
    assert.match(text, /Aus dem Text gelesen: bitte jeden Wert vor dem Absenden prüfen/);
    assert.match(text, /Löschung \(aus dem Text\)/);
    assert.match(text, /m\.schulz@example\.net \(Absender der zitierten Mail\)/);
  });

  it('opens the pre-filled form for a sentence that describes a request, instead of not understanding', async () => {
    const card = cardIn(await say('I got an email from a customer who wants all her data deleted'));
    assert.ok(card, 'an intake card');
    assert.equal(inputValues(card).requestTypes, 'delete');
    assert.match(cardText(card), /Asks for\s*erasure \(from the text\)/);
  });

  it('takes a pasted mail that opens with a greeting for a request, not for "hello"', async () => {
    const card = cardIn(
      await say('Hello,\nplease send me a copy of all personal data you hold about me.\nMy email is sam.k@example.org'),
    );
    assert.ok(card, 'an intake card');
    const values = inputValues(card);
    assert.equal(values.requestTypes, 'access');
    assert.equal(values.subjectEmails, 'sam.k@example.org');
  });

  it('shows a value from the text as text, never as a link or formatting', async () => {
    const card = cardIn(
      await say(
        'new request: my name is Evil Name, my email is **x**@example.org [click](https://evil.example) please delete my data',
      ),
    );
    const facts = JSON.stringify((card?.body[2] as { items: unknown[] }).items[1]);
    assert.match(facts, /Evil Name/);
    assert.doesNotMatch(facts, /\*\*x\*\*|\]\(https:\/\/evil/);
  });

  it('notes an objection the form has no box for, and a fifth language', async () => {
    const objection = cardText(
      cardIn(await say('new request: I object to the use of my data for marketing. Delete my account.')),
    );
    assert.match(objection, /object to processing \(Art\. 21\)/);
    const italian = cardText(
      cardIn(
        await say('new request: Buongiorno, vorrei sapere quali dati personali avete su di me. Grazie mille, saluti.'),
      ),
    );
    assert.match(italian, /another language \(ita\)/);
  });

  it('keeps a huge paste within the form’s limits and says it read only the beginning', async () => {
    const card = cardIn(await say(`new request\nPlease erase all my data.\n${'lorem ipsum '.repeat(5000)}`));
    assert.deepEqual(cardProblems(card), []);
    assert.ok(inputValues(card).details!.length <= 2000);
    assert.match(cardText(card), /only its beginning was read/);
  });

  for (const command of ['neue Anfrage', 'nouvelle demande', 'nueva solicitud', 'New request']) {
    it(`opens an empty form for "${command}"`, async () => {
      const card = cardIn(await say(command));
      assert.match(cardText(card), /New data subject request/);
      assert.doesNotMatch(cardText(card), /Read from the text/);
    });
  }

  for (const command of ['Hilfe', 'aide', 'ayuda']) {
    it(`answers "${command}" with the help`, async () => {
      assert.match(String((await say(command)).text), /new request/);
    });
  }

  async function fileCase(name: string, receivedDate: string) {
    const parsed = validateIntake(
      { subjectName: name, subjectEmails: 'p@example.org', requestTypes: 'access', receivedDate },
      NOW,
      calendar.timeZone,
    );
    assert.ok(parsed.ok);
    await services.cases.createCase({ id: 'user1', name: 'User' }, parsed.request, name);
  }

  for (const [question, locale, title] of [
    ["what's due this week?", 'en-GB', /Due by Sunday, 15 March 2026/],
    ['was ist diese Woche fällig?', 'de-DE', /Fällig bis Sonntag, 15\. März 2026/],
    ["qu'est-ce qui est à rendre cette semaine ?", 'fr-FR', /À traiter avant le dimanche 15 mars 2026/],
  ] as const) {
    it(`answers "${question}" with the requests due by Sunday`, async () => {
      await fileCase('Due Soon', '2026-02-12');
      await fileCase('Due Later', '2026-03-09');
      const reply = await say(question, locale);
      const text = cardText(cardIn(reply));
      assert.match(text, title);
      assert.match(text, /Due Soon/);
      assert.doesNotMatch(text, /Due Later/);
    });
  }

  it('says when nothing is due this week', async () => {
    await fileCase('Due Later', '2026-03-09');
    assert.match(
      String((await say('was ist diese Woche fällig', 'de-DE')).text),
      /Bis Sonntag, 15\. März 2026 ist nichts fällig/,
    );
  });

  it('lists the asker’s requests for "meine Anfragen" and "Status"', async () => {
    await fileCase('Jordan Lee', '2026-03-09');
    assert.match(cardText(cardIn(await say('meine Anfragen', 'de-DE'))), /Jordan Lee/);
    assert.match(cardText(cardIn(await say('Status', 'de-DE'))), /Jordan Lee/);
  });

  it('still does not understand what is no request', async () => {
    assert.match(String((await say('what is the weather like in Lyon')).text), /did not understand/);
  });
});

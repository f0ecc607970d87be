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

const NOW = new Date('2026-03-10T12:00:00.000Z');
const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };

function cardIn(reply: unknown): unknown {
  return (reply as { attachments?: Array<{ content: unknown }> } | undefined)?.attachments?.[0]?.content;
}

describe('the root dialog', () => {
  let dir: string;
  let store: LowdbCaseStore;
  let services: DsrServices;
  let client: ConversationClient;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-dialog-'));
    store = new LowdbCaseStore(dir);
    await store.open();
    services = dialogServices(store, NOW, calendar);
    client = new ConversationClient(new RootDialog(services, store, { issue: () => 'https://bot.example/link' }));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const phrase of ['new request', 'I received a DSR', 'got a data subject access request today']) {
    it(`opens the intake form for "${phrase}"`, async () => {
      const reply = await client.sendActivity(phrase);
      const text = cardText(cardIn(reply));
      assert.match(text, /New data subject request/);
      assert.match(text, /Full name/);
    });
  }

  it('fills in an email given with the request', async () => {
    const reply = await client.sendActivity('new request from maria.garcia@example.org');
    assert.match(JSON.stringify(cardIn(reply)), /"value":"maria.garcia@example.org"/);
  });

  it('answers "help" with what it can do', async () => {
    const reply = await client.sendActivity('help');
    assert.match(String(reply.text), /new request/);
    assert.match(String(reply.text), /status/);
  });

  it('says so when it does not understand', async () => {
    const reply = await client.sendActivity('what is the weather');
    assert.match(String(reply.text), /did not understand/);
  });

  it('lists the asker’s requests with their deadlines', async () => {
    const parsed = validateIntake(
      { subjectName: 'Jordan Lee', subjectEmails: 'jordan.lee@example.org', requestTypes: 'delete' },
      NOW,
      calendar.timeZone,
    );
    assert.ok(parsed.ok);
    // The test adapter's default user id, as the activity carries it.
    await services.cases.createCase({ id: 'user1', name: 'User' }, parsed.request, 'k');
    const reply = await client.sendActivity('status');
    const text = cardText(cardIn(reply));
    assert.match(text, /Your requests/);
    assert.match(text, /DSR-2026-0001/);
    assert.match(text, /Jordan Lee/);
    assert.match(text, /days left/);
  });

  it('does not show a case the asker did not file', async () => {
    const reply = await client.sendActivity('status DSR-2026-0042');
    assert.match(String(reply.text), /could not find DSR-2026-0042/);
  });
});

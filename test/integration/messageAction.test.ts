import assert from 'node:assert/strict';
import { BotHarness, cardText, type PostResult } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { alex, megan } from '../support/people.js';

interface TaskCard {
  actions: Array<{ type: string; data: { intakeId: string; verb: string } }>;
  body: unknown[];
}

function taskOf(result: PostResult): { type: string; value: unknown } {
  assert.equal(result.status, 200);
  return (result.body as { task: { type: string; value: unknown } }).task;
}

function cardInTask(result: PostResult): TaskCard {
  const task = taskOf(result);
  assert.equal(task.type, 'continue');
  return (task.value as { card: { content: TaskCard } }).card.content;
}

function inputValue(card: unknown, id: string): string | undefined {
  let found: string | undefined;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (element.id === id && typeof element.value === 'string') found = element.value;
    Object.values(element).forEach(walk);
  };
  walk(card);
  return found;
}

const MESSAGE_HTML =
  '<p>Hi team, a customer just wrote to me:</p><blockquote>Bonjour, je m&#39;appelle Lucie Bernard. Merci de supprimer mon compte et toutes mes données. Mon adresse e-mail est lucie.bernard@example.net.</blockquote>';

describe('the "Record as privacy request" message action over HTTP', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  const invoke = (name: string, value: Record<string, unknown>, locale = 'en-GB') =>
    bot.post({ ...bot.base(alex, 'channel-sales;messageid=1'), type: 'invoke', name, locale, value });

  const fetchTask = (locale?: string) =>
    invoke(
      'composeExtension/fetchTask',
      {
        commandId: 'recordPrivacyRequest',
        commandContext: 'message',
        messagePayload: {
          id: '1700000000000',
          body: { contentType: 'html', content: MESSAGE_HTML },
          from: { user: { id: megan.aadObjectId, displayName: 'Megan Bowen' } },
        },
      },
      locale,
    );

  it('opens the intake form in a task module, filled in from the message and listed in the reader’s language', async () => {
    const card = cardInTask(await fetchTask('fr-FR'));
    assert.deepEqual(cardProblems(card), []);
    assert.equal(inputValue(card, 'subjectName'), 'Lucie Bernard');
    assert.equal(inputValue(card, 'subjectEmails'), 'lucie.bernard@example.net');
    assert.equal(inputValue(card, 'requestTypes'), 'delete');
    assert.equal(inputValue(card, 'subjectLanguage'), 'fr');
    assert.match(cardText(card), /Lu dans le texte/);
    assert.match(cardText(card), /effacement \(lu dans le texte\)/);
    assert.deepEqual(
      card.actions.map((action) => action.type),
      ['Action.Submit'],
    );
  });

  it('records the request when the form is submitted, once, and shows what is wrong first', async () => {
    const card = cardInTask(await fetchTask());
    const { intakeId, verb } = card.actions[0]!.data;
    const form = {
      intakeId,
      verb,
      subjectName: 'Lucie Bernard',
      subjectEmails: 'not-an-email',
      requestTypes: 'delete',
      subjectRole: 'customer',
      regulation: 'GDPR',
      identityCheck: 'not-yet',
      subjectLanguage: 'fr',
    };
    const refused = cardInTask(
      await invoke('composeExtension/submitAction', { commandId: 'recordPrivacyRequest', data: form }),
    );
    assert.match(cardText(refused), /"not-an-email" is not an email address/);
    assert.equal(refused.actions[0]!.data.intakeId, intakeId);

    const submit = () =>
      invoke('composeExtension/submitAction', {
        commandId: 'recordPrivacyRequest',
        data: { ...form, subjectEmails: 'lucie.bernard@example.net' },
      });
    const recorded = taskOf(await submit());
    assert.equal(recorded.type, 'message');
    assert.match(String(recorded.value), /Request recorded: DSR-\d{4}-0001/);
    // Pressed twice (a retry): the same case, no second one.
    assert.match(String(taskOf(await submit()).value), /DSR-\d{4}-0001/);
    const status = await bot.say(alex, 'status');
    assert.doesNotMatch(JSON.stringify(status), /DSR-\d{4}-0002/);
  });

  it('answers an unknown command or a broken submission with a message and records nothing', async () => {
    const unknown = taskOf(await invoke('composeExtension/fetchTask', { commandId: 'somethingElse' }));
    assert.equal(unknown.type, 'message');
    const broken = taskOf(
      await invoke('composeExtension/submitAction', { commandId: 'recordPrivacyRequest', data: 'junk' }),
    );
    assert.equal(broken.type, 'message');
    const incomplete = taskOf(
      await invoke('composeExtension/submitAction', { commandId: 'recordPrivacyRequest', data: { verb: 'x' } }),
    );
    assert.equal(incomplete.type, 'message');
    assert.match(String(incomplete.value), /incomplete/);
  });
});

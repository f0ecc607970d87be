import assert from 'node:assert/strict';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { alex, megan } from '../support/people.js';

function formOf(card: Record<string, unknown>): { intakeId: string } {
  const actions = card.actions as Array<{ verb: string; data: { intakeId: string } }>;
  const submit = actions.find((action) => action.verb === 'intake.submit');
  assert.ok(submit, 'the intake card has a submit action');
  return submit.data;
}

const validForm = {
  subjectName: 'Maria Garcia',
  subjectEmails: 'maria.garcia@example.org',
  subjectRole: 'customer',
  requestTypes: 'access,delete',
  regulation: 'GDPR',
  identityCheck: 'not-yet',
  details: 'Asked by email to see and then delete her data.',
};

describe('intake over HTTP', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  async function openForm(): Promise<string> {
    const replies = await bot.say(alex, 'I received a DSR');
    const card = cardOf(replies[0]);
    assert.ok(card, 'the bot answers with a card');
    return formOf(card).intakeId;
  }

  it('answers "new request" with an intake card and creates a case from it', async () => {
    const intakeId = await openForm();
    const result = await bot.execute(alex, 'intake.submit', { intakeId, ...validForm });
    assert.equal(result.status, 200);
    const text = cardText(invokeCard(result));
    assert.match(text, /Request recorded: DSR-\d{4}-0001/);
    assert.match(text, /Maria Garcia/);
    assert.match(text, /Access, Erasure/);
    assert.match(text, /\d+ days left/);
  });

  it('shows what is wrong on the card and creates nothing', async () => {
    const intakeId = await openForm();
    const result = await bot.execute(alex, 'intake.submit', {
      intakeId,
      ...validForm,
      subjectEmails: 'not-an-email',
    });
    const text = cardText(invokeCard(result));
    assert.match(text, /"not-an-email" is not an email address/);
    const status = await bot.say(alex, 'status');
    assert.match(cardText(cardOf(status[0])), /no requests here yet/);
  });

  it('creates one case when the same card is submitted twice at once', async () => {
    const intakeId = await openForm();
    const [first, second] = await Promise.all([
      bot.execute(alex, 'intake.submit', { intakeId, ...validForm }),
      bot.execute(alex, 'intake.submit', { intakeId, ...validForm }),
    ]);
    const ids = [first, second].map((r) => /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(r)))?.[0]);
    assert.equal(ids[0], ids[1]);
    const cases = await bot.app.store.listCases({});
    assert.equal(cases.length, 1);
  });

  it('lists only the asker’s own requests', async () => {
    const intakeId = await openForm();
    await bot.execute(alex, 'intake.submit', { intakeId, ...validForm });
    const mine = cardText(cardOf((await bot.say(alex, 'my requests'))[0]));
    assert.match(mine, /Maria Garcia/);
    const adeleOther = { ...megan, id: '29:other', aadObjectId: 'b0000000-0000-4000-8000-00000000000f', name: 'Other' };
    const theirs = cardText(cardOf((await bot.say(adeleOther, 'status'))[0]));
    assert.doesNotMatch(theirs, /Maria Garcia/);
    const probe = await bot.say(adeleOther, 'status DSR-2026-0001');
    assert.match(String(probe[0]?.text), /could not find DSR-2026-0001/);
  });
});

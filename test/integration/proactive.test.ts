import assert from 'node:assert/strict';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { FakeConnector } from '../support/fakeConnector.js';
import { alex, megan } from '../support/people.js';

const CHANNEL = '19:privacy-requests@thread.tacv2';
const APOLOGY = /Something went wrong on my side/;

describe('messages the bot sends on its own, through the real server', function () {
  this.timeout(60_000);
  let bot: BotHarness;

  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  async function fileCase(): Promise<string> {
    const replies = await bot.say(alex, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const result = await bot.execute(alex, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
  }

  const triagePosts = () =>
    bot.connector
      .delivered()
      .filter((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes('New data subject request'));

  for (const answer of [503, 500, 412, 429]) {
    it(`posts the triage card once after a ${answer}, and never apologises into the channel`, async () => {
      const caseId = await fileCase();
      let refused = 0;
      bot.connector.respondWith((call) =>
        call.path === '/v3/conversations' && refused++ === 0
          ? { status: answer, headers: { 'retry-after': '0' }, body: { error: { code: 'ServiceError' } } }
          : undefined,
      );
      await bot.say(megan, '<at>DSR Assistant</at> use this channel', CHANNEL);
      await bot.connector.waitFor(() => (triagePosts().length > 0 ? true : undefined), 20_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(triagePosts().length, 1);
      assert.match(JSON.stringify(triagePosts()[0]!.body), new RegExp(caseId));
      const everything = JSON.stringify(bot.connector.calls.map((c) => c.body));
      assert.doesNotMatch(everything, APOLOGY);
    });
  }

  it('sends a waiting message to the address its conversation moved to', async () => {
    const caseId = await fileCase();
    // The channel moves to another service address (Teams moved the tenant); the old one no longer posts.
    const moved = new FakeConnector();
    await moved.start();
    try {
      bot.connector.respondWith((call) => (call.path === '/v3/conversations' ? { status: 503 } : undefined));
      await bot.say(megan, '<at>DSR Assistant</at> use this channel', CHANNEL);
      await bot.connector.waitFor(() => (bot.connector.calls.some((c) => c.status === 503) ? true : undefined));
      await bot.post({
        ...bot.base(megan, CHANNEL),
        serviceUrl: moved.url,
        type: 'message',
        text: '<at>DSR Assistant</at> help',
      });
      const posted = await moved.waitFor(
        () => moved.delivered().find((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(caseId)),
        20_000,
      );
      assert.ok(posted);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(moved.delivered().filter((c) => c.path === '/v3/conversations').length, 1, 'posted once');
      assert.equal(triagePosts().length, 0, 'nothing went through at the old address');
    } finally {
      await moved.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sinon from 'sinon';
import { BotHarness, cardText, invokeCard } from '../support/botHarness.js';
import { intakeSubmission } from '../support/intakeSubmission.js';
import { ChannelIdentity, TEST_ISSUER } from '../support/channelIdentity.js';
import { alex } from '../support/people.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';

const APP_ID = '6a1c7a9e-8d3b-4c1f-9f0a-2b7e5d4c3a21';

describe('inbound authentication with an App ID', () => {
  const identity = new ChannelIdentity();
  let bot: BotHarness;

  before(() => identity.start());
  after(() => identity.stop());
  beforeEach(async () => {
    // The SDK prints every rejected token to the console; the assertions below are what matter.
    sinon.stub(console, 'error');
    bot = await new BotHarness({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-used-by-these-tests',
      MicrosoftAppType: 'MultiTenant',
      DSR_CASE_RETENTION_DAYS: '365',
      DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
      DSR_AUDIT_KEY: 'audit-key-for-tests-0123456789abcdef',
      ToBotFromChannelOpenIdMetadataUrl: identity.metadataUrl,
      ToBotFromChannelTokenIssuer: TEST_ISSUER,
    }).start();
  });
  afterEach(async () => {
    sinon.restore();
    await bot.stop();
  });

  function submission() {
    return { ...bot.base(alex), ...intakeSubmission() };
  }

  it('refuses a request without a token and changes nothing', async () => {
    const result = await bot.post(submission());
    assert.equal(result.status, 401);
    assert.equal((await bot.app.store.listCases({})).length, 0);
  });

  it('refuses a token signed with another key and changes nothing', async () => {
    const token = identity.forgedToken(APP_ID, bot.connector.url);
    const result = await bot.post(submission(), { authorization: `Bearer ${token}` });
    assert.equal(result.status, 401);
    assert.equal((await bot.app.store.listCases({})).length, 0);
  });

  it('refuses a genuine token issued for another bot', async () => {
    const token = identity.token(randomUUID(), bot.connector.url);
    const result = await bot.post(submission(), { authorization: `Bearer ${token}` });
    assert.equal(result.status, 401);
    assert.equal((await bot.app.store.listCases({})).length, 0);
  });

  it('accepts a genuine channel token', async () => {
    const token = identity.token(APP_ID, bot.connector.url);
    const result = await bot.post(submission(), { authorization: `Bearer ${token}` });
    assert.equal(result.status, 200);
    assert.match(cardText(invokeCard(result)), /Request recorded: DSR-/);
    assert.equal((await bot.app.store.listCases({})).length, 1);
  });
});

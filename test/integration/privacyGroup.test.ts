import assert from 'node:assert/strict';
import { PRIVACY_TEAM_GROUP_ID, people } from '../../sandbox/index.js';
import { BotHarness } from '../support/botHarness.js';
import type { TeamsUser } from '../support/people.js';

const CHANNEL = '19:privacy-requests@thread.tacv2;messageid=1';
const meganInEntra: TeamsUser = { id: '29:megan-entra', aadObjectId: people.meganBowen, name: 'Megan Bowen' };
const alexInEntra: TeamsUser = { id: '29:alex-entra', aadObjectId: people.alexWilber, name: 'Alex Wilber' };

describe('the privacy team as an Entra group, looked up through Microsoft Graph', () => {
  let bot: BotHarness;
  beforeEach(async () => {
    // A local run searches (and here asks Graph in) the built-in sandbox, through real tokens over HTTPS.
    bot = await new BotHarness({ DSR_PRIVACY_TEAM_IDS: '', DSR_PRIVACY_TEAM_GROUP_ID: PRIVACY_TEAM_GROUP_ID }).start();
  });
  afterEach(() => bot.stop());

  it('lets a member of the group choose the channel and refuses someone outside it', async function () {
    this.timeout(30_000);
    const outsider = await bot.say(alexInEntra, '<at>DSR Assistant</at> use this channel', CHANNEL);
    assert.match(String(outsider[0]?.text), /Only a member of the privacy team/);
    const member = await bot.say(meganInEntra, '<at>DSR Assistant</at> use this channel', CHANNEL);
    assert.match(String(member[0]?.text), /now receives every new data subject request/);
  });
});

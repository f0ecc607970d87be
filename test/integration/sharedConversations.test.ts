import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { alex, megan, type TeamsUser } from '../support/people.js';

const PRIVACY_CHANNEL = '19:privacy-requests@thread.tacv2';
const OTHER_CHANNEL = '19:general@thread.tacv2;messageid=42';
const GROUP_CHAT = '19:lunch-group@thread.v2';
const SUBJECT = 'Maria Garcia';
const SUBJECT_EMAIL = 'maria.garcia@example.org';

describe('privacy in group chats and other channels, through the real server', function () {
  this.timeout(60_000);
  let bot: BotHarness;

  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  /** Alex files a request for Maria from his 1:1 chat; Megan makes the privacy channel hers. */
  async function fileCase(): Promise<string> {
    await bot.say(megan, '<at>DSR Assistant</at> use this channel', PRIVACY_CHANNEL);
    const replies = await bot.say(alex, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const result = await bot.execute(alex, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: SUBJECT,
      subjectEmails: SUBJECT_EMAIL,
      requestTypes: 'access',
    });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
  }

  /** A message that mentions the bot in a group chat or a channel, as Teams sends it. */
  async function sayIn(
    conversation: { id: string; conversationType: 'groupChat' | 'channel' },
    user: TeamsUser,
    text: string,
    tenant: string | null = 'tenant-1',
  ): Promise<Array<Record<string, unknown>>> {
    const mention = '<at>DSR Assistant</at>';
    const activity = {
      ...bot.base(user, conversation.id),
      id: randomUUID(),
      type: 'message',
      text: `${mention} ${text}`,
      entities: [{ type: 'mention', text: mention, mentioned: { id: '28:dsr-bot', name: 'DSR Assistant' } }],
      conversation: { ...conversation, isGroup: true, ...(tenant ? { tenantId: tenant } : {}) },
      channelData: tenant ? { tenant: { id: tenant } } : {},
    };
    const before = bot.connector.sent(conversation.id).length;
    const result = await bot.post(activity);
    assert.ok(result.status < 300, `POST /api/messages answered ${result.status}`);
    return bot.connector.sent(conversation.id).slice(before);
  }
  const groupChat = { id: GROUP_CHAT, conversationType: 'groupChat' } as const;
  const sayInGroupChat = (user: TeamsUser, text: string, tenant?: string | null) =>
    sayIn(groupChat, user, text, tenant);

  function assertNothingPersonal(replies: Array<Record<string, unknown>>): void {
    const shown = JSON.stringify(replies);
    assert.doesNotMatch(shown, /Maria|Garcia|maria\.garcia/i);
    assert.doesNotMatch(shown, /DSR-\d{4}/);
    for (const reply of replies) assert.equal(cardOf(reply), undefined, 'no card in a shared conversation');
  }

  const personalMessages = (user: TeamsUser) => bot.connector.sent(bot.personalConversation(user));

  it('answers "status" in a group chat with a pointer, and the list in the 1:1 chat', async () => {
    const caseId = await fileCase();
    const before = personalMessages(alex).length;
    const replies = await sayInGroupChat(alex, 'status');
    assert.equal(replies.length, 1);
    assert.match(String(replies[0]!.text), /1:1 chat/);
    assertNothingPersonal(replies);
    const delivered = await bot.connector.waitFor(() =>
      personalMessages(alex)
        .slice(before)
        .find((activity) => cardOf(activity) && cardText(cardOf(activity)).includes(SUBJECT)),
    );
    assert.match(cardText(cardOf(delivered)), new RegExp(caseId));
  });

  it('sends the intake form for "new request" in a group chat to the 1:1 chat, not to the group', async () => {
    await fileCase();
    const before = personalMessages(alex).length;
    const replies = await sayInGroupChat(alex, `new request for ${SUBJECT_EMAIL}`);
    assert.equal(replies.length, 1);
    assert.match(String(replies[0]!.text), /request form to our 1:1 chat/);
    assertNothingPersonal(replies);
    const form = await bot.connector.waitFor(() =>
      personalMessages(alex)
        .slice(before)
        .find((activity) => cardOf(activity)),
    );
    assert.match(JSON.stringify(cardOf(form)), /intake\.submit/);
  });

  it('opens a 1:1 chat for "status" in another channel when the bot has none with the person', async () => {
    await fileCase();
    // Megan has only ever written in channels: the bot has no 1:1 chat with her yet.
    const replies = await sayIn({ id: OTHER_CHANNEL, conversationType: 'channel' }, megan, 'status');
    assert.equal(replies.length, 1);
    assert.match(String(replies[0]!.text), /1:1 chat/);
    assertNothingPersonal(replies);
    const opened = await bot.connector.waitFor(() =>
      bot.connector.calls.find(
        (call) =>
          call.path === '/v3/conversations' &&
          (call.body.members as Array<{ id: string }> | undefined)?.[0]?.id === megan.aadObjectId,
      ),
    );
    assert.equal(opened.body.isGroup, false);
    const list = await bot.connector.waitFor(() =>
      bot.connector
        .sent()
        .find(
          (activity) =>
            (activity.conversation as { conversationType?: string } | undefined)?.conversationType === 'personal' &&
            JSON.stringify(activity).includes(SUBJECT),
        ),
    );
    assert.ok(cardOf(list));
    assertNothingPersonal(bot.connector.sent(OTHER_CHANNEL));
  });

  it('asks to be written to in 1:1 when it cannot open that chat, still naming no one', async () => {
    await fileCase();
    // No tenant on the activity: a 1:1 chat cannot be created for Megan.
    const replies = await sayInGroupChat(megan, 'status', null);
    assert.equal(replies.length, 1);
    assert.match(String(replies[0]!.text), /Write to me in our 1:1 chat/);
    assertNothingPersonal(replies);
  });

  it('answers a button on an old case card in a group chat in the 1:1 chat, leaving a neutral card', async () => {
    const caseId = await fileCase();
    await bot.say(megan, 'help');
    const version = (await bot.app.store.getCase(caseId))!.version;
    const before = personalMessages(megan).length;
    const threadsBefore = bot.connector.sent(GROUP_CHAT).length;
    // A triage card posted in the group chat before shared conversations stopped getting cards.
    const press = (verb: string, data: Record<string, unknown>) =>
      bot.post({
        ...bot.base(megan, GROUP_CHAT),
        conversation: { id: GROUP_CHAT, conversationType: 'groupChat', isGroup: true, tenantId: 'tenant-1' },
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb, data } },
      });
    const pressed = await press('triage.verifyIdentity', { caseId, version });
    const neutral = invokeCard(pressed);
    assert.match(cardText(neutral), /answered in our 1:1 chat/);
    assert.doesNotMatch(JSON.stringify(neutral), /Maria|Garcia|maria\.garcia|DSR-\d{4}|Action\./i);
    assert.equal(neutral.refresh, undefined);
    // Nothing changed on the case, and nothing was posted in the group chat.
    const after = (await bot.app.store.getCase(caseId))!;
    assert.equal(after.version, version);
    assert.equal(after.identityVerified, null);
    assert.equal(bot.connector.sent(GROUP_CHAT).length, threadsBefore);
    // The case, as Megan may see it, waits in her 1:1 chat to continue there.
    const delivered = await bot.connector.waitFor(() =>
      personalMessages(megan)
        .slice(before)
        .find((activity) => cardOf(activity) && cardText(cardOf(activity)).includes(SUBJECT)),
    );
    assert.match(cardText(cardOf(delivered)), /Identity verified|Before you approve/);

    // The card's automatic refresh there gets the neutral card too, and nothing in the 1:1 chat.
    const count = personalMessages(megan).length;
    const refreshed = invokeCard(await press('triage.refresh', { caseId }));
    assert.match(cardText(refreshed), /answered in our 1:1 chat/);
    assert.doesNotMatch(JSON.stringify(refreshed), /Maria|Garcia|DSR-\d{4}/);
    assert.equal(personalMessages(megan).length, count);

    // An outsider's press on such a card learns nothing about the case either.
    const forged = invokeCard(
      await bot.post({
        ...bot.base({ id: '29:eve', aadObjectId: 'e0000000-0000-4000-8000-00000000000e', name: 'Eve' }, GROUP_CHAT),
        conversation: { id: GROUP_CHAT, conversationType: 'groupChat', isGroup: true, tenantId: 'tenant-1' },
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'triage.approve', data: { caseId, version } } },
      }),
    );
    assert.doesNotMatch(JSON.stringify(forged), /Maria|Garcia|DSR-\d{4}/);
    assert.equal((await bot.app.store.getCase(caseId))!.decision, null);
  });

  for (const command of ['my requests', 'status CASE', 'reminders', 'audit CASE']) {
    it(`answers "${command}" in a group chat only in the 1:1 chat`, async () => {
      const caseId = await fileCase();
      const before = bot.connector.sent().length;
      const replies = await sayInGroupChat(megan, command.replace('CASE', caseId));
      assert.equal(replies.length, 1);
      assert.match(String(replies[0]!.text), /to our 1:1 chat/);
      assertNothingPersonal(replies);
      // The full answer travelled to a 1:1 chat the bot opened with Megan.
      await bot.connector.waitFor(() =>
        bot.connector
          .sent()
          .slice(before)
          .find(
            (activity) =>
              (activity.conversation as { conversationType?: string } | undefined)?.conversationType === 'personal',
          ),
      );
    });
  }

  it('keeps full answers in the privacy team channel', async () => {
    const caseId = await fileCase();
    const replies = await sayIn({ id: PRIVACY_CHANNEL, conversationType: 'channel' }, megan, 'status');
    const text = cardText(cardOf(replies[0]));
    assert.match(text, new RegExp(SUBJECT));
    assert.match(text, new RegExp(caseId));
  });
});

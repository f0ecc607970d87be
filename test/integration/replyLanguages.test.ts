import assert from 'node:assert/strict';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { alex, megan, type TeamsUser } from '../support/people.js';

/** The bot's typed replies, not only its cards, in the language of the person's Teams locale. */
describe('replies in the person’s language', () => {
  let bot: BotHarness;

  beforeEach(async () => {
    bot = await new BotHarness().start();
  });
  afterEach(() => bot.stop());

  /** Sends a message from a Teams client set to `locale` and returns what the bot answered there. */
  async function sayIn(locale: string, user: TeamsUser, text: string, conversationId?: string) {
    const activity = { ...bot.base(user, conversationId), type: 'message', text, locale };
    const before = bot.connector.sent(activity.conversation.id).length;
    const result = await bot.post(activity);
    assert.ok(result.status < 300, String(result.status));
    return bot.connector.sent(activity.conversation.id).slice(before);
  }

  async function fileCase(user: TeamsUser): Promise<string> {
    const replies = await bot.say(user, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const result = await bot.execute(user, 'intake.submit', {
      intakeId: actions[0]!.data.intakeId,
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access',
    });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(result)))![0];
  }

  it('welcomes a German member on install in German', async () => {
    const installed = await bot.post({
      ...bot.base(megan),
      type: 'conversationUpdate',
      locale: 'de-DE',
      membersAdded: [{ id: megan.id, aadObjectId: megan.aadObjectId }],
    });
    assert.ok(installed.status < 300, String(installed.status));
    const welcome = String(bot.connector.sent(bot.personalConversation(megan))[0]?.text);
    assert.match(welcome, /^Hallo! Ich helfe Ihnen/);
    assert.match(welcome, /\*\*neue Anfrage\*\*/);
    assert.doesNotMatch(welcome, /Hello!/);
  });

  it('sends the request form with a German summary and says in French and Spanish what it did not understand', async () => {
    const [form] = await sayIn('de-DE', alex, 'neue Anfrage');
    assert.ok(cardOf(form), 'the intake form came');
    assert.equal(form?.summary, 'Formular für eine neue Betroffenenanfrage');
    const [french] = await sayIn('fr-FR', alex, 'blabla');
    assert.match(String(french?.text), /^Désolé|nouvelle demande/);
    const [spanish] = await sayIn('es-ES', alex, 'blabla');
    assert.match(String(spanish?.text), /\*\*nueva solicitud\*\*/);
  });

  it('answers the choice of the privacy channel in French, with the French plural', async () => {
    const refused = await sayIn('fr-FR', megan, 'use this channel');
    assert.match(String(refused[0]?.text), /^Écrivez ceci dans le canal d’équipe/);
    const channel = '19:privacy@thread.tacv2';
    const outsider = await sayIn('fr-FR', alex, '<at>DSR Assistant</at> use this channel', channel);
    assert.match(String(outsider[0]?.text), /^Seul un membre de l’équipe de protection des données/);
    await fileCase(alex);
    await fileCase(alex);
    const chosen = await sayIn('fr-FR', megan, '<at>DSR Assistant</at> use this channel', channel);
    const text = chosen.map((activity) => String(activity.text)).find((line) => /Ce canal/.test(line));
    assert.match(String(text), /^Ce canal reçoit désormais .* J’y ai publié les 2 demandes qui attendaient\.$/);
  });

  it('answers the audit exports in Spanish', async () => {
    const unnamed = await sayIn('es-ES', megan, 'export audit');
    assert.equal(unnamed[0]?.text, 'Indique el caso, por ejemplo **export audit DSR-2026-0001**.');
    const missing = await sayIn('es-ES', megan, 'export case file DSR-2099-0042');
    assert.equal(missing[0]?.text, 'No existe el caso DSR-2099-0042.');
    const caseId = await fileCase(alex);
    const link = await sayIn('es-ES', megan, `export audit ${caseId}`);
    assert.match(String(link[0]?.text), new RegExp(`^Aquí tiene el registro de auditoría de ${caseId} en CSV`));
  });

  it('checks the audit trail and snoozes reminders in German, with a German date', async () => {
    const caseId = await fileCase(alex);
    const verified = await sayIn('de-DE', megan, 'verify audit');
    assert.match(String(verified[0]?.text), /^Das Audit-Protokoll ist unversehrt: \d+ Einträge/);
    const snoozed = await sayIn('de-DE', megan, `snooze ${caseId} for 3 days because wir warten auf die Personalakte`);
    assert.match(
      String(snoozed[0]?.text),
      new RegExp(
        `^Die Erinnerungen zu ${caseId} sind bis \\p{L}+, \\d{1,2}\\. \\p{L}+ \\d{4}, \\d{2}:\\d{2} Uhr `,
        'u',
      ),
    );
  });

  it('refuses a card press that names no case in German', async () => {
    const pressed = await bot.post({
      ...bot.base(alex),
      type: 'invoke',
      name: 'adaptiveCard/action',
      locale: 'de-DE',
      value: { action: { type: 'Action.Execute', verb: 'case.refresh', data: {} } },
    });
    assert.match(JSON.stringify(pressed.body), /Diese Karte nennt keinen Fall\./);
    const submitted = await bot.post({
      ...bot.base(alex),
      type: 'invoke',
      name: 'adaptiveCard/action',
      locale: 'fr-FR',
      value: { action: { type: 'Action.Execute', verb: 'intake.submit', data: {} } },
    });
    assert.match(JSON.stringify(submitted.body), /Ce formulaire est incomplet\. Écrivez « nouvelle demande »/);
  });
});

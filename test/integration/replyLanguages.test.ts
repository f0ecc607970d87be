import assert from 'node:assert/strict';
import { subjects } from '../../sandbox/index.js';
import { BotHarness, cardOf, cardText, invokeCard, type PostResult } from '../support/botHarness.js';
import { CASE_THREAD, CaseFlow } from '../support/caseFlow.js';
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

  /** A press on a card from a Teams client set to `locale`; what came back, as text. */
  async function pressIn(locale: string, user: TeamsUser, verb: string, data: Record<string, unknown>) {
    const result: PostResult = await bot.post({
      ...bot.base(user, CASE_THREAD),
      type: 'invoke',
      name: 'adaptiveCard/action',
      locale,
      replyToId: 'card-1',
      value: { action: { type: 'Action.Execute', verb, data } },
    });
    const body = result.body as { type?: string };
    return body.type === 'application/vnd.microsoft.card.adaptive'
      ? cardText(invokeCard(result))
      : JSON.stringify(body);
  }

  it('words the case service’s refusals and each card family’s own in German, French and Spanish', async () => {
    const flow = new CaseFlow(() => bot);
    const caseId = await flow.file(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: 'maria.garcia@example.org',
      requestTypes: 'access,delete',
    });
    const before = await flow.version(caseId);
    await pressIn('de-DE', megan, 'triage.verifyIdentity', { caseId, version: before });
    const version = await flow.version(caseId);
    // The case service: a card that saw an older version, and an approval with checks left open.
    const stale = await pressIn('de-DE', megan, 'triage.note', { caseId, version: before, text: 'Rückruf' });
    assert.match(stale, /Dieser Fall hat sich geändert, seit Sie ihn angesehen haben; hier ist der aktuelle Stand\./);
    const open = await pressIn('fr-FR', megan, 'triage.approve', { caseId, version });
    assert.match(
      open,
      /Confirmez chaque vérification avant d’approuver\. Encore ouvert : La personne et son rôle sont identifiés à partir de ce qu’elle nous a fourni ; L’heure/,
    );
    assert.doesNotMatch(open, /Affirm every check/);
    // The plan's handlers: someone outside the team, and a plan before the approval.
    const outsider = await pressIn('de-DE', alex, 'plan.create', { caseId, version });
    assert.match(outsider, /Nur das Datenschutzteam kann den Plan abarbeiten\./);
    const early = await pressIn('fr-FR', megan, 'plan.create', { caseId, version });
    assert.match(early, /Ce n’est pas possible tant que le dossier est au statut « Reçue »\./);
    // Discovery before the approval, and a change step the card does not name.
    const search = await pressIn('es-ES', megan, 'discovery.find', { caseId, version });
    assert.match(search, /Apruebe la solicitud antes de buscar los datos de la persona\./);
    const change = await pressIn('de-DE', megan, 'plan.preview', { caseId, version });
    assert.match(change, /Diese Karte nennt keinen Schritt, in dem der Bot Daten ändert\./);
    // The package's file card answered by someone it was not sent to.
    const consent = await bot.post({
      ...bot.base(alex),
      type: 'invoke',
      name: 'fileConsent/invoke',
      locale: 'es-ES',
      value: { type: 'fileUpload', action: 'decline', context: { caseId, packageId: 'p1', userId: megan.id } },
    });
    assert.ok(consent.status < 300, String(consent.status));
    const told = bot.connector.sent(bot.personalConversation(alex)).map((activity) => String(activity.text));
    assert.ok(told.includes('Este archivo no está disponible para usted.'), told.join(' | '));
  });

  it('shows a guided step’s instructions, the guide’s links and why a step does not apply in German, French and Spanish', async function () {
    this.timeout(60_000);
    const flow = new CaseFlow(() => bot);
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: subjects.mariaGarcia.email,
      requestTypes: 'access,delete',
    });
    const version = await flow.version(caseId);
    // Each instruction, and the guide's link: Microsoft's address under a title in the reader's language.
    const shown = {
      'de-DE': [
        /Systemgenerierte Protokolle werden gelöscht, wenn das Konto der Person endgültig aus Entra ID gelöscht wird/,
        /In diesem System wurde nichts über die Person gefunden\./,
      ],
      'fr-FR': [
        /Les journaux générés par le système sont supprimés lorsque le compte de l’utilisateur est définitivement supprimé/,
        /\[Portail d’approbation de services \(Service Trust Portal\)\]\(https:\/\/servicetrust\.microsoft\.com\/\)/,
      ],
      'es-ES': [
        /Los registros generados por el sistema se eliminan cuando la cuenta del usuario se elimina definitivamente/,
        /\[Portal de confianza de servicios \(Service Trust Portal\)\]\(https:\/\/servicetrust\.microsoft\.com\/\)/,
      ],
    };
    for (const [locale, expected] of Object.entries(shown)) {
      const plan = await pressIn(locale, megan, 'plan.show', { caseId, version, page: 0 });
      const pages = [plan];
      const found = () => expected.every((line) => pages.some((text) => line.test(text)));
      // The steps may sit on later pages of the plan.
      for (let page = 1; !found() && page < 5; page++)
        pages.push(await pressIn(locale, megan, 'plan.show', { caseId, version, page }));
      assert.ok(found(), `${locale}: ${pages.join('\n---\n').slice(0, 3000)}`);
      assert.ok(!pages.some((text) => /are deleted when the user's account is permanently deleted/.test(text)));
      assert.ok(!pages.some((text) => /\[Service Trust Portal\]/.test(text)) || locale === 'de-DE');
    }
  });

  it('posts a new case in the privacy channel in the language the team set, whoever filed it', async () => {
    await bot.stop();
    bot = await new BotHarness({ DSR_CHANNEL_LANGUAGE: 'fr' }).start();
    const channel = '19:privacy@thread.tacv2';
    await sayIn('de-DE', megan, '<at>DSR Assistant</at> use this channel', `${channel};messageid=1`);
    const caseId = await fileCase(alex);
    const thread = await bot.connector.waitFor(() =>
      bot.connector.calls.find((c) => c.method === 'POST' && c.path === '/v3/conversations'),
    );
    const activity = thread.body.activity as Record<string, unknown>;
    assert.equal(activity.summary, `Nouvelle demande de personne concernée ${caseId}`);
    const text = cardText(cardOf(activity));
    assert.match(text, /Identité vérifiée/);
    assert.doesNotMatch(text, /Identity verified|Identität bestätigt/);
  });
});

import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleRegisterPath } from '../../dsr/letters/register.js';
import { builtInTemplatesDir } from '../../dsr/letters/templates.js';
import { BotHarness, cardOf, cardText, invokeCard } from '../support/botHarness.js';
import { alex } from '../support/people.js';

/** Every text of the register in English, given in `language` too, as an organisation adding it would write. */
function withLanguage(node: unknown, language: string): unknown {
  if (Array.isArray(node)) return node.map((n) => withLanguage(n, language));
  if (!node || typeof node !== 'object') return node;
  const record = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withLanguage(v, language)]));
  return typeof record.en === 'string' ? { ...record, [language]: `[${language}] ${record.en}` } : record;
}

/** An organisation adds Italian: templates in its own folder, and the register's texts in Italian. */
describe('the languages the intake card offers', () => {
  let bot: BotHarness;
  let dir = '';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-letters-'));
    await cp(join(builtInTemplatesDir(), 'en'), join(dir, 'letters', 'it'), { recursive: true });
    const register = JSON.parse(await readFile(exampleRegisterPath(), 'utf8')) as unknown;
    await writeFile(join(dir, 'processing.json'), JSON.stringify(withLanguage(register, 'it')));
    bot = await new BotHarness({
      DSR_LETTERS_DIR: join(dir, 'letters'),
      DSR_PROCESSING_FILE: join(dir, 'processing.json'),
    }).start();
  });
  afterEach(async () => {
    await bot.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const form = {
    subjectName: 'Maria Garcia',
    subjectEmails: 'maria.garcia@example.org',
    requestTypes: 'access',
    regulation: 'GDPR',
    identityCheck: 'not-yet',
  };

  it('offers every language the templates provide, and records the one chosen', async () => {
    const card = cardOf((await bot.say(alex, 'new request'))[0]) as Record<string, unknown>;
    const choices = JSON.stringify(card);
    for (const code of ['en', 'de', 'fr', 'es', 'it']) assert.ok(choices.includes(`"value":"${code}"`), code);
    assert.match(cardText(card), /italiano \(Italian\)/);
    const intakeId = (card.actions as Array<{ data: { intakeId: string } }>)[0]!.data.intakeId;

    const created = await bot.execute(alex, 'intake.submit', { intakeId, ...form, subjectLanguage: 'it' });
    const id = /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(created)))![0];
    assert.equal((await bot.app.store.getCase(id))!.language, 'it');
  });

  it('refuses a language no template provides, on the card, and creates nothing', async () => {
    const card = cardOf((await bot.say(alex, 'new request'))[0]) as Record<string, unknown>;
    const intakeId = (card.actions as Array<{ data: { intakeId: string } }>)[0]!.data.intakeId;
    const refused = await bot.execute(alex, 'intake.submit', { intakeId, ...form, subjectLanguage: 'pt' });
    const text = cardText(invokeCard(refused));
    assert.match(text, /Choose one of: de, en, es, fr, it\./);
    assert.deepEqual(await bot.app.store.listCases({}), []);
  });
});

import assert from 'node:assert/strict';
import { CATALOGUES, UI_LANGUAGES, languageOf, translator } from '../../i18n/index.js';
import { leaves } from '../support/catalogueLeaves.js';

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  const english = leaves(CATALOGUES.en);

  for (const language of UI_LANGUAGES) {
    it(`${language} has every key, with text and the same placeholders as English`, () => {
      const catalogue = leaves(CATALOGUES[language]);
      assert.deepEqual([...catalogue.keys()].sort(), [...english.keys()].sort());
      for (const [key, text] of catalogue) {
        assert.ok(text.trim().length > 0, `${language}: ${key} is empty`);
        assert.deepEqual(placeholders(text), placeholders(english.get(key)!), `${language}: ${key}`);
      }
    });
  }

  it('picks the language from the Teams locale and falls back to English', () => {
    assert.equal(languageOf('de-AT'), 'de');
    assert.equal(languageOf('fr-CA'), 'fr');
    assert.equal(languageOf('it-IT'), 'en');
    assert.equal(languageOf(undefined), 'en');
  });

  it('applies each language’s plural rules and date format', () => {
    assert.match(translator('de-DE')('intake.prefilled', { count: 1 }), /^Ich habe 1 Wert /);
    assert.match(translator('de-DE')('intake.prefilled', { count: 2 }), /^Ich habe 2 Werte /);
    // French counts zero as singular (CLDR: "one" covers 0 and 1), English does not.
    assert.match(translator('fr-FR')('intake.prefilled', { count: 0 }), /0 valeur à partir/);
    assert.match(translator('en-GB')('intake.prefilled', { count: 0 }), /0 values from/);
    const date = new Date('2026-03-15T12:00:00Z');
    const params = { date, formatParams: { date: { dateStyle: 'long', timeZone: 'Europe/Berlin' } } };
    assert.equal(translator('en-GB')('due.title', params), 'Due by 15 March 2026');
    assert.equal(translator('es-ES')('due.title', params), 'Vencen antes del 15 de marzo de 2026');
  });
});

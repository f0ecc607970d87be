import { createInstance, type TFunction } from 'i18next';
import de from './locales/de.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };

/** The languages the bot speaks; every catalogue in ./locales holds the same keys (checked by a test). */
export const UI_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

export const CATALOGUES: Record<UiLanguage, Record<string, unknown>> = { en, de, fr, es };

/**
 * i18next: JSON catalogues in files, CLDR plural rules through Intl.PluralRules ("_one"/"_other" keys)
 * and dates through Intl.DateTimeFormat, so each locale gets its own plural forms and date format
 * without rules of our own. One instance, initialised synchronously from the bundled catalogues.
 */
const i18n = createInstance();
void i18n.init({
  resources: Object.fromEntries(UI_LANGUAGES.map((language) => [language, { translation: CATALOGUES[language] }])),
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...UI_LANGUAGES],
  // Catalogue text goes into Markdown and Adaptive Cards, never HTML; the card library escapes what it must.
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

/** The person's language from their Teams locale ("de-AT" → German); anything else reads English. */
export function languageOf(locale: string | undefined): UiLanguage {
  const base = locale?.toLowerCase().split(/[-_]/)[0];
  return (UI_LANGUAGES as readonly string[]).includes(base ?? '') ? (base as UiLanguage) : 'en';
}

/** A translator bound to one language (and, for dates, the full locale when Teams sent one). */
export function translator(locale: string | undefined): TFunction {
  const language = languageOf(locale);
  return i18n.getFixedT(
    locale && languageOf(locale) === language && /^[a-z]{2}-[A-Z]{2}$/.test(locale) ? locale : language,
  );
}

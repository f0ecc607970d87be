import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInstance, type TFunction } from 'i18next';

/** The languages the bot speaks; every catalogue in `locales/` holds the same keys (checked by a test). */
export const UI_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

/** The message catalogues, beside the compiled code or the sources (like the letter templates). */
export function cataloguesDir(): string {
  const candidates = ['../../locales/', '../locales/'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'en'))) ?? candidates[0]!;
}

/**
 * One JSON file per part of the bot and language, `locales/<language>/<part>.json`; the file's name is
 * the first segment of its keys ("intake.prefilled" lives in `intake.json`). Files per part keep two
 * changes to different cards from editing the same catalogue.
 */
function loadCatalogue(language: UiLanguage): Record<string, unknown> {
  const dir = join(cataloguesDir(), language);
  const parts = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort();
  return Object.fromEntries(
    parts.map((file) => [basename(file, '.json'), JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown]),
  );
}

export const CATALOGUES: Record<UiLanguage, Record<string, unknown>> = Object.fromEntries(
  UI_LANGUAGES.map((language) => [language, loadCatalogue(language)]),
) as Record<UiLanguage, Record<string, unknown>>;

/**
 * i18next: JSON catalogues in files, CLDR plural rules through Intl.PluralRules ("_one"/"_other" keys)
 * and dates through Intl.DateTimeFormat, so each locale gets its own plural forms and date format
 * without rules of our own. One instance, initialised synchronously from the catalogues read at start.
 */
const i18n = createInstance();
/** The i18next instance behind every translator, for a test that holds the translators' plain path to it. */
export const I18NEXT = i18n;
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

/**
 * English without a region writes dates the British way ("Tue 7 Apr 2026"), as the bot always has:
 * its users work across Europe, and a bare "en" would give the American order.
 */
const DEFAULT_ENGLISH = 'en-GB';

/**
 * A pseudo-locale for tests: English text wrapped in markers, so a test can tell text that came
 * from a catalogue from text written into a card's code ("qps-ploc" is the pseudo-locale Windows
 * reserves for such checks). Teams never sends it; a person asking for it reads marked English.
 */
export const PSEUDO_LOCALE = 'qps-ploc';
export const PSEUDO_OPEN = '⟦';
export const PSEUDO_CLOSE = '⟧';

/**
 * Catalogue text with nothing but `{{name}}` placeholders, split once into its literal parts and the
 * names between them. Most of what a card says is such text, and i18next works out the key's
 * namespace, the language hierarchy, the interpolation and the nesting pass afresh on every call,
 * about 10 µs each: a five-row case list made some fifty calls per status turn.
 */
interface PlainText {
  /** One more than `names`: the text before, between and after the placeholders. */
  literals: string[];
  names: string[];
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Options i18next reads itself: a placeholder by one of these names is left to it. */
const I18NEXT_OPTIONS = new Set([
  'appendNamespaceToCIMode',
  'applyPostProcessor',
  'context',
  'fallbackLng',
  'interpolation',
  'joinArrays',
  'keySeparator',
  'lng',
  'lngs',
  'missingInterpolationHandler',
  'missingKeyNoValueFallbackToKey',
  'nest',
  'ns',
  'nsSeparator',
  'ordinal',
  'postProcess',
  'replace',
  'returnDetails',
  'returnObjects',
  'skipInterpolation',
]);
const PLACEHOLDER = /\{\{(.+?)\}\}/g;

/** The text as i18next would interpolate it, or undefined when i18next has more to do than fill names. */
function compile(found: unknown): PlainText | undefined {
  // Nesting ("$t("), unescaped ("{{-") and formatted ("{{date, datetime}}") placeholders stay with i18next.
  if (typeof found !== 'string' || found.includes('$t(')) return undefined;
  const literals: string[] = [];
  const names: string[] = [];
  let from = 0;
  for (const match of found.matchAll(PLACEHOLDER)) {
    const name = match[1]!.trim();
    if (!PLAIN_NAME.test(name) || I18NEXT_OPTIONS.has(name) || name.startsWith('defaultValue')) return undefined;
    literals.push(found.slice(from, match.index));
    names.push(name);
    from = match.index + match[0].length;
  }
  literals.push(found.slice(from));
  if (literals.some((literal) => literal.includes('{{') || literal.includes('}}'))) return undefined;
  return { literals, names };
}

/** The parts of i18next's services that pick a language's hierarchy and a count's plural form. */
interface Resolvers {
  languageUtils: { toResolveHierarchy(code: string): string[] };
  pluralResolver: { getSuffix(code: string, count: number): string };
}

/**
 * The catalogue text i18next would pick for a key in a language: the first of the language's
 * hierarchy ("de-AT", "de", then English) that holds the key, its plural form first when a count is
 * given (`_zero` for 0 where a catalogue has it, then the CLDR form of each language), as
 * i18next's own resolver does.
 */
function lookUp(lng: string, key: string, count: number | undefined): unknown {
  const { languageUtils, pluralResolver } = i18n.services as unknown as Resolvers;
  for (const code of languageUtils.toResolveHierarchy(lng)) {
    const candidates =
      count === undefined
        ? [key]
        : [...(count === 0 ? [`${key}_zero`] : []), `${key}${pluralResolver.getSuffix(code, count)}`, key];
    for (const candidate of candidates) {
      const found: unknown = i18n.getResource(code, 'translation', candidate);
      if (found !== undefined && found !== null) return found;
    }
  }
  return undefined;
}

/** Compiled texts per language, by key (and count): bounded, since keys may be built from data. */
const compiled = new Map<string, Map<string, PlainText | null>>();
const COMPILED_PER_LANGUAGE = 5000;

function plainTextOf(lng: string, key: string, count: number | undefined): PlainText | null {
  let byKey = compiled.get(lng);
  if (!byKey) {
    byKey = new Map();
    if (compiled.size < 64) compiled.set(lng, byKey);
  }
  const cacheKey = count === undefined ? key : `${key}\u0000${count}`;
  let text = byKey.get(cacheKey);
  if (text === undefined) {
    // A key naming a namespace ("ns:key") or nesting is i18next's to resolve.
    text = key.includes(':') || key.includes('$t(') ? null : (compile(lookUp(lng, key, count)) ?? null);
    if (byKey.size < COMPILED_PER_LANGUAGE) byKey.set(cacheKey, text);
  }
  return text;
}

/**
 * The text for a key filled with the given values, exactly as `i18n.t` writes it, when the call is
 * a plain one: a string key, options holding nothing but the placeholders' values (strings or
 * numbers), a language and a numeric count. Any other option (a default value, a context, a
 * format) or a missing value leaves the call to i18next. `test/i18n/translator.test.ts` holds every
 * key of every catalogue to i18next's own answer.
 */
function plainTranslation(lng: string, key: string, options: Record<string, unknown> | undefined): string | undefined {
  let language = lng;
  let count: number | undefined;
  if (options !== undefined) {
    for (const name of Object.keys(options)) {
      const value = options[name];
      if (name === 'lng') {
        if (typeof value !== 'string') return undefined;
        if (value) language = value;
      } else if (name === 'count') {
        if (typeof value !== 'number') return undefined;
        count = value;
      } else if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    }
  }
  const text = plainTextOf(language, key, count);
  if (!text) return undefined;
  const { literals, names } = text;
  // Only the language, the count and the placeholders' values: anything else may mean something to i18next.
  if (options !== undefined && Object.keys(options).some((name) => !plainOption(name, names))) return undefined;
  let filled = literals[0]!;
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    // A placeholder with no value is left as i18next leaves it; let it decide.
    if (options === undefined || !Object.hasOwn(options, name)) return undefined;
    filled += String(options[name]) + literals[i + 1]!;
  }
  return filled;
}

function plainOption(name: string, names: readonly string[]): boolean {
  return name === 'lng' || name === 'count' || names.includes(name);
}

/**
 * A translator bound to one language. Plain calls are answered from compiled catalogue text (see
 * `plainTranslation`); the rest go to `i18n.t` with the language in its options. i18next's own
 * `getFixedT` copies every init option into a new object on each call, which made a card of a few
 * rows cost milliseconds (the status turn's latency). A call with a default value as its second
 * argument goes through `getFixedT`, which reads that overload. `lng` stays on the function, as on
 * i18next's; a language given in the options still wins, as with `getFixedT`.
 */
const bound = new Map<string, TFunction>();

function boundTo(lng: string): TFunction {
  let t = bound.get(lng);
  if (!t) {
    const fixed = i18n.getFixedT(lng);
    const direct = (key: unknown, options?: unknown, ...rest: unknown[]): unknown => {
      const plainOptions = options === undefined || (typeof options === 'object' && options !== null);
      if (typeof key === 'string' && plainOptions && rest.length === 0) {
        const text = plainTranslation(lng, key, options as Record<string, unknown> | undefined);
        if (text !== undefined) return text;
      }
      return typeof options === 'object' && options !== null && rest.length === 0
        ? i18n.t(key as string, { ...options, lng: (options as { lng?: string }).lng || lng })
        : options === undefined
          ? i18n.t(key as string, { lng })
          : (fixed as unknown as (...a: unknown[]) => unknown)(key, options, ...rest);
    };
    t = Object.assign(direct, { lng }) as unknown as TFunction;
    // Locales come from the activity: a bounded cache, so odd ones cannot grow it without end.
    if (bound.size < 64) bound.set(lng, t);
  }
  return t;
}

/** A translator bound to one language (and, for dates, the full locale when Teams sent one). */
export function translator(locale: string | undefined): TFunction {
  if (locale === PSEUDO_LOCALE) {
    const english = boundTo(DEFAULT_ENGLISH);
    const marked = (...args: Parameters<TFunction>): string =>
      `${PSEUDO_OPEN}${String((english as unknown as (...a: unknown[]) => unknown)(...args))}${PSEUDO_CLOSE}`;
    return Object.assign(marked, english);
  }
  const language = languageOf(locale);
  if (locale && languageOf(locale) === language && /^[a-z]{2}-[A-Z]{2}$/.test(locale)) return boundTo(locale);
  return boundTo(language === 'en' ? DEFAULT_ENGLISH : language);
}

/**
 * Words for a person from a part that does not know who reads them (the domain): a catalogue key
 * and its values. The part that answers the person words it in their language (`wordsOf`); the
 * domain stays free of locales, and its refusals read the same in a log, a test and every language.
 * A value may itself be said (a check's name), a list of such (joined as the language separates
 * clauses: "; ", in French " ; "), or a day in a time zone, written as the reader's language writes it.
 */
export interface Said {
  key: string;
  params?: Readonly<Record<string, SaidValue>>;
}

export type SaidValue = string | number | Said | readonly Said[] | SaidDay;

/** An instant shown as its day in `timeZone` ("Mon 2 Mar 2026", "Mo., 2. März 2026"). */
export interface SaidDay {
  day: string;
  timeZone: string;
}

export function said(key: string, params?: Readonly<Record<string, SaidValue>>): Said {
  return params ? { key, params } : { key };
}

function dayIn(t: TFunction, { day, timeZone }: SaidDay): string {
  const lng = (t as { lng?: string }).lng ?? DEFAULT_ENGLISH;
  const parts = new Intl.DateTimeFormat(lng, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).formatToParts(new Date(day));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return t('case.header.day', { weekday: part('weekday'), day: part('day'), month: part('month'), year: part('year') });
}

function valueIn(t: TFunction, value: SaidValue): string | number {
  if (typeof value !== 'object') return value;
  if (Array.isArray(value))
    return (value as readonly Said[]).map((item) => wordsOf(t, item)).join(t('format.listSeparator'));
  return 'key' in value ? wordsOf(t, value) : dayIn(t, value as SaidDay);
}

/** Words what a part said, in the language of `t`. */
export function wordsOf(t: TFunction, words: Said): string {
  if (!words.params) return t(words.key);
  return t(
    words.key,
    Object.fromEntries(Object.entries(words.params).map(([name, value]) => [name, valueIn(t, value)])),
  );
}

/** English wording, for what has no reader: logs, the JSON of an HTTP route, the text a refusal also carries. */
export const inEnglish = (words: Said): string => wordsOf(boundTo(DEFAULT_ENGLISH), words);

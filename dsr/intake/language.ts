import { franc } from 'franc-min';

/** The languages the bot reads requests in and writes letters in. */
export const INTAKE_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type IntakeLanguage = (typeof INTAKE_LANGUAGES)[number];

const OURS: Record<string, IntakeLanguage> = { eng: 'en', deu: 'de', fra: 'fr', spa: 'es' };

// The four languages and the other languages of the EU and its neighbours that franc-min knows, so a
// request in Italian or Dutch is recognised as "another language" instead of forced into one of ours.
// Unlisted languages (franc-min's Scots, Latin-script creoles…) are where short English or French
// texts are most often misread; restricting the candidates is franc's documented `only` option.
const CANDIDATES = [
  'eng',
  'deu',
  'fra',
  'spa',
  'ita',
  'nld',
  'por',
  'pol',
  'ron',
  'ces',
  'hun',
  'ell',
  'swe',
  'tur',
  'bul',
  'ukr',
  'rus',
];

// Function words frequent in one of the four languages and rare in the other three. Trigram statistics
// need a few sentences; a two-line chat message is told by these instead when they are decisive.
const FUNCTION_WORDS: Record<IntakeLanguage, Set<string>> = {
  en: new Set('the and my please you your is of to with for all what have this from thanks we our not be'.split(' ')),
  de: new Set('ich und die der das meine meiner mein bitte sie nicht mit von ist auf zu ein eine danke'.split(' ')),
  fr: new Set('je et les mes mon vous est pas une des du au pour merci avec sur moi'.split(' ')),
  es: new Set('y los mis mi que por favor el las una del con para gracias sobre hola'.split(' ')),
};
const SHORT_TEXT = 250;

function byFunctionWords(text: string): { language: IntakeLanguage; hits: number } | undefined {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const counts = INTAKE_LANGUAGES.map((language) => ({
    language,
    hits: words.filter((word) => FUNCTION_WORDS[language].has(word)).length,
  })).sort((a, b) => b.hits - a.hits);
  const [first, second] = counts;
  return first && second && first.hits >= 2 && first.hits >= 2 * second.hits ? first : undefined;
}

export interface DetectedLanguage {
  /** One of ours, when the text is in one of them. */
  code: IntakeLanguage | undefined;
  /** ISO 639-3 as franc-min reports it, "und" when the text is too short to tell. */
  detected: string;
}

/**
 * The language of a text, by franc-min (trigram statistics, no network): small, maintained by the
 * unified/wooorm collective, and needs no model download. Below a few words it cannot tell.
 */
export function detectLanguage(text: string): DetectedLanguage {
  // URLs, addresses and numbers carry no language and skew trigram counts.
  // Cut first: the patterns below then see a bounded text (an unbounded "\\S+@" is quadratic).
  const words = text
    .slice(0, 4000)
    .replace(/https?:\/\/\S{0,500}/g, ' ')
    .replace(/[^\s@]{0,64}@\S{0,255}/g, ' ')
    .replace(/[0-9#+()_/\\-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .slice(0, 2000);
  const detected = franc(words, { only: CANDIDATES, minLength: 10 });
  // franc naming another language is kept unless the function words of one of ours are plenty: two
  // of them happen in Italian or Portuguese too, three rarely.
  const short = words.length < SHORT_TEXT ? byFunctionWords(words) : undefined;
  if (short && (short.hits >= 3 || detected === 'und' || OURS[detected] !== undefined)) {
    return { code: short.language, detected: Object.keys(OURS).find((key) => OURS[key] === short.language)! };
  }
  return { code: OURS[detected], detected };
}

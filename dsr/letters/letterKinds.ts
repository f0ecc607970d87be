/** The languages a letter can be written in; the subject's is chosen at intake. */
export const LETTER_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type LetterLanguage = (typeof LETTER_LANGUAGES)[number];

export const LETTER_LANGUAGE_LABELS: Record<LetterLanguage, string> = {
  en: 'English',
  de: 'Deutsch (German)',
  fr: 'Français (French)',
  es: 'Español (Spanish)',
};

/** The regional format each language's dates and numbers take; another language uses its own code. */
/**
 * How the intake card names a language: the built-in labels, or for a language an organisation
 * added (a folder of templates), its own name and the English one, from the runtime's CLDR data
 * (Intl.DisplayNames), such as "italiano (Italian)".
 */
export function languageLabel(code: string): string {
  if (code in LETTER_LANGUAGE_LABELS) return LETTER_LANGUAGE_LABELS[code as LetterLanguage];
  try {
    const own = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    const english = new Intl.DisplayNames(['en'], { type: 'language' }).of(code);
    return own && english && own !== english ? `${own} (${english})` : (english ?? code);
  } catch {
    return code;
  }
}

export const LETTER_LOCALES: Record<string, string> = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR', es: 'es-ES' };

/** Every letter the data subject is owed, in the order a case meets them. */
export const LETTER_KINDS = ['acknowledgement', 'identity', 'extension', 'refusal', 'response'] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

export const LETTER_KIND_LABELS: Record<LetterKind, string> = {
  acknowledgement: 'Acknowledgement of receipt',
  identity: 'Request for proof of identity',
  extension: 'Extension notice',
  refusal: 'Refusal',
  response: 'Response',
};

/** How a letter left: through the privacy team's mailbox, or sent by a person another way. */
export const LETTER_CHANNELS = ['mailbox', 'email-client', 'post', 'hand'] as const;
export type LetterChannel = (typeof LETTER_CHANNELS)[number];

export const LETTER_CHANNEL_LABELS: Record<LetterChannel, string> = {
  mailbox: 'the privacy team mailbox',
  'email-client': 'email from our own mail client',
  post: 'post',
  hand: 'handed over in person',
};

/** A letter as sent: what it said, hashed so the audit trail can prove it later. */
export interface SentLetter {
  kind: LetterKind;
  language: string;
  at: string;
  byId: string;
  channel: LetterChannel;
  to: string;
  subject: string;
  html: string;
  /** SHA-256 of subject and body, hex. */
  sha256: string;
}

export const LETTER_NOTE_MAX_LENGTH = 3000;

/** The officer's own words in a letter, kept until it is sent. */
export interface LetterDraft {
  note: string;
  at: string;
  byId: string;
}

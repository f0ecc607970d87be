import { DateTime } from 'luxon';
import { fold } from './normalise.js';

/**
 * Addresses as people type them; the intake validates the one the person confirms again. Every part
 * is bounded by the lengths RFC 5321 §4.5.3.1 allows (64 for the local part, 63 per domain label), and
 * a match starts only where the local part does: unbounded, a long run of letters without an "@"
 * costs quadratic time.
 */
const EMAIL =
  /(?<![a-z0-9._%+'-])[a-z0-9._%+'-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}(?![a-z0-9-])/gi;

export function findEmails(text: string): string[] {
  return [...new Set((text.match(EMAIL) ?? []).map((email) => email.toLowerCase().replace(/^[.'-]+|[.'-]+$/g, '')))];
}

// "My email is …", "meine E-Mail-Adresse lautet …", "mon adresse e-mail est …", "mi correo es …",
// "registered under …": the text names the address the person is known by.
const NAMED_EMAIL = new RegExp(
  '(?:' +
    [
      '(?:e-?mail|address|account|login|registered|signed up)[^.!?\\n@]{0,40}?',
      '(?:e-?mail|adresse|konto|registriert|angemeldet|lautet)[^.!?\\n@]{0,40}?',
      '(?:e-?mail|courriel|adresse|compte|inscrite?)[^.!?\\n@]{0,40}?',
      '(?:correo|e-?mail|cuenta|registrad[oa])[^.!?\\n@]{0,40}?',
    ].join('|') +
    `)(${EMAIL.source})`,
  'gi',
);

// "… o.schmitt@example.org registriert", "x@example.net is the address I signed up with": named after the address.
const EMAIL_THEN_NAMED = new RegExp(
  `(${EMAIL.source})[^.!?\\n@]{0,30}?(?:registriert|angemeldet|registered|signed up|inscrite?|registrad[oa])`,
  'gi',
);

export function findNamedEmails(text: string): string[] {
  return [...text.matchAll(NAMED_EMAIL), ...text.matchAll(EMAIL_THEN_NAMED)].map((match) => match[1]!.toLowerCase());
}

// A phone number follows a label, or starts with "+" or "00" and a country code. A bare run of
// digits is more often an order or customer number, so it is left alone.
const PHONE_LABEL =
  /\b(phone|tel|telephone|mobile|cell|telefon|handy|mobil|t[ée]l[ée]phone|portable|t[ée]l[ée]fono|m[óo]vil|celular)\b\.?\s*(?:number|nummer|nr\.?|num[ée]ro|n[úu]mero)?\s*[:.]?\s*((?:\+|00)?[0-9][0-9 ()./-]{5,20}[0-9])/gi;
const PHONE_INTERNATIONAL = /(?<![\w+])((?:\+|00)[1-9][0-9]{0,2}[ ()./-]{0,3}[0-9][0-9 ()./-]{5,16}[0-9])/g;

// A national number with its trunk "0" and an area or mobile code set apart ("0176 12345678", "030/1234567").
const PHONE_NATIONAL = /(?<![\w+/.-])(0\d{2,4}[ /-]\d{3,4}[ -]?\d{0,5})(?![\w/.-])/g;

export function findPhones(text: string): string[] {
  const found = [
    ...[...text.matchAll(PHONE_LABEL)].map((match) => match[2]!),
    ...[...text.matchAll(PHONE_INTERNATIONAL)].map((match) => match[1]!),
    ...[...text.matchAll(PHONE_NATIONAL)].map((match) => match[1]!),
  ]
    .map((phone) => phone.replace(/\s+/g, ' ').trim())
    .filter((phone) => {
      const digits = phone.replace(/\D/g, '').length;
      return digits >= 7 && digits <= 15;
    });
  const seen = new Set<string>();
  return found.filter((phone) => {
    const key = phone.replace(/\D/g, '').replace(/^00/, '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type NumberKind = 'customerNumber' | 'orderNumber' | 'employeeNumber';

// Labels for the numbers a company gives a person, in the four languages; the value must hold a digit.
const NUMBER_LABELS: Record<NumberKind, string> = {
  customerNumber:
    'customer\\s*(?:number|no\\.?|nr\\.?|id|account(?: number)?|#)|client (?:number|id)|account (?:number|no\\.?)|membership (?:number|no\\.?)|' +
    'kunden\\s*-?\\s*(?:nummer|nr\\.?|konto|id)|kundennr\\.?|mitgliedsnummer|' +
    'num[ée]ro (?:de )?client|n[°º]\\s*(?:de )?client|no\\.? client|r[ée]f[ée]rence client|identifiant client|' +
    'n[úu]mero de (?:cliente|socio|cuenta)|n\\.?[º°]\\s*(?:de )?cliente|cliente n[º°.]|c[óo]digo de cliente',
  orderNumber:
    'order\\s*(?:number|no\\.?|nr\\.?|id|#|ref(?:erence)?)?|' +
    'bestell\\s*-?\\s*(?:nummer|nr\\.?)|bestellung(?:\\s*nr\\.?)?|auftragsnummer|auftrag\\s*nr\\.?|' +
    'num[ée]ro de commande|commande\\s*(?:n[°º]|no\\.?|num[ée]ro)?|' +
    'n[úu]mero de pedido|pedido\\s*(?:n[º°]\\.?|n[úu]mero|no\\.?)?',
  employeeNumber:
    'employee\\s*(?:number|no\\.?|id|#)|staff\\s*(?:number|no\\.?|id)|personnel number|payroll number|' +
    'personal\\s*-?\\s*(?:nummer|nr\\.?)|mitarbeiter\\s*-?\\s*(?:nummer|nr\\.?|id)|' +
    "matricule|num[ée]ro (?:d'employ[ée]|de salari[ée]|de matricule)|" +
    'n[úu]mero de (?:empleado|personal|trabajador)|n\\.?[º°]\\s*(?:de )?empleado',
};

export function findNumbers(text: string, kind: NumberKind): string[] {
  const pattern = new RegExp(
    `\\b(?:${NUMBER_LABELS[kind]})\\s*(?:is|ist|lautet|est|es|:|#|-)?\\s*:?\\s*#?\\s*([A-Z0-9][A-Z0-9/-]{2,30})`,
    'giu',
  );
  const values = [...text.matchAll(pattern)]
    .map((match) => match[1]!.replace(/[-/]+$/, ''))
    .filter((value) => /\d/.test(value));
  return [...new Set(values)];
}

/** Personal names: two to four words, each capitalised (accents, hyphens and particles allowed). */
const NAME_WORD = "[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'][A-ZÀ-ÖØ-Þa-zß-öø-ÿ]+)*";
const PARTICLE = '(?:von|van|de|del|de la|der|da|di|du|le|la|y)';
const FULL_NAME = `${NAME_WORD}(?:\\s+(?:${PARTICLE}\\s+)?${NAME_WORD}){1,3}`;
const NAME_LINE = new RegExp(
  `^\\s*(?:(?:Dr|Prof|Mr|Mrs|Ms|Herr|Frau|M|Mme|Sr|Sra|D|Dña)\\.?\\s+)?(${FULL_NAME})\\s*,?\\s*$`,
  'u',
);

const SELF_INTRODUCTION = new RegExp(
  `\\b(?:my name is|i am|i'm|this is|mein name ist|ich hei(?:ß|ss)e|ich bin|je m'appelle|je suis|mon nom est|me llamo|mi nombre es|soy)\\s+(${FULL_NAME})`,
  'u',
);

// Closings after which a signature names the writer.
const CLOSING =
  /^\s*(best|kind|warm|many thanks|thanks|thank you|regards|best regards|kind regards|sincerely|yours sincerely|yours faithfully|cheers|cordially|mit freundlichen gr(ü|ue|u)(ß|ss)en|freundliche gr(ü|ue|u)(ß|ss)e|viele gr(ü|ue|u)(ß|ss)e|beste gr(ü|ue|u)(ß|ss)e|liebe gr(ü|ue|u)(ß|ss)e|herzliche gr(ü|ue|u)(ß|ss)e|gr(ü|ue|u)(ß|ss)e|mfg|lg|vielen dank|danke|cordialement|bien cordialement|sinc[eè]res salutations|salutations|bien [àa] vous|merci|merci d'avance|meilleures salutations|saludos|un saludo|saludos cordiales|atentamente|cordialmente|gracias|muchas gracias|un cordial saludo)\b[^\n]{0,30}$/i;

// Words that start a signature line but are not names.
const NOT_A_NAME =
  /^(Customer|Kunde|Client|Cliente|Privacy|Datenschutz|Team|Service|Support|Sent|Gesendet|Envoy|Enviado)\b/;

export interface NameHit {
  name: string;
  source: 'introduction' | 'signature';
}

export function findName(text: string): NameHit | undefined {
  const introduced = SELF_INTRODUCTION.exec(text);
  if (introduced && !NOT_A_NAME.test(introduced[1]!)) return { name: introduced[1]!.trim(), source: 'introduction' };
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (!CLOSING.test(lines[i]!)) continue;
    // The closing may share its line with the name ("Thanks, Anna Berg").
    const sameLine = new RegExp(`,\\s*(${FULL_NAME})\\s*$`, 'u').exec(lines[i]!);
    if (sameLine && !NOT_A_NAME.test(sameLine[1]!)) return { name: sameLine[1]!, source: 'signature' };
    for (const next of lines.slice(i + 1, i + 4)) {
      if (next.trim() === '') continue;
      const match = NAME_LINE.exec(next);
      if (match && !NOT_A_NAME.test(match[1]!)) return { name: match[1]!, source: 'signature' };
      break;
    }
  }
  return undefined;
}

export type RegulationHint = 'GDPR' | 'CCPA' | 'LGPD';

/** Names of the regulations in the four languages (and Portuguese for the LGPD). */
export function findRegulations(text: string): RegulationHint[] {
  const folded = fold(text);
  const found: RegulationHint[] = [];
  if (
    /\b(gdpr|dsgvo|ds-gvo|rgpd|gdpr|uk gdpr|dsgv|general data protection regulation|datenschutz-grundverordnung|reglement general sur la protection|reglamento general de proteccion|2016\/679)\b/.test(
      folded,
    )
  )
    found.push('GDPR');
  if (/\b(ccpa|cpra|california consumer privacy act|california privacy rights act)\b/.test(folded)) found.push('CCPA');
  if (/\b(lgpd|lei geral de protecao de dados|13\.?709)\b/.test(folded)) found.push('LGPD');
  return found;
}

const MONTHS: Record<string, number> = {
  january: 1,
  jan: 1,
  januar: 1,
  janvier: 1,
  enero: 1,
  february: 2,
  feb: 2,
  februar: 2,
  fevrier: 2,
  febrero: 2,
  march: 3,
  mar: 3,
  marz: 3,
  maerz: 3,
  mars: 3,
  marzo: 3,
  april: 4,
  apr: 4,
  avril: 4,
  abril: 4,
  may: 5,
  mai: 5,
  mayo: 5,
  june: 6,
  jun: 6,
  juni: 6,
  juin: 6,
  junio: 6,
  july: 7,
  jul: 7,
  juli: 7,
  juillet: 7,
  julio: 7,
  august: 8,
  aug: 8,
  aout: 8,
  agosto: 8,
  september: 9,
  sep: 9,
  sept: 9,
  septembre: 9,
  septiembre: 9,
  setiembre: 9,
  october: 10,
  oct: 10,
  oktober: 10,
  okt: 10,
  octobre: 10,
  octubre: 10,
  november: 11,
  nov: 11,
  novembre: 11,
  noviembre: 11,
  december: 12,
  dec: 12,
  dezember: 12,
  dez: 12,
  decembre: 12,
  diciembre: 12,
};
const MONTH_WORD = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

export interface DateHit {
  date: string;
  excerpt: string;
}

/**
 * Calendar dates written out in the text, read day-first as in Europe ("03/04/2025" is 3 April);
 * an ISO date is unambiguous. Only real dates are kept.
 */
export function findDates(text: string): DateHit[] {
  const folded = fold(text);
  const hits: DateHit[] = [];
  const add = (year: number, month: number, day: number, excerpt: string) => {
    const date = DateTime.fromObject({ year: year < 100 ? 2000 + year : year, month, day });
    if (date.isValid && date.year >= 1900 && date.year <= 2100) hits.push({ date: date.toISODate(), excerpt });
  };
  for (const m of folded.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)) add(+m[1]!, +m[2]!, +m[3]!, m[0]);
  for (const m of folded.matchAll(/\b(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})\b/g)) add(+m[3]!, +m[2]!, +m[1]!, m[0]);
  const written = new RegExp(
    `\\b(\\d{1,2})(?:\\.|st|nd|rd|th|er)?\\s+(?:de\\s+)?(${MONTH_WORD})\\.?(?:\\s+de)?,?\\s+(\\d{4})\\b`,
    'g',
  );
  for (const m of folded.matchAll(written)) add(+m[3]!, MONTHS[m[2]!]!, +m[1]!, m[0]);
  const american = new RegExp(`\\b(${MONTH_WORD})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'g');
  for (const m of folded.matchAll(american)) add(+m[3]!, MONTHS[m[1]!]!, +m[2]!, m[0]);
  const seen = new Set<string>();
  return hits.filter((hit) => (seen.has(hit.date) ? false : (seen.add(hit.date), true)));
}

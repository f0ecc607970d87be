import { fold } from './normalise.js';
import {
  findDates,
  findEmails,
  findName,
  findNamedEmails,
  findNumbers,
  findPhones,
  findRegulations,
  type RegulationHint,
} from './identifiers.js';
import { detectLanguage, type DetectedLanguage } from './language.js';
import { splitMessage } from './messageText.js';
import { findRights, type Right } from './rights.js';

/** Where a suggestion was read: nothing extracted is taken as fact until a person confirms it. */
export type SuggestionSource = 'text' | 'subject-line' | 'sender' | 'signature' | 'forwarded-header';

export interface Suggestion<T> {
  value: T;
  source: SuggestionSource;
  /** The words it was read from (folded), for the person confirming it. */
  excerpt?: string;
}

export interface IncomingMessage {
  body: string;
  contentType?: 'html' | 'text';
  subject?: string;
  from?: { name?: string; address?: string };
  /**
   * Read quoted text as part of the request: a colleague passing a request on in Teams quotes it,
   * while in a mail reply the quote is the earlier thread.
   */
  readQuoted?: boolean;
  /** The company's own mail domains: their addresses are staff, never the data subject. */
  ownDomains?: string[];
}

export interface Extraction {
  isRequest: boolean;
  /** Why it is not taken for a request (auto-reply, bulk mail, no right named). */
  notRequestReason: 'auto-reply' | 'bulk' | 'no-request' | undefined;
  rights: Suggestion<Right>[];
  regulations: Suggestion<RegulationHint>[];
  /** The data subject's addresses, the likeliest first. */
  emails: Suggestion<string>[];
  name: Suggestion<string> | undefined;
  phones: Suggestion<string>[];
  customerNumbers: Suggestion<string>[];
  orderNumbers: Suggestion<string>[];
  employeeNumbers: Suggestion<string>[];
  dates: Suggestion<string>[];
  language: DetectedLanguage;
  /** The writer acts for someone else (a lawyer, a parent): the sender is not the subject. */
  onBehalf: boolean;
  /** Things the person confirming should know: cut, binary parts, another language. */
  notes: string[];
}

// Automatic replies, by their subject line or first words (RFC 3834 headers are not always kept by Graph).
const AUTO_REPLY =
  /\b(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|autoreply|abwesenheitsnotiz|abwesend|automatische antwort|absent du bureau|reponse automatique|absence du bureau|fuera de la oficina|respuesta automatica|ausente)\b/;
// Mass mailings: a newsletter footer or a no-reply sender.
const BULK =
  /\b(unsubscribe|view (it )?in (your )?browser|abmelden|abbestellen|im browser anzeigen|se desabonner|se desinscrire|desinscription|darse de baja|cancelar (la )?suscripcion|ver en el navegador)\b/;
const NO_REPLY = /^(no-?reply|do-?not-?reply|newsletter|news|mailer-daemon|postmaster|notifications?)@/i;
// A request that names no right yet still asks the privacy team for something.
const GENERAL_REQUEST =
  /\b(data (protection|privacy) request|privacy request|gdpr request|dsgvo[- ]anfrage|datenschutzanfrage|anfrage nach (art|der dsgvo)|demande (rgpd|relative a mes donnees)|solicitud (rgpd|de proteccion de datos)|ejercer (mis|el) derechos?|exercer (mes|mon) droits?|meine rechte (nach|gemass))\b/;
// The writer acts for another person.
const ON_BEHALF =
  /\b(on behalf of|my client|our client|representing|we represent|we act for|namens|unsere[rs]? mandant(en|in)?|wir vertreten|vertreten wir|for my (mother|father|son|daughter|wife|husband|late)|im (auftrag|namen) (von|meine[rs]?)|meine[rn]? mandant(in)?|mein mandant|fur meine[n]? (mutter|vater|sohn|tochter)|au nom de|mon client|ma cliente|notre client|pour (ma mere|mon pere|mon fils|ma fille)|en nombre de|mi cliente|en representacion|para mi (madre|padre|hijo|hija))\b/;

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function isOwn(address: string, ownDomains: string[]): boolean {
  const domain = domainOf(address);
  return ownDomains.some((own) => domain === own || domain.endsWith(`.${own}`));
}

function suggestions<T>(values: T[], source: SuggestionSource): Suggestion<T>[] {
  return values.map((value) => ({ value, source }));
}

/**
 * Reads a message for what an intake needs. Pure and offline: rules and dictionaries for English,
 * German, French and Spanish, and franc-min for the language.
 */
export function extractRequest(message: IncomingMessage): Extraction {
  const own = message.ownDomains?.map((domain) => domain.toLowerCase()) ?? [];
  const split = splitMessage(message.body, { subject: message.subject, contentType: message.contentType });
  // A forward, or a mail pasted whole (its header first, nothing above it), carries the request itself.
  const forwarded =
    split.historyKind === 'forward' ||
    (split.historyKind !== undefined && (split.own.trim() === '' || message.readQuoted === true));
  // A reply's quoted thread is someone else's words; a forward carries the request itself.
  const readable = forwarded ? `${split.own}\n\n${split.history}` : split.own;
  const subjectLine = message.subject ?? '';
  const foldedAll = fold(`${subjectLine}\n${readable}`);
  const notes = [...split.notes];

  const onBehalf = ON_BEHALF.test(foldedAll);
  const sender = message.from?.address?.toLowerCase();
  const senderUsable = sender !== undefined && !isOwn(sender, own) && !NO_REPLY.test(sender);

  const rights: Suggestion<Right>[] = findRights(readable).map((hit) => ({
    value: hit.right,
    source: 'text',
    excerpt: hit.excerpt,
  }));
  for (const hit of findRights(subjectLine)) {
    if (!rights.some((right) => right.value === hit.right))
      rights.push({ value: hit.right, source: 'subject-line', excerpt: hit.excerpt });
  }

  // The subject's addresses: those the text names, the forwarded mail's sender, then the sender.
  const emails: Suggestion<string>[] = [];
  const addEmail = (address: string | undefined, source: SuggestionSource) => {
    if (!address || isOwn(address, own) || NO_REPLY.test(address)) return;
    if (emails.some((email) => email.value === address)) return;
    emails.push({ value: address, source });
  };
  for (const address of findNamedEmails(readable)) addEmail(address, 'text');
  if (forwarded) addEmail(split.historyFrom?.address, 'forwarded-header');
  if (!onBehalf && senderUsable && !(forwarded && emails.length > 0)) addEmail(sender, 'sender');
  if (emails.length === 0) for (const address of findEmails(readable)) addEmail(address, 'text');

  const nameHit = findName(onBehalf ? '' : readable);
  let name: Suggestion<string> | undefined = nameHit
    ? { value: nameHit.name, source: nameHit.source === 'introduction' ? 'text' : 'signature' }
    : undefined;
  if (!name && forwarded && split.historyFrom?.name)
    name = { value: split.historyFrom.name, source: 'forwarded-header' };
  if (!name && !onBehalf && senderUsable && message.from?.name && /\s/.test(message.from.name.trim()))
    name = { value: message.from.name.trim(), source: 'sender' };

  const autoReply = AUTO_REPLY.test(fold(subjectLine)) || AUTO_REPLY.test(fold(readable.slice(0, 300)));
  const bulk = BULK.test(foldedAll) || (sender !== undefined && NO_REPLY.test(sender));
  const general = GENERAL_REQUEST.test(foldedAll);
  const notRequestReason = autoReply
    ? 'auto-reply'
    : bulk && !general
      ? 'bulk'
      : rights.length === 0 && !general
        ? 'no-request'
        : undefined;

  const language = detectLanguage(readable.trim() || subjectLine);
  if (language.code === undefined && language.detected !== 'und') notes.push(`language:${language.detected}`);

  return {
    isRequest: notRequestReason === undefined,
    notRequestReason,
    rights,
    regulations: suggestions(findRegulations(`${subjectLine}\n${readable}`), 'text'),
    emails,
    name,
    phones: suggestions(findPhones(readable), 'text'),
    customerNumbers: suggestions(findNumbers(readable, 'customerNumber'), 'text'),
    orderNumbers: suggestions(findNumbers(readable, 'orderNumber'), 'text'),
    employeeNumbers: suggestions(findNumbers(readable, 'employeeNumber'), 'text'),
    dates: findDates(readable).map((hit) => ({ value: hit.date, source: 'text' as const, excerpt: hit.excerpt })),
    language,
    onBehalf,
    notes,
  };
}

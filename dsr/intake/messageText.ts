import { convert } from 'html-to-text';

/**
 * A message reduced to the text its author wrote, with the history it carries kept apart: the words
 * of a reply's quoted thread are someone else's, while a forwarded mail carries the request itself.
 */
export interface MessageText {
  /** What the author wrote on top, without quoted history or mail disclaimers. */
  own: string;
  /** The history below the author's text (a quoted reply or a forwarded mail), if any. */
  history: string;
  historyKind: 'reply' | 'forward' | undefined;
  /** The sender named in the history's header ("From: Name <address>"), if there is one. */
  historyFrom: { name?: string; address?: string } | undefined;
  /** Set when the text was cut to the size limit or had unreadable parts. */
  notes: string[];
}

/** More than this is cut: a real request is short, and the rules read every character. */
export const MESSAGE_TEXT_LIMIT = 100_000;

const HTML_HINT = /<(html|body|div|p|br|span|table|blockquote)\b/i;

/** HTML to plain text through html-to-text: blockquotes become "> " lines, so quoted history stays recognisable. */
export function plainText(body: string, contentType?: 'html' | 'text'): string {
  const isHtml = contentType === 'html' || (contentType === undefined && HTML_HINT.test(body));
  if (!isHtml) return body;
  return convert(body, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
    ],
  });
}

// Reply headers as the common mail clients write them, in the four languages (Gmail, Apple Mail, Thunderbird, Outlook).
const REPLY_HEADER = [
  /^On .{4,200}wrote:\s*$/i,
  /^Am .{4,200}schrieb.{0,200}:\s*$/i,
  /^Le .{4,200}a [ée]crit\s*:\s*$/i,
  /^El .{4,200}escribi[óo]\s*:\s*$/i,
  /^-{2,}\s*(Original Message|Urspr[üu]ngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}\s*$/i,
];
const FORWARD_HEADER = [
  /^-{2,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transf[ée]r[ée]|Mensaje reenviado)\s*-{2,}\s*$/i,
  /^(Begin forwarded message|Anfang der weitergeleiteten Nachricht|D[ée]but du message r[ée]exp[ée]di[ée]|Inicio del mensaje reenviado)\s*:?\s*$/i,
];
// Outlook quotes both replies and forwards under a "From: … Sent: …" block; the subject line tells which.
const OUTLOOK_FROM = /^\s*\*?(From|Von|De|Desde)\s*\*?\s*:\s*(.+)$/i;
const OUTLOOK_SENT = /^\s*\*?(Sent|Gesendet|Envoy[ée]|Enviado|Date|Datum|Fecha)\s*\*?\s*:/i;
const FORWARD_SUBJECT = /^\s*(fwd?|wg|tr|rv|enc|weitergeleitet)\s*:/i;

// Legal footers tell a wrong recipient to delete the mail; they are not the sender's request.
const DISCLAIMER =
  /\b(confidential|privileged|intended recipient|vertraulich|empf[äa]nger|confidentiel|destinataire|confidencial|destinatario)\b/i;
const DISCLAIMER_ACTION = /\b(delete|destroy|l[öo]schen|vernichten|supprimer|d[ée]truire|eliminar|destruir|borrar)\b/i;

function parseAddress(text: string): { name?: string; address?: string } {
  const angle = /^\s*"?([^"<]*?)"?\s*[<[]\s*(?:mailto:)?([^\s<>@\]]+@[^\s<>\]]+)\s*[>\]]/.exec(text);
  if (angle) return { name: angle[1]?.trim() || undefined, address: angle[2]!.toLowerCase() };
  const bare = /([^\s<>@"]+@[^\s<>"]+\.[a-z]{2,})/i.exec(text);
  return bare ? { address: bare[1]!.toLowerCase() } : {};
}

function withoutDisclaimers(text: string): string {
  return text
    .split(/\n\s*\n/)
    .filter((paragraph) => !(DISCLAIMER.test(paragraph) && DISCLAIMER_ACTION.test(paragraph)))
    .join('\n\n');
}

/**
 * Splits a message into the author's own words and the history below them. Works on plain text or
 * HTML; the subject line (if known) tells an Outlook forward from an Outlook reply.
 */
export function splitMessage(
  body: string,
  options: { subject?: string; contentType?: 'html' | 'text' } = {},
): MessageText {
  const notes: string[] = [];
  let raw = body;
  if (raw.length > MESSAGE_TEXT_LIMIT) {
    raw = raw.slice(0, MESSAGE_TEXT_LIMIT);
    notes.push('truncated');
  }
  // Control characters other than line breaks and tabs mean binary content pasted or attached inline.
  // eslint-disable-next-line no-control-regex -- finding them is the point
  const controls = raw.match(/[\u0000-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0;
  if (controls > 0) {
    // eslint-disable-next-line no-control-regex -- finding them is the point
    raw = raw.replace(/[\u0000-\u0008\u000e-\u001f\ufffd]+/g, ' ');
    if (controls > 20) notes.push('binary');
  }
  const text = plainText(raw, options.contentType)
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ');
  const lines = text.split('\n');
  const subjectSaysForward = options.subject !== undefined && FORWARD_SUBJECT.test(options.subject);

  let cut = -1;
  let kind: MessageText['historyKind'];
  let headerFrom: MessageText['historyFrom'];
  for (let i = 0; i < lines.length && cut < 0; i += 1) {
    const line = lines[i]!.trim();
    if (FORWARD_HEADER.some((pattern) => pattern.test(line))) {
      [cut, kind] = [i, 'forward'];
    } else if (REPLY_HEADER.some((pattern) => pattern.test(line))) {
      [cut, kind] = [i, 'reply'];
      const inline = /^(?:On|Am|Le|El)\s.*?([^\s<>]+@[^\s<>]+|<[^>]+>)/.exec(line);
      if (inline) headerFrom = parseAddress(line.replace(/^.*?(?=\S+\s*<|<)/, ''));
    } else if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 4).some((next) => OUTLOOK_SENT.test(next))) {
      [cut, kind] = [i, subjectSaysForward ? 'forward' : 'reply'];
    } else if (line.startsWith('>')) {
      // A quoted block without a header line: the rest of the mail is history.
      [cut, kind] = [i, 'reply'];
    }
  }
  if (cut < 0) {
    return { own: withoutDisclaimers(text).trim(), history: '', historyKind: undefined, historyFrom: undefined, notes };
  }
  const history = lines
    .slice(cut)
    .map((line) => line.replace(/^(\s*>)+\s?/, ''))
    .join('\n');
  // The history's own header names its sender: the first "From:" line after the cut.
  const fromLine = lines
    .slice(cut, cut + 8)
    .map((line) => line.replace(/^(\s*>)+\s?/, ''))
    .map((line) => OUTLOOK_FROM.exec(line))
    .find((match) => match !== null);
  return {
    own: withoutDisclaimers(lines.slice(0, cut).join('\n')).trim(),
    history: withoutDisclaimers(history).trim(),
    historyKind: kind,
    historyFrom: fromLine ? parseAddress(fromLine[2]!) : headerFrom,
    notes,
  };
}

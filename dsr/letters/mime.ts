import MailComposer from 'nodemailer/lib/mail-composer';
import type { RenderedLetter } from './templates.js';

/** A letter as a whole HTML page: what the team prints or opens in a browser. */
export function printableHtml(letter: RenderedLetter, language: string): string {
  const title = letter.subject.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="${language}">
<head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:Georgia,serif;max-width:42em;margin:2em auto;line-height:1.5}h2{font-size:1.1em}h3{font-size:1em}</style>
</head>
<body>
<p><strong>${title}</strong></p>
${letter.html}
</body>
</html>
`;
}

/**
 * The letter as an RFC 5322 message (.eml) for the team's own mail client, built by nodemailer's
 * MIME composer rather than by hand: headers encoded, the body in quoted-printable UTF-8.
 * `X-Unsent: 1` makes Outlook open it as a draft to send (a header Outlook honours; other
 * clients open it as a message).
 */
export async function emlOf(
  letter: RenderedLetter,
  from: string,
  to: string | undefined,
  language: string,
): Promise<Buffer> {
  const composer = new MailComposer({
    from,
    ...(to ? { to } : {}),
    subject: letter.subject,
    html: printableHtml(letter, language),
    headers: { 'X-Unsent': '1', 'Content-Language': language },
  });
  return composer.compile().build();
}

import type { LetterMailer } from '../dsr/letters/letterService.js';
import type { RenderedLetter } from '../dsr/letters/templates.js';
import type { HttpClient } from './http.js';

/**
 * Sends letters from the privacy team's shared mailbox through Microsoft Graph:
 * `POST /users/{id | userPrincipalName}/sendMail` with a JSON message, answered 202 Accepted with
 * no body, the message saved to Sent Items unless `saveToSentItems` is false (Microsoft Graph
 * v1.0, "user: sendMail", learn.microsoft.com/graph/api/user-sendmail). The application permission
 * is Mail.Send, which an Exchange Online application access policy limits to this one mailbox.
 */
export class GraphLetterMailer implements LetterMailer {
  constructor(
    private readonly http: HttpClient,
    /** The Graph service root, such as https://graph.microsoft.com/v1.0/. */
    private readonly serviceRoot: string,
    readonly mailbox: string,
  ) {}

  async send(to: string, letter: RenderedLetter): Promise<void> {
    const url = new URL(`users/${encodeURIComponent(this.mailbox)}/sendMail`, ensureSlash(this.serviceRoot)).toString();
    await this.http.send('POST', url, {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        message: {
          subject: letter.subject,
          body: { contentType: 'HTML', content: letter.html },
          toRecipients: [{ emailAddress: { address: to } }],
        },
        saveToSentItems: true,
      }),
      signal: AbortSignal.timeout(60_000),
    });
  }
}

function ensureSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

import type { LetterMailer, MailAttachment } from '../dsr/letters/letterService.js';
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

  /**
   * Attachments go inline as fileAttachment resources (contentBytes in base64). Learn allows this
   * for files under 3 MB; larger ones need an upload session on a draft message ("Attach large
   * files to Outlook messages", learn.microsoft.com/graph/outlook-large-attachments), which is why
   * the caller attaches only packages below SENDMAIL_ATTACHMENT_MAX_BYTES and links the rest.
   */
  async send(to: string, letter: RenderedLetter, attachments: MailAttachment[] = []): Promise<void> {
    const url = new URL(`users/${encodeURIComponent(this.mailbox)}/sendMail`, ensureSlash(this.serviceRoot)).toString();
    await this.http.send('POST', url, {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        message: {
          subject: letter.subject,
          body: { contentType: 'HTML', content: letter.html },
          toRecipients: [{ emailAddress: { address: to } }],
          ...(attachments.length > 0
            ? {
                attachments: attachments.map((file) => ({
                  '@odata.type': '#microsoft.graph.fileAttachment',
                  name: file.name,
                  contentType: file.contentType,
                  contentBytes: file.content.toString('base64'),
                })),
              }
            : {}),
        },
        saveToSentItems: true,
      }),
      signal: AbortSignal.timeout(60_000),
    });
  }
}

/**
 * The largest file attached inline to a sendMail request: "If the file size is under 3 MB, do a
 * single POST" (learn.microsoft.com/graph/outlook-large-attachments; also
 * learn.microsoft.com/graph/api/attachment-createuploadsession, "between 3 MB and 150 MB").
 */
export const SENDMAIL_ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024;

function ensureSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

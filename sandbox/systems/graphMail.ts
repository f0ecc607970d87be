import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { json, parseJsonBody, ServiceError, type Reply, type SystemRequest } from '../http.js';
import type { SandboxCore } from './common.js';
import { seedInbox } from '../inboxSeed.js';
import { createGraphInbox, type SandboxInbox } from './graphInbox.js';

/**
 * The mail part of Microsoft Graph v1.0 the bot uses, as Microsoft documents it:
 * - `POST /users/{id | userPrincipalName}/sendMail` with `{ message, saveToSentItems }` answers
 *   202 Accepted with no body and keeps the message in Sent Items unless `saveToSentItems` is
 *   false (learn.microsoft.com/graph/api/user-sendmail);
 * - `GET /users/{id}/mailFolders/sentitems/messages` lists Sent Items, `sentitems` being a
 *   well-known folder name (learn.microsoft.com/graph/api/resources/mailfolder);
 * - `GET /users/{id}/mailFolders/inbox/messages/delta` (or `mailFolders('inbox')`, the same key in
 *   parentheses) reads the inbox by delta query: see graphInbox.ts.
 * The tenant's shared privacy mailbox is the only one the app may send from, as an Exchange Online
 * application access policy would have it; other mailboxes answer 403 ErrorAccessDenied. The error
 * codes are those Exchange returns through Graph as far as we could confirm; ErrorInvalidUser for an
 * unknown mailbox is not confirmed by a published page.
 */
export const SANDBOX_MAILBOX_LOCAL_PART = 'privacy-requests';

const recipient = z.object({ emailAddress: z.object({ address: z.email(), name: z.string().optional() }) });
const sendMailBody = z.object({
  message: z.object({
    subject: z.string(),
    body: z.object({ contentType: z.string().regex(/^(text|html)$/i), content: z.string() }),
    toRecipients: z.array(recipient).min(1),
    ccRecipients: z.array(recipient).optional(),
    attachments: z
      .array(
        z.object({
          '@odata.type': z.literal('#microsoft.graph.fileAttachment'),
          name: z.string(),
          contentType: z.string().optional(),
          contentBytes: z.string(),
        }),
      )
      .optional(),
  }),
  saveToSentItems: z.boolean().optional(),
});

interface StoredMessage {
  id: string;
  subject: string;
  body: { contentType: string; content: string };
  toRecipients: Array<{ emailAddress: { address: string; name?: string } }>;
  from: { emailAddress: { address: string } };
  sentDateTime: string;
  hasAttachments: boolean;
}

export interface GraphMail {
  /** Handles `/users/{mailbox}/sendMail` and `/users/{mailbox}/mailFolders/...`. */
  handle(request: SystemRequest, mailbox: string, segments: string[]): Reply;
  /** The privacy mailbox's inbox, which tests and the local demo deliver mail to. */
  readonly inbox: SandboxInbox;
  reset(): void;
}

/** `mailFolders('inbox')` and `mailFolders/inbox` name the same folder (OData key syntax). */
function folderSegments(segments: string[]): string[] {
  const [first, ...rest] = segments;
  const keyed = /^mailFolders\('([^']+)'\)$/i.exec(decodeURIComponent(first ?? ''));
  return keyed ? ['mailFolders', keyed[1]!, ...rest] : segments;
}

export function createGraphMail(core: SandboxCore): GraphMail {
  const shared = `${SANDBOX_MAILBOX_LOCAL_PART}@${core.tenantDomain}`.toLowerCase();
  let sent = new Map<string, StoredMessage[]>();
  const inbox = createGraphInbox({
    mailbox: shared,
    serviceRoot: `${core.baseUrl}/v1.0`,
    seed: (deliver) => seedInbox().forEach(deliver),
  });

  const send = (request: SystemRequest, mailbox: string): Reply => {
    if (request.method !== 'POST')
      throw new ServiceError(405, 'ErrorInvalidRequest', 'The OData request is not supported.');
    const parsed = sendMailBody.safeParse(parseJsonBody(request));
    if (!parsed.success) {
      const recipients = parsed.error.issues.some((issue) => issue.path.includes('toRecipients'));
      throw new ServiceError(
        400,
        recipients ? 'ErrorInvalidRecipients' : 'ErrorInvalidRequest',
        recipients ? 'At least one recipient is not valid.' : 'The request body is not a valid message.',
      );
    }
    const { message, saveToSentItems } = parsed.data;
    if (saveToSentItems !== false) {
      const stored: StoredMessage = {
        id: randomUUID(),
        subject: message.subject,
        body: message.body,
        toRecipients: message.toRecipients,
        from: { emailAddress: { address: shared } },
        sentDateTime: new Date().toISOString(),
        hasAttachments: (message.attachments?.length ?? 0) > 0,
      };
      sent.set(mailbox, [...(sent.get(mailbox) ?? []), stored]);
    }
    return { status: 202, headers: {}, body: undefined };
  };

  const sentItems = (request: SystemRequest, mailbox: string, segments: string[]): Reply => {
    const [folder, collection] = segments;
    if (request.method !== 'GET' || folder?.toLowerCase() !== 'sentitems' || collection !== 'messages') {
      throw new ServiceError(400, 'ErrorInvalidRequest', 'The sandbox serves only mailFolders/sentitems/messages.');
    }
    const value = [...(sent.get(mailbox) ?? [])].reverse();
    return json(200, {
      '@odata.context': `${core.baseUrl}/v1.0/$metadata#users('${mailbox}')/mailFolders('sentitems')/messages`,
      value,
    });
  };

  return {
    handle(request, rawMailbox, segments) {
      const mailbox = rawMailbox.toLowerCase();
      // The application access policy: the app reaches the privacy mailbox and no other.
      if (mailbox !== shared) {
        throw new ServiceError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
      }
      const [action, ...rest] = folderSegments(segments);
      if (action === 'sendMail') return send(request, mailbox);
      const [folder, collection, fn] = rest;
      if (folder?.toLowerCase() === 'inbox' && collection === 'messages' && fn === 'delta' && rest.length === 3) {
        return inbox.delta(request, `mailFolders('inbox')`);
      }
      return sentItems(request, mailbox, rest);
    },
    inbox,
    reset() {
      sent = new Map();
      inbox.reset();
    },
  };
}

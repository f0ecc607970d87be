import { ConnectorHttpError, type HttpClient } from './http.js';
import type { IncomingMail } from '../dsr/mailbox/mailIntake.js';

/**
 * Reads the inbox of the privacy team's shared mailbox through Microsoft Graph v1.0 by delta query:
 * `GET /users/{id | userPrincipalName}/mailFolders('inbox')/messages/delta` ("message: delta",
 * learn.microsoft.com/graph/api/message-delta; `inbox` is a well-known folder name,
 * learn.microsoft.com/graph/api/resources/mailfolder). The application permission is Mail.Read,
 * which an Exchange Online application access policy limits to this one mailbox.
 *
 * - Query options (`$select`, `$filter`) go in the first request only; Graph carries them inside
 *   the `@odata.nextLink` and `@odata.deltaLink` it returns, which are followed as given
 *   (learn.microsoft.com/graph/delta-query-messages).
 * - `$filter` is allowed only as `receivedDateTime ge {value}` (message-delta, "OData query
 *   parameters"): it keeps a first sync from reading years of old mail.
 * - `Prefer: odata.maxpagesize={x}` sets the page size (message-delta, "Request headers").
 * - `Prefer: IdType="ImmutableId"` keeps a message's id when it is moved between folders
 *   (learn.microsoft.com/graph/outlook-immutable-id), so the id stays a durable key. Both
 *   preferences go in one header, comma-separated as RFC 7240 §2 allows; no Microsoft page shows
 *   the two together.
 * - A later round returns a message again when it changes (read, flagged), with the same id, and
 *   `@removed` for one that left the folder (learn.microsoft.com/graph/delta-query-overview).
 * - A state token the service no longer holds is answered with a 40X error "with error codes such
 *   as syncStateNotFound" (delta-query-overview, "Synchronization reset"); Exchange is reported to
 *   answer 410 Gone. Either starts a full synchronization again.
 * The properties selected are those of `microsoft.graph.message` in the v1.0 CSDL
 * (microsoftgraph/msgraph-metadata).
 */
export const INBOX_SELECT = [
  'id',
  'receivedDateTime',
  'subject',
  'body',
  'from',
  'sender',
  'conversationId',
  'internetMessageId',
  'hasAttachments',
  'isDraft',
] as const;

/** A message as the watcher reads it: the domain's mail; anything Graph sent in another shape is left out, never trusted. */
export type InboxMail = IncomingMail;

export interface InboxPage {
  mails: InboxMail[];
  /** Entries Graph sent without a usable id or body; counted so nothing is dropped silently. */
  unreadable: number;
  nextLink: string | undefined;
  deltaLink: string | undefined;
}

/** Why the mailbox could not be read, in the terms the privacy channel is told. */
export type InboxFailure = 'unauthorized' | 'forbidden' | 'not-found' | 'throttled' | 'unavailable' | 'sync-reset';

export class InboxReadError extends Error {
  constructor(
    readonly failure: InboxFailure,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`The mailbox could not be read: ${failure}${status ? ` (${status})` : ''}`);
    this.name = 'InboxReadError';
  }
}

const PAGE_SIZE = 50;
/** Graph answers these with an error body the reader looks at; the rest raise from the client. */
const ANSWERED = [400, 401, 403, 404, 410] as const;
const RESYNC_CODES = /^(syncStateNotFound|syncStateInvalid|resyncRequired)$/i;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function address(value: unknown): { name?: string; address?: string } | undefined {
  const email = (value as { emailAddress?: { name?: unknown; address?: unknown } } | undefined)?.emailAddress;
  if (!email) return undefined;
  const name = text(email.name);
  const at = text(email.address);
  return { ...(name ? { name } : {}), ...(at ? { address: at } : {}) };
}

/** A delta entry read defensively: the watcher must never fall over one odd message. */
export function readInboxEntry(entry: Record<string, unknown>): InboxMail | 'removed' | undefined {
  const id = text(entry.id);
  if (!id) return undefined;
  if (entry['@removed'] !== undefined) return 'removed';
  if (entry.isDraft === true) return 'removed';
  const body = entry.body as { contentType?: unknown; content?: unknown } | undefined;
  const contentType = text(body?.contentType)?.toLowerCase() === 'html' ? 'html' : 'text';
  return {
    id,
    receivedDateTime: text(entry.receivedDateTime),
    subject: text(entry.subject) ?? '',
    body: { contentType, content: text(body?.content) ?? '' },
    from: address(entry.from) ?? address(entry.sender),
    conversationId: text(entry.conversationId),
    hasAttachments: entry.hasAttachments === true,
  };
}

export class GraphInboxReader {
  constructor(
    private readonly http: HttpClient,
    /** The Graph service root, such as https://graph.microsoft.com/v1.0/. */
    private readonly serviceRoot: string,
    readonly mailbox: string,
  ) {}

  /** The first request of a full synchronization, reading mail received from `since` on. */
  firstLink(since: Date): string {
    const root = this.serviceRoot.endsWith('/') ? this.serviceRoot : `${this.serviceRoot}/`;
    const url = new URL(`users/${encodeURIComponent(this.mailbox)}/mailFolders('inbox')/messages/delta`, root);
    url.searchParams.set('$select', INBOX_SELECT.join(','));
    url.searchParams.set('$filter', `receivedDateTime ge ${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
    return url.toString();
  }

  /** One page of a round: the link is a first link, a nextLink or a deltaLink, followed as given. */
  async page(link: string, signal?: AbortSignal): Promise<InboxPage> {
    let response;
    try {
      response = await this.http.send('GET', link, {
        headers: { Accept: 'application/json', Prefer: `odata.maxpagesize=${PAGE_SIZE}, IdType="ImmutableId"` },
        allow: ANSWERED,
        signal: signal ?? AbortSignal.timeout(60_000),
      });
    } catch (error) {
      if (error instanceof ConnectorHttpError) {
        const failure: InboxFailure =
          error.status === 429 || error.kind === 'throttled'
            ? 'throttled'
            : error.status === 401 || error.kind === 'unauthorized'
              ? 'unauthorized'
              : 'unavailable';
        throw new InboxReadError(failure, error.status, error.retryAfterMs);
      }
      throw error;
    }
    if (response.status >= 400) throw this.refusal(response.status, response.text);
    let body: { value?: unknown; '@odata.nextLink'?: unknown; '@odata.deltaLink'?: unknown };
    try {
      body = JSON.parse(response.text) as typeof body;
    } catch {
      throw new InboxReadError('unavailable', response.status, undefined);
    }
    const mails: InboxMail[] = [];
    let unreadable = 0;
    for (const entry of Array.isArray(body.value) ? body.value : []) {
      const read = entry && typeof entry === 'object' ? readInboxEntry(entry as Record<string, unknown>) : undefined;
      if (read === undefined) unreadable += 1;
      else if (read !== 'removed') mails.push(read);
    }
    return { mails, unreadable, nextLink: text(body['@odata.nextLink']), deltaLink: text(body['@odata.deltaLink']) };
  }

  private refusal(status: number, responseText: string): InboxReadError {
    let code = '';
    try {
      code = text((JSON.parse(responseText) as { error?: { code?: unknown } }).error?.code) ?? '';
    } catch {
      // No error body: the status says enough.
    }
    if (status === 410 || RESYNC_CODES.test(code)) return new InboxReadError('sync-reset', status, undefined);
    if (status === 401) return new InboxReadError('unauthorized', status, undefined);
    if (status === 403) return new InboxReadError('forbidden', status, undefined);
    if (status === 404) return new InboxReadError('not-found', status, undefined);
    return new InboxReadError('unavailable', status, undefined);
  }
}

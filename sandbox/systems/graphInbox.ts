import { randomBytes } from 'node:crypto';
import { header, json, ServiceError, type Reply, type SystemRequest } from '../http.js';

/**
 * The inbox of the privacy mailbox and its delta function, as Microsoft documents them:
 * - `GET /users/{id}/mailFolders/{id}/messages/delta` ("message: delta",
 *   learn.microsoft.com/graph/api/message-delta): `$select`, `$top`, `changeType`, `$filter` only as
 *   `receivedDateTime ge|gt {value}` and `$orderby` only as `receivedDateTime desc`; no `$search`.
 *   Query options go in the first request only and are carried inside the state tokens.
 * - A round is one or more pages; every page but the last has `@odata.nextLink` (a `$skiptoken`),
 *   the last has `@odata.deltaLink` (a `$deltatoken`) that starts the next round
 *   (learn.microsoft.com/graph/delta-query-messages). `Prefer: odata.maxpagesize={x}` sets the page
 *   size, answered with `Preference-Applied`.
 * - The first round returns the messages in the folder; later rounds return what was added or
 *   changed (a message marked read comes back, with the same id) and `@removed` for what left the
 *   folder (learn.microsoft.com/graph/delta-query-overview, "Resource representation in the delta
 *   query response").
 * - A state token the service no longer holds: "the service should respond with a 40X-series error
 *   with error codes such as syncStateNotFound" (delta-query-overview, "Synchronization reset").
 *   Exchange is reported to answer 410 Gone; the sandbox answers that, the exact code is assumed.
 * The message properties are those of `microsoft.graph.message` in the v1.0 CSDL
 * (microsoftgraph/msgraph-metadata).
 */
export interface InboxMessage {
  id: string;
  receivedDateTime: string;
  sentDateTime: string;
  subject: string;
  bodyPreview: string;
  body: { contentType: 'text' | 'html'; content: string };
  from?: { emailAddress: { name?: string; address?: string } };
  sender?: { emailAddress: { name?: string; address?: string } };
  toRecipients: Array<{ emailAddress: { name?: string; address: string } }>;
  conversationId: string;
  internetMessageId: string;
  hasAttachments: boolean;
  isRead: boolean;
  isDraft: boolean;
}

/** What a test or the local demo hands to the mailbox: a mail as it arrives. */
export interface DeliveredMail {
  subject?: string;
  body: string;
  contentType?: 'text' | 'html';
  from?: { name?: string; address?: string };
  receivedDateTime?: string;
  conversationId?: string;
  hasAttachments?: boolean;
}

/** A failure the mailbox answers with instead of its content, for the next `count` delta requests (or all). */
export interface InboxFault {
  status: 401 | 403 | 404 | 429 | 503;
  retryAfterSeconds?: number;
  count?: number;
}

export interface SandboxInbox {
  deliver(mail: DeliveredMail): InboxMessage;
  markRead(id: string): void;
  remove(id: string): void;
  /** Makes every state token handed out so far unknown, as when Exchange drops its sync state. */
  forgetSyncState(): void;
  fault(fault: InboxFault | null): void;
  messages(): InboxMessage[];
  /** How many delta requests the mailbox answered, successful or not. */
  deltaRequests(): number;
  reset(): void;
}

interface Entry {
  message: InboxMessage;
  /** The change number of its last change: delivered, read, or removed. */
  seq: number;
  /** The change number it arrived with. */
  createdSeq: number;
  removed: boolean;
}

/** What a state token carries: the round's query options and where the round stands. */
interface SyncState {
  /** The generation of the mailbox's sync state; an old one is unknown. */
  g: number;
  /** Changes after this number belong to the round (0: the first round, every message). */
  from: number;
  /** Changes up to this number belong to the round; later ones wait for the next. */
  to: number;
  /** Entries of the round already returned. */
  skip: number;
  select: string[] | null;
  since: { op: 'ge' | 'gt'; at: string } | null;
  changeType: 'created' | 'updated' | 'deleted' | null;
}

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 1000;
const FILTER = /^\s*receivedDateTime\s+(ge|gt)\s+(\d{4}-\d{2}-\d{2}T[0-9:.]+Z)\s*$/i;
const ALLOWED_QUERY = new Set(['$select', '$top', '$filter', '$orderby', 'changetype', '$deltatoken', '$skiptoken']);

function encodeState(state: SyncState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeState(token: string): SyncState | undefined {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as SyncState;
    return typeof state.g === 'number' && typeof state.from === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** `Prefer: odata.maxpagesize=N` among other preferences, comma-separated (RFC 7240 §2). */
function preferredPageSize(request: SystemRequest): number | undefined {
  const prefer = header(request.headers, 'prefer') ?? '';
  const match = /(?:^|[,\s])odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer);
  return match ? Math.min(MAX_PAGE_SIZE, Math.max(1, Number(match[1]))) : undefined;
}

function graphId(): string {
  // Exchange ids are long base64 strings; the sandbox's only need to be opaque and unique.
  return `AAMk${randomBytes(24).toString('base64url')}`;
}

export function createGraphInbox(options: {
  mailbox: string;
  serviceRoot: string;
  seed: (deliver: (mail: DeliveredMail) => void) => void;
}): SandboxInbox & { delta(request: SystemRequest, folderPath: string): Reply } {
  let entries: Entry[] = [];
  let seq = 0;
  let generation = 1;
  let fault: (InboxFault & { left?: number }) | null = null;
  let requests = 0;

  const find = (id: string): Entry => {
    const entry = entries.find((e) => e.message.id === id);
    if (!entry) throw new Error(`No message ${id} in the sandbox inbox`);
    return entry;
  };

  const deliver = (mail: DeliveredMail): InboxMessage => {
    const received = mail.receivedDateTime ?? new Date().toISOString();
    const content = mail.body;
    const text = mail.contentType === 'html' ? content.replace(/<[^>]*>/g, ' ') : content;
    const from = mail.from ? { emailAddress: { ...mail.from } } : undefined;
    const message: InboxMessage = {
      id: graphId(),
      receivedDateTime: received,
      sentDateTime: received,
      subject: mail.subject ?? '',
      bodyPreview: text.replace(/\s+/g, ' ').trim().slice(0, 255),
      body: { contentType: mail.contentType ?? 'text', content },
      ...(from ? { from, sender: from } : {}),
      toRecipients: [{ emailAddress: { address: options.mailbox } }],
      conversationId: mail.conversationId ?? graphId(),
      internetMessageId: `<${randomBytes(12).toString('hex')}@sandbox.example>`,
      hasAttachments: mail.hasAttachments ?? false,
      isRead: false,
      isDraft: false,
    };
    seq += 1;
    entries.push({ message, seq, createdSeq: seq, removed: false });
    return message;
  };

  const reset = () => {
    entries = [];
    seq = 0;
    generation += 1;
    fault = null;
    requests = 0;
    options.seed(deliver);
  };
  reset();

  const shaped = (entry: Entry, select: string[] | null): Record<string, unknown> => {
    if (entry.removed) {
      return { '@odata.type': '#microsoft.graph.message', id: entry.message.id, '@removed': { reason: 'deleted' } };
    }
    const full = entry.message as unknown as Record<string, unknown>;
    const picked = select ? Object.fromEntries(select.filter((p) => p in full).map((p) => [p, full[p]])) : full;
    return {
      '@odata.type': '#microsoft.graph.message',
      '@odata.etag': `W/"${entry.seq}"`,
      ...picked,
      id: entry.message.id,
    };
  };

  const firstState = (params: URLSearchParams): SyncState => {
    const select = params.get('$select');
    const filter = params.get('$filter');
    const orderby = params.get('$orderby');
    const changeType = params.get('changeType') ?? params.get('changetype');
    for (const key of params.keys()) {
      if (!ALLOWED_QUERY.has(key.toLowerCase())) {
        throw new ServiceError(
          400,
          'ErrorInvalidUrlQuery',
          `The query parameter '${key}' is not supported with delta.`,
        );
      }
    }
    let since: SyncState['since'] = null;
    if (filter !== null) {
      const match = FILTER.exec(filter);
      if (!match) {
        throw new ServiceError(
          400,
          'ErrorInvalidUrlQueryFilter',
          'Delta supports $filter only as receivedDateTime ge or gt a date and time.',
        );
      }
      since = { op: match[1]!.toLowerCase() as 'ge' | 'gt', at: match[2]! };
    }
    if (orderby !== null && !/^\s*receivedDateTime\s+desc\s*$/i.test(orderby)) {
      throw new ServiceError(400, 'ErrorInvalidUrlQuery', 'Delta supports $orderby only as receivedDateTime desc.');
    }
    if (changeType !== null && !['created', 'updated', 'deleted'].includes(changeType)) {
      throw new ServiceError(400, 'ErrorInvalidUrlQuery', `changeType '${changeType}' is not supported.`);
    }
    return {
      g: generation,
      from: 0,
      to: seq,
      skip: 0,
      select: select
        ? select
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean)
        : null,
      since,
      changeType: changeType as SyncState['changeType'],
    };
  };

  const inRound = (state: SyncState): Entry[] =>
    entries
      .filter((e) => e.seq > state.from && e.seq <= state.to)
      // The first round lists what is in the folder; removals matter only to someone who saw the message.
      .filter((e) => !(state.from === 0 && e.removed))
      .filter((e) => {
        if (!state.since) return true;
        const received = Date.parse(e.message.receivedDateTime);
        const at = Date.parse(state.since.at);
        return state.since.op === 'ge' ? received >= at : received > at;
      })
      .filter((e) => {
        if (state.changeType === null) return true;
        if (state.changeType === 'deleted') return e.removed;
        if (e.removed) return false;
        return state.changeType === 'created' ? e.createdSeq > state.from : e.createdSeq <= state.from;
      })
      .sort((a, b) => a.seq - b.seq);

  const delta = (request: SystemRequest, folderPath: string): Reply => {
    requests += 1;
    if (request.method !== 'GET')
      throw new ServiceError(405, 'ErrorInvalidRequest', 'The OData request is not supported.');
    if (fault) {
      const current = fault;
      if (current.left !== undefined) {
        current.left -= 1;
        if (current.left <= 0) fault = null;
      }
      const codes: Record<InboxFault['status'], [string, string]> = {
        401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
        403: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
        404: ['ErrorInvalidUser', 'The requested user is invalid.'],
        429: ['ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'],
        503: ['ServiceUnavailable', 'The service is temporarily unavailable.'],
      };
      const [code, message] = codes[current.status];
      throw new ServiceError(
        current.status,
        code,
        message,
        current.retryAfterSeconds !== undefined ? { 'Retry-After': String(current.retryAfterSeconds) } : {},
      );
    }
    const params = request.url.searchParams;
    const token = params.get('$deltatoken') ?? params.get('$skiptoken');
    let state: SyncState;
    if (token === null) {
      state = firstState(params);
    } else {
      const decoded = decodeState(token);
      if (!decoded || decoded.g !== generation) {
        throw new ServiceError(
          410,
          'SyncStateNotFound',
          'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
        );
      }
      // A delta token starts a new round from where the last one ended.
      state = params.has('$deltatoken') ? { ...decoded, from: decoded.to, to: seq, skip: 0 } : decoded;
    }
    const size = preferredPageSize(request) ?? DEFAULT_PAGE_SIZE;
    const round = inRound(state);
    const page = round.slice(state.skip, state.skip + size);
    const base = `${options.serviceRoot}/users/${encodeURIComponent(options.mailbox)}/${folderPath}/messages/delta`;
    const next = state.skip + page.length;
    const link =
      next < round.length
        ? { '@odata.nextLink': `${base}?$skiptoken=${encodeState({ ...state, skip: next })}` }
        : { '@odata.deltaLink': `${base}?$deltatoken=${encodeState({ ...state, skip: 0 })}` };
    return json(
      200,
      {
        '@odata.context': `${options.serviceRoot}/$metadata#Collection(message)`,
        value: page.map((entry) => shaped(entry, state.select)),
        ...link,
      },
      preferredPageSize(request) !== undefined ? { 'Preference-Applied': `odata.maxpagesize=${size}` } : {},
    );
  };

  return {
    delta,
    deliver,
    markRead(id) {
      const entry = find(id);
      entry.message = { ...entry.message, isRead: true };
      seq += 1;
      entry.seq = seq;
    },
    remove(id) {
      const entry = find(id);
      entry.removed = true;
      seq += 1;
      entry.seq = seq;
    },
    forgetSyncState() {
      generation += 1;
    },
    fault(next) {
      fault = next ? { ...next, ...(next.count !== undefined ? { left: next.count } : {}) } : null;
    },
    messages: () => entries.filter((e) => !e.removed).map((e) => e.message),
    deltaRequests: () => requests,
    reset,
  };
}

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChannelAuthentication } from '../../teams/authentication.js';
import { connectorSource, type ConnectorSource } from '../../teams/outbox/teamsTransport.js';

export interface RecordedCall {
  method: string;
  path: string;
  conversationId: string | undefined;
  activityId: string | undefined;
  body: Record<string, unknown>;
  /** How the fake answered. */
  status?: number;
}

/** A made-up answer: `body` is sent as JSON, `raw` as it is (a gateway's HTML page, say). */
type Responder = (
  call: RecordedCall,
) => { status: number; body?: unknown; raw?: string; headers?: Record<string, string> } | undefined;

/**
 * A stand-in for the Bot Connector service the bot replies to: it implements the routes the
 * connector client calls and records every call, so tests see exactly what a user would.
 */
export class FakeConnector {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private responder: Responder | undefined;
  private waiters: Array<() => void> = [];
  private limits: Array<{ limit: number; ms: number }> | undefined;
  private globalPerSecond: number | undefined;
  private readonly arrivals = new Map<string, number[]>();
  private globalArrivals: number[] = [];
  /** What each conversation shows, as Microsoft Graph lists it (see `serveGraph`). */
  private readonly posted = new Map<string, Array<{ id: string; at: Date; activity: Record<string, unknown> }>>();
  /** How Graph answers a read of a conversation: its messages, or a refusal (consent not granted). */
  graphAnswer: 'messages' | 'forbidden' = 'messages';
  /** Graph reads served, of any answer. */
  graphReads = 0;
  /** Calls that broke a Teams rate limit; each was answered 429 as Teams would. */
  readonly violations: RecordedCall[] = [];
  url = '';

  /**
   * Answers like Teams when a conversation gets more than its limits (7/1 s, 8/2 s, 60/30 s,
   * 1800/h) or, given `globalPerSecond`, the app more than that many requests in any second.
   */
  enforceTeamsLimits(
    limits = [
      { limit: 7, ms: 1_000 },
      { limit: 8, ms: 2_000 },
      { limit: 60, ms: 30_000 },
      { limit: 1800, ms: 3_600_000 },
    ],
    globalPerSecond?: number,
  ): void {
    this.limits = limits;
    this.globalPerSecond = globalPerSecond;
  }

  /** The conversation a call counts against: a new channel thread counts against its channel. */
  static conversationOf(call: RecordedCall): string {
    if (call.conversationId) return call.conversationId.split(';')[0]!;
    const channelData = call.body.channelData as { channel?: { id?: string } } | undefined;
    const members = call.body.members as Array<{ id: string }> | undefined;
    return channelData?.channel?.id ?? members?.[0]?.id ?? 'unknown';
  }

  private breaksLimits(call: RecordedCall): boolean {
    if (!this.limits || call.method !== 'POST') return false;
    const key = FakeConnector.conversationOf(call);
    const now = Date.now();
    if (this.globalPerSecond !== undefined) {
      this.globalArrivals = this.globalArrivals.filter((t) => t > now - 1_000);
      if (this.globalArrivals.length >= this.globalPerSecond) return true;
    }
    const times = this.arrivals.get(key) ?? [];
    for (const { limit, ms } of this.limits) {
      if (times.filter((t) => t > now - ms).length >= limit) {
        if (process.env.DEBUG_LIMITS)
          console.log(
            'violation',
            key,
            limit,
            ms,
            times.map((t) => now - t),
          );
        return true;
      }
    }
    times.push(now);
    this.arrivals.set(key, times);
    this.globalArrivals.push(now);
    return false;
  }

  async start(): Promise<void> {
    // A request cut off by a killed client is simply dropped, as a real service would.
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Lets a test answer some calls differently (throttling, a user who blocked the bot). */
  respondWith(responder: Responder | undefined): void {
    this.responder = responder;
  }

  /** Activities the bot sent into a conversation (new messages and replies). */
  sent(conversationId?: string): Array<Record<string, unknown>> {
    return this.calls
      .filter((call) => call.method === 'POST' && call.path.includes('/activities'))
      .filter((call) => conversationId === undefined || call.conversationId === conversationId)
      .map((call) => call.body);
  }

  /** Messages that went through: accepted activities and the first message of a created conversation. */
  delivered(): RecordedCall[] {
    return this.calls.filter(
      (call) =>
        call.method === 'POST' &&
        call.status !== undefined &&
        call.status < 300 &&
        (call.path.includes('/activities') || (call.path === '/v3/conversations' && call.body.activity !== undefined)),
    );
  }

  async waitFor<T>(find: () => T | undefined, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('The bot did not send the expected activity in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private remember(conversationId: string, activity: Record<string, unknown>, id: string): void {
    const list = this.posted.get(conversationId) ?? [];
    list.push({ id, at: new Date(), activity });
    this.posted.set(conversationId, list);
  }

  /**
   * Microsoft Graph's reads of a conversation's messages, as v1.0 documents them: a chat's messages
   * newest first, filtered on `lastModifiedDateTime` only with `$orderby` on the same property, at
   * most 50 (https://learn.microsoft.com/graph/api/chat-list-messages); a channel's posts and a
   * thread's replies (channel-list-messages, chatmessage-list-replies). Each is a chatMessage whose
   * `from.application` is the bot and whose card attachments carry the card serialised as JSON.
   */
  private serveGraph(url: URL, res: ServerResponse): boolean {
    const chat = /^\/v1\.0\/chats\/([^/]+)\/messages$/.exec(url.pathname);
    const replies = /^\/v1\.0\/teams\/[^/]+\/channels\/([^/]+)\/messages\/([^/]+)\/replies$/.exec(url.pathname);
    const posts = /^\/v1\.0\/teams\/[^/]+\/channels\/([^/]+)\/messages$/.exec(url.pathname);
    if (!chat && !replies && !posts) return false;
    this.graphReads += 1;
    if (this.graphAnswer === 'forbidden') {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'Forbidden', message: 'Missing role permissions on the request.' } }));
      return true;
    }
    const top = Number(url.searchParams.get('$top') ?? '20');
    if (!Number.isInteger(top) || top < 1 || top > 50) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BadRequest', message: 'Invalid page size specified.' } }));
      return true;
    }
    let found: Array<{ id: string; at: Date; activity: Record<string, unknown> }>;
    if (chat) found = this.posted.get(decodeURIComponent(chat[1]!)) ?? [];
    else if (replies)
      found = this.posted.get(`${decodeURIComponent(replies[1]!)};messageid=${decodeURIComponent(replies[2]!)}`) ?? [];
    else {
      const channel = decodeURIComponent(posts![1]!);
      found = [...this.posted.entries()]
        .filter(([key]) => key.startsWith(`${channel};messageid=`))
        .map(([, list]) => list[0]!)
        .filter(Boolean);
    }
    const filter = /^lastModifiedDateTime gt (.+)$/.exec(url.searchParams.get('$filter') ?? '');
    const orderBy = url.searchParams.get('$orderby');
    if (chat && filter && orderBy?.startsWith('lastModifiedDateTime')) {
      const after = Date.parse(filter[1]!);
      found = found.filter((m) => m.at.getTime() > after);
    }
    const value = [...found]
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, top)
      .map((m) => {
        const attachments = ((m.activity.attachments as Array<{ contentType?: string; content?: unknown }>) ?? []).map(
          (a, i) => ({ id: `${m.id}-${i}`, contentType: a.contentType, content: JSON.stringify(a.content) }),
        );
        const escaped = (typeof m.activity.text === 'string' ? m.activity.text : '')
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;');
        return {
          id: m.id,
          messageType: 'message',
          createdDateTime: m.at.toISOString(),
          lastModifiedDateTime: m.at.toISOString(),
          from: {
            user: null,
            application: {
              id: (m.activity.from as { id?: string } | undefined)?.id ?? '',
              displayName: 'DSR Assistant',
              applicationIdentityType: 'bot',
            },
          },
          body: {
            contentType: 'html',
            content: attachments.length
              ? attachments.map((a) => `<attachment id="${a.id}"></attachment>`).join('')
              : `<p>${escaped}</p>`,
          },
          attachments,
        };
      });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#chatMessages', value }));
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'GET' && this.serveGraph(new URL(req.url ?? '/', this.url), res)) return;
    const path = (req.url ?? '').split('?')[0] ?? '';
    const match = /^\/v3\/conversations\/([^/]+)(?:\/activities(?:\/([^/]+))?)?/.exec(path);
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path,
      conversationId: match?.[1] === undefined ? undefined : decodeURIComponent(match[1]),
      activityId: match?.[2] === undefined ? undefined : decodeURIComponent(match[2]),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    if (this.breaksLimits(call)) {
      call.status = 429;
      this.calls.push(call);
      this.violations.push(call);
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'TooManyRequests', message: 'Too many requests' } }));
      this.notify();
      return;
    }
    const custom = this.responder?.(call);
    if (custom) {
      call.status = custom.status;
      this.calls.push(call);
      res.writeHead(custom.status, { 'content-type': 'application/json', ...custom.headers });
      res.end(custom.raw ?? (custom.body === undefined ? '' : JSON.stringify(custom.body)));
      this.notify();
      return;
    }
    call.status = call.method === 'POST' && path === '/v3/conversations' ? 201 : 200;
    this.calls.push(call);
    let body: unknown = {};
    if (call.method === 'POST' && path === '/v3/conversations') {
      // A new thread in a channel is the channel's id with the thread's first message, as Teams names it.
      const channel = (call.body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
      const activityId = randomUUID();
      const id = channel ? `${channel};messageid=${activityId}` : `conv-${randomUUID()}`;
      if (call.body.activity) this.remember(id, call.body.activity as Record<string, unknown>, activityId);
      body = { id, activityId, serviceUrl: this.url };
    } else if (path.endsWith('/members')) {
      body = [];
    } else if (path.startsWith('/v3/teams/')) {
      body = { conversations: [] };
    } else if (call.method !== 'DELETE') {
      body = { id: randomUUID() };
      if (call.method === 'POST' && call.conversationId && path.endsWith('/activities'))
        this.remember(call.conversationId, call.body, (body as { id: string }).id);
    }
    res.writeHead(call.method === 'POST' && path === '/v3/conversations' ? 201 : 200, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(body));
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Bot Connector clients as the bot makes them (no App ID: a local run), for tests that send through the outbox. */
export function channelConnectors(): ConnectorSource {
  return connectorSource(createChannelAuthentication({ MicrosoftAppType: 'MultiTenant' }), '');
}

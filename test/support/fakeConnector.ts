import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  conversationId: string | undefined;
  activityId: string | undefined;
  body: Record<string, unknown>;
}

type Responder = (
  call: RecordedCall,
) => { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

/**
 * A stand-in for the Bot Connector service the bot replies to: it implements the routes the
 * connector client calls and records every call, so tests see exactly what a user would.
 */
export class FakeConnector {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private responder: Responder | undefined;
  private waiters: Array<() => void> = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0] ?? '';
    const match = /^\/v3\/conversations\/([^/]+)(?:\/activities(?:\/([^/]+))?)?/.exec(path);
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path,
      conversationId: match?.[1] === undefined ? undefined : decodeURIComponent(match[1]),
      activityId: match?.[2] === undefined ? undefined : decodeURIComponent(match[2]),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    const custom = this.responder?.(call);
    if (custom) {
      this.calls.push(call);
      res.writeHead(custom.status, { 'content-type': 'application/json', ...custom.headers });
      res.end(custom.body === undefined ? '' : JSON.stringify(custom.body));
      this.notify();
      return;
    }
    this.calls.push(call);
    let body: unknown = {};
    if (call.method === 'POST' && path === '/v3/conversations') {
      body = { id: `conv-${randomUUID()}`, activityId: randomUUID(), serviceUrl: this.url };
    } else if (path.endsWith('/members')) {
      body = [];
    } else if (path.startsWith('/v3/teams/')) {
      body = { conversations: [] };
    } else if (call.method !== 'DELETE') {
      body = { id: randomUUID() };
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

import { Agent, request as httpsRequest } from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { JsonRecord } from '../../sandbox/odata/filter.js';
import type { Sandbox } from '../../sandbox/server.js';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON; typed loosely as the OData and error shapes the tests read. */
  json: Body;
}

export interface Body {
  value: JsonRecord[];
  error: { code: string; message: string };
  [key: string]: unknown;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | object;
  timeoutMs?: number;
}

const agents = new WeakMap<Sandbox, Agent>();

/** An agent that trusts the sandbox certificate, as a connector's own agent would. */
export function agentFor(sandbox: Sandbox): Agent {
  let agent = agents.get(sandbox);
  if (!agent) {
    agent = new Agent({ ca: sandbox.caCertPem, keepAlive: false });
    agents.set(sandbox, agent);
  }
  return agent;
}

export function call(sandbox: Sandbox, url: string, options: HttpOptions = {}): Promise<HttpResult> {
  const absolute = url.startsWith('https://') ? url : `${sandbox.url}${url}`;
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      absolute,
      { method: options.method ?? 'GET', headers, agent: agentFor(sandbox) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parsed as Body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error('client timeout')));
    }
    req.end(payload);
  });
}

export async function tokenFor(sandbox: Sandbox, resource: string, secret = sandbox.clientSecret): Promise<HttpResult> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: sandbox.clientId,
    client_secret: secret,
    scope: `${resource}/.default`,
  });
  return call(sandbox, sandbox.endpoints.token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
}

export async function bearer(sandbox: Sandbox, resource: string): Promise<Record<string, string>> {
  const result = await tokenFor(sandbox, resource);
  if (result.status !== 200) throw new Error(`token request failed: ${result.text}`);
  return { Authorization: `Bearer ${String(result.json.access_token)}` };
}

/** MSAL's network hook, sending through an agent that trusts the sandbox CA. */
export class TrustingNetworkClient implements INetworkModule {
  readonly calls: string[] = [];
  constructor(private readonly sandbox: Sandbox) {}

  async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    this.calls.push(`${method} ${new URL(url).pathname}`);
    const result = await call(this.sandbox, url, { method, headers: options?.headers, body: options?.body });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    return { status: result.status, headers, body: result.json as T };
  }
}

/** Last link of a Graph client middleware chain: the HTTP call, through the trusting agent. */
export class TrustingGraphTransport implements Middleware {
  constructor(private readonly sandbox: Sandbox) {}

  async execute(context: Context): Promise<void> {
    const request = context.request as string | Request;
    const url = typeof request === 'string' ? request : request.url;
    const headers: Record<string, string> = {};
    new Headers(context.options?.headers).forEach((value, name) => (headers[name] = value));
    const body = context.options?.body;
    const result = await call(this.sandbox, url, {
      method: context.options?.method ?? 'GET',
      headers,
      body: typeof body === 'string' ? body : undefined,
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(result.headers)) {
      if (typeof value === 'string') responseHeaders.set(name, value);
    }
    const noBody = result.status === 204 || result.status === 304;
    context.response = new Response(noBody ? null : result.text, { status: result.status, headers: responseHeaders });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';

/** Where a request went wrong, in the terms the findings card uses. */
export type FailureKind =
  'timeout' | 'throttled' | 'unavailable' | 'unauthorized' | 'rejected' | 'conflict' | 'network' | 'aborted';

export class ConnectorHttpError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    /** How long the service asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface TokenSource {
  token(signal?: AbortSignal): Promise<string>;
  /** Drops a cached token the service refused, so the next request gets a new one. */
  invalidate(): void;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the system is reported as throttled instead. */
  maxRetryAfterMs: number;
}

export interface HttpClientOptions {
  /** Names the system in errors; never a person. */
  system: string;
  tokens?: TokenSource;
  dispatcher: Dispatcher;
  requestTimeoutMs: number;
  maxConcurrency: number;
  retry: RetryPolicy;
  headers?: Record<string, string>;
  /** Only links to this origin are followed, so a token is never sent elsewhere. */
  origin: string;
  random?: () => number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Statuses handed back to the caller instead of raised, such as 404 for "no manager". */
  allow?: readonly number[];
}

interface ODataPage {
  value?: Record<string, unknown>[];
  '@odata.nextLink'?: string;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxRetryAfterMs: 30_000,
};

/** An agent trusting the given CA in addition to the system's, for a private or test certificate. */
export function agentTrusting(caPem: string | undefined, connections = 16): Dispatcher {
  return new Agent({ connections, ...(caPem ? { connect: { ca: caPem } } : {}) });
}

/** Counting semaphore: at most `limit` requests to one system at a time. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** The service's own error message from an OData or Graph error body, if it has one. */
function serviceMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; error_description?: unknown };
    if (typeof body.error === 'object' && typeof body.error.message === 'string') return body.error.message;
    if (typeof body.error_description === 'string') return body.error_description;
  } catch {
    // Not JSON: the status says enough.
  }
  return '';
}

/**
 * The one HTTP client under every connector: tokens, retries with Retry-After and bounded
 * exponential backoff with full jitter, per-request timeouts, a concurrency gate per system,
 * and OData paging.
 */
export class HttpClient {
  private readonly gate: Gate;
  private readonly random: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.gate = new Gate(Math.max(1, options.maxConcurrency));
    this.random = options.random ?? Math.random;
  }

  get system(): string {
    return this.options.system;
  }

  async send(method: string, url: string, send: SendOptions = {}): Promise<HttpResponse> {
    if (new URL(url).origin !== this.options.origin) {
      throw new ConnectorHttpError('rejected', `${this.options.system}: refused to send a request to another host.`);
    }
    const { retry } = this.options;
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await this.attempt(method, url, send);
      } catch (error) {
        // A dropped connection on a read is worth another try; a write might have happened.
        const retryable = error instanceof ConnectorHttpError && error.kind === 'network' && method === 'GET';
        if (!retryable || attempt >= retry.maxAttempts) throw error;
        await this.pause(this.backoff(attempt), send.signal);
        continue;
      }
      const { status } = response;
      if (status === 401 && this.options.tokens && !refreshedToken) {
        refreshedToken = true;
        this.options.tokens.invalidate();
        attempt--;
        continue;
      }
      const retryable = status === 429 || status === 503 || status >= 500;
      if (!retryable) {
        if (status < 400 || send.allow?.includes(status)) return response;
        throw this.failure(response);
      }
      if (attempt >= retry.maxAttempts) throw this.failure(response);
      let wait: number;
      const advised =
        status === 429 || status === 503 ? retryAfterMs(response.headers['retry-after'], Date.now()) : undefined;
      if (advised !== undefined) {
        if (advised > retry.maxRetryAfterMs) throw this.failure(response);
        wait = advised;
      } else {
        wait = this.backoff(attempt);
      }
      await this.pause(wait, send.signal);
    }
  }

  async getJson<T = Record<string, unknown>>(
    url: string,
    send: SendOptions = {},
  ): Promise<{ status: number; body: T; etag?: string }> {
    const response = await this.send('GET', url, {
      ...send,
      headers: { Accept: 'application/json', ...send.headers },
    });
    const body = (response.text === '' ? {} : JSON.parse(response.text)) as T;
    return { status: response.status, body, etag: response.headers.etag };
  }

  /**
   * Changes a record only if it is still the version read (`If-Match` with its ETag), so a change
   * made meanwhile by someone else is never overwritten; a stale ETag is a `conflict`.
   */
  async patch(url: string, changes: Record<string, unknown>, etag: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.send('PATCH', url, { headers: { 'If-Match': etag }, body: JSON.stringify(changes), signal });
    } catch (error) {
      if (error instanceof ConnectorHttpError && (error.status === 412 || error.status === 409)) {
        throw new ConnectorHttpError(
          'conflict',
          `${this.options.system}: the record changed since it was read.`,
          error.status,
        );
      }
      throw error;
    }
  }

  /**
   * Every page of an OData collection, following `@odata.nextLink`; `Prefer: odata.maxpagesize`
   * asks for pages of `pageSize` where the service honours it.
   */
  async *pages(url: string, pageSize: number, send: SendOptions = {}): AsyncGenerator<Record<string, unknown>[]> {
    let next: string | undefined = url;
    while (next) {
      const page: { body: ODataPage } = await this.getJson<ODataPage>(next, {
        ...send,
        headers: { Prefer: `odata.maxpagesize=${pageSize}`, ...send.headers },
      });
      yield page.body.value ?? [];
      next = page.body['@odata.nextLink'];
    }
  }

  private async attempt(method: string, url: string, send: SendOptions): Promise<HttpResponse> {
    return this.gate.run(async () => {
      send.signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
      const signal = send.signal ? AbortSignal.any([send.signal, timeout]) : timeout;
      const headers: Record<string, string> = { ...this.options.headers, ...send.headers };
      if (this.options.tokens) headers.Authorization = `Bearer ${await this.bearer(signal)}`;
      if (send.body !== undefined) headers['Content-Type'] ??= 'application/json';
      try {
        const response = await request(url, {
          method,
          headers,
          body: send.body,
          signal,
          dispatcher: this.options.dispatcher,
        });
        const text = await response.body.text();
        return { status: response.statusCode, headers: flatHeaders(response.headers), text };
      } catch (error) {
        if (send.signal?.aborted) throw this.aborted(send.signal);
        if (timeout.aborted) {
          throw new ConnectorHttpError(
            'timeout',
            `${this.options.system} did not answer within ${Math.round(this.options.requestTimeoutMs / 1000)} s.`,
          );
        }
        if (error instanceof ConnectorHttpError) throw error;
        throw new ConnectorHttpError('network', `${this.options.system} could not be reached.`);
      }
    });
  }

  /** Full jitter: spreads the retries of many clients over the whole window, which doubles up to a bound. */
  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.options.retry;
    return Math.floor(this.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
  }

  private async bearer(signal: AbortSignal): Promise<string> {
    try {
      return await this.options.tokens!.token(signal);
    } catch {
      throw new ConnectorHttpError(
        'unauthorized',
        `${this.options.system}: Entra ID gave the app no token; check its app registration and secret.`,
      );
    }
  }

  private aborted(signal: AbortSignal): ConnectorHttpError {
    const reason: unknown = signal.reason;
    if (reason instanceof ConnectorHttpError) return reason;
    if (reason instanceof DOMException && reason.name === 'TimeoutError') {
      return new ConnectorHttpError('timeout', `${this.options.system} took longer than its time allowance.`);
    }
    return new ConnectorHttpError('aborted', `The search of ${this.options.system} was stopped.`);
  }

  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await delay(ms, undefined, { signal });
    } catch {
      throw this.aborted(signal!);
    }
  }

  private failure(response: HttpResponse): ConnectorHttpError {
    const detail = serviceMessage(response.text);
    const { system } = this.options;
    const said = detail ? ` It said: ${detail.slice(0, 200)}` : '';
    const retryAfter = retryAfterMs(response.headers['retry-after'], Date.now());
    if (response.status === 429) {
      return new ConnectorHttpError(
        'throttled',
        `${system} kept asking us to slow down (429).${said}`,
        429,
        retryAfter,
      );
    }
    if (response.status >= 500) {
      return new ConnectorHttpError(
        'unavailable',
        `${system} failed with ${response.status}.${said}`,
        response.status,
        retryAfter,
      );
    }
    if (response.status === 401 || response.status === 403) {
      return new ConnectorHttpError(
        'unauthorized',
        `${system} refused the app's credentials (${response.status}); check its permissions.${said}`,
        response.status,
      );
    }
    return new ConnectorHttpError(
      'rejected',
      `${system} rejected the request (${response.status}).${said}`,
      response.status,
    );
  }
}

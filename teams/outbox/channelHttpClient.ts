/**
 * The HTTP client the Bot Framework connector sends through. The SDK's own pipeline retries 429
 * and 5xx answers by itself, invisibly, which would break Teams' per-conversation limits the
 * outbox keeps; this client turns every unsuccessful answer into an error the SDK passes straight
 * up, so the outbox is the one place that decides about retries.
 */
export class ChannelAnswerError extends Error {
  constructor(
    readonly statusCode: number,
    readonly channelCode: string | undefined,
    readonly retryAfter: string | undefined,
  ) {
    super(`The channel answered ${statusCode}${channelCode ? ` ${channelCode}` : ''}`);
    this.name = 'ChannelAnswerError';
  }
}

interface LegacyHeaders {
  toJson(options?: { preserveCase?: boolean }): Record<string, string>;
}

interface LegacyRequest {
  url: string;
  method: string;
  headers: LegacyHeaders;
  body?: unknown;
  abortSignal?: AbortSignal;
}

function legacyHeaders(source: Headers): LegacyHeaders & Record<string, unknown> {
  const all: Record<string, string> = {};
  source.forEach((value, name) => (all[name] = value));
  return {
    toJson: () => ({ ...all }),
    rawHeaders: () => ({ ...all }),
    get: (name: string) => all[name.toLowerCase()],
    contains: (name: string) => name.toLowerCase() in all,
    headersArray: () => Object.entries(all).map(([name, value]) => ({ name, value })),
    headerNames: () => Object.keys(all),
    headerValues: () => Object.values(all),
  };
}

function channelCodeOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown } } | null;
    return typeof parsed?.error?.code === 'string' ? parsed.error.code : undefined;
  } catch {
    return undefined;
  }
}

/** A connector call that has not answered in this long is abandoned (and, for the outbox, retried). */
export const CHANNEL_TIMEOUT_MS = 30_000;

export const channelHttpClient = {
  async sendRequest(request: LegacyRequest) {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers.toJson({ preserveCase: true }),
        body: typeof request.body === 'string' ? request.body : undefined,
        signal: request.abortSignal
          ? AbortSignal.any([request.abortSignal, AbortSignal.timeout(CHANNEL_TIMEOUT_MS)])
          : AbortSignal.timeout(CHANNEL_TIMEOUT_MS),
      });
    } catch (error) {
      // No answer at all (refused connection, an address that no longer resolves, a timeout): the
      // outbox retries it like a 503.
      throw Object.assign(new ChannelAnswerError(503, 'NoAnswer', undefined), { cause: error });
    }
    const bodyAsText = await response.text();
    if (!response.ok) {
      throw new ChannelAnswerError(
        response.status,
        channelCodeOf(bodyAsText),
        response.headers.get('retry-after') ?? undefined,
      );
    }
    return { request, status: response.status, headers: legacyHeaders(response.headers), bodyAsText };
  },
};

import {
  ConfidentialClientApplication,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { request, type Dispatcher } from 'undici';
import type { TokenSource } from './http.js';

export interface AppCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** `https://login.microsoftonline.com` unless a national cloud or a local stand-in is used. */
  authorityHost?: string;
  /** OpenID metadata for the authority, which spares MSAL a discovery call (a local stand-in has it). */
  authorityMetadata?: string;
}

/** MSAL's network hook through our agent, so token requests trust the same CA as the API calls. */
class UndiciNetwork implements INetworkModule {
  constructor(private readonly dispatcher: Dispatcher) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    const response = await request(url, {
      method,
      headers: options?.headers,
      body: options?.body,
      dispatcher: this.dispatcher,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    return { status: response.statusCode, headers, body: (text ? JSON.parse(text) : {}) as T };
  }
}

/** Refreshes a little early, so a token never expires between being read and being checked. */
const EARLY_REFRESH_MS = 2 * 60 * 1000;

/** One confidential client per app registration; one cached token per resource. */
export class MsalApp {
  private readonly app: ConfidentialClientApplication;

  constructor(credentials: AppCredentials, dispatcher: Dispatcher) {
    const host = (credentials.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        authority: `${host}/${credentials.tenantId}`,
        knownAuthorities: [new URL(host).host],
        ...(credentials.authorityMetadata ? { authorityMetadata: credentials.authorityMetadata } : {}),
      },
      system: { networkClient: new UndiciNetwork(dispatcher) },
    });
  }

  tokensFor(resource: string): TokenSource {
    const scope = `${resource.replace(/\/+$/, '')}/.default`;
    let cached: { token: string; expiresAt: number } | undefined;
    let pending: Promise<string> | undefined;
    const app = this.app;
    return {
      token: async () => {
        if (cached && cached.expiresAt - EARLY_REFRESH_MS > Date.now()) return cached.token;
        // Concurrent requests share one token request.
        pending ??= app
          .acquireTokenByClientCredential({ scopes: [scope], skipCache: cached !== undefined })
          .then((result) => {
            if (!result?.accessToken) throw new Error('The identity platform returned no token.');
            cached = {
              token: result.accessToken,
              expiresAt: result.expiresOn?.getTime() ?? Date.now() + 5 * 60 * 1000,
            };
            return result.accessToken;
          })
          .finally(() => {
            pending = undefined;
          });
        return pending;
      },
      invalidate: () => {
        cached = undefined;
      },
    };
  }
}

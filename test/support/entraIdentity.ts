import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const TENANT_ID = '7d3c1f2e-5b4a-4c3d-9e8f-1a2b3c4d5e6f';

export interface TokenOptions {
  audience?: string;
  tenantId?: string;
  issuer?: string;
  oid?: string;
  name?: string;
  scope?: string;
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
  signWith?: CryptoKey;
}

/**
 * Plays Entra ID for the dashboard's single sign-on: the tenant's signing keys at
 * {authority}/{tenant}/discovery/v2.0/keys on loopback, and tokens shaped like the ones Teams'
 * getAuthToken() hands a tab, so a test can present a genuine one and forge the rest.
 */
export class EntraIdentity {
  private keys: { publicKey: CryptoKey; privateKey: CryptoKey } | undefined;
  private server: Server | undefined;
  authority = '';
  keyRequests = 0;

  async start(): Promise<void> {
    this.keys = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(this.keys.publicKey);
    this.server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `/${TENANT_ID}/discovery/v2.0/keys`) {
        this.keyRequests += 1;
        res.end(JSON.stringify({ keys: [{ ...jwk, kid: 'entra-test-key', use: 'sig', alg: 'RS256' }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.authority = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A v2.0 access token for the app's `access_as_user` scope, as Teams gets it for a tab. */
  async token(appId: string, user: { aadObjectId: string; name: string }, options: TokenOptions = {}): Promise<string> {
    const tenantId = options.tenantId ?? TENANT_ID;
    const claims: JWTPayload = {
      tid: tenantId,
      oid: options.oid ?? user.aadObjectId,
      name: options.name ?? user.name,
      scp: options.scope ?? 'access_as_user',
      ver: '2.0',
    };
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'entra-test-key', typ: 'JWT' })
      .setIssuer(options.issuer ?? `${this.authority}/${tenantId}/v2.0`)
      .setAudience(options.audience ?? appId)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + (options.expiresIn ?? 3600))
      .sign(options.signWith ?? this.keys!.privateKey);
  }

  /** The same token signed with a key Entra ID never published. */
  async forgedToken(appId: string, user: { aadObjectId: string; name: string }): Promise<string> {
    const other = await generateKeyPair('RS256');
    return this.token(appId, user, { signWith: other.privateKey });
  }
}

import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export interface TokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  tid: string;
  appid: string;
  azp: string;
  oid: string;
  sub: string;
  idtyp: 'app';
  ver: '1.0';
  roles: string[];
  uti: string;
}

const claimsSchema = z.object({
  aud: z.string(),
  iss: z.string(),
  iat: z.number(),
  nbf: z.number(),
  exp: z.number(),
  tid: z.string(),
  appid: z.string(),
  azp: z.string(),
  oid: z.string(),
  sub: z.string(),
  idtyp: z.literal('app'),
  ver: z.literal('1.0'),
  roles: z.array(z.string()),
  uti: z.string(),
});

const headerSchema = z.object({ alg: z.literal('RS256'), typ: z.literal('JWT'), kid: z.string() });

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

/** Signs and checks RS256 access tokens with a key pair made per sandbox instance. */
export class TokenIssuer {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly kid = randomUUID().replace(/-/g, '').slice(0, 27);

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = createPublicKey(pair.privateKey);
  }

  issue(claims: Omit<TokenClaims, 'uti'>): string {
    const header = { typ: 'JWT', alg: 'RS256', kid: this.kid };
    const body: TokenClaims = { ...claims, uti: randomUUID().replace(/-/g, '').slice(0, 22) };
    const signingInput = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(body))}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.privateKey).toString('base64url');
    return `${signingInput}.${signature}`;
  }

  check(token: string, nowSeconds: number): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'IDX14100: JWT is not well formed.' };
    const [head = '', payload = '', signature = ''] = parts;
    let claims: TokenClaims;
    try {
      headerSchema.parse(JSON.parse(Buffer.from(head, 'base64url').toString('utf8')));
      claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      return { ok: false, reason: 'IDX14100: JWT is not well formed.' };
    }
    const valid = verify(
      'sha256',
      Buffer.from(`${head}.${payload}`),
      this.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) return { ok: false, reason: 'IDX10511: Signature validation failed.' };
    if (claims.exp <= nowSeconds)
      return { ok: false, reason: 'IDX10223: Lifetime validation failed. The token is expired.' };
    if (claims.nbf > nowSeconds + 300)
      return { ok: false, reason: 'IDX10222: Lifetime validation failed. The token is not yet valid.' };
    return { ok: true, claims };
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: jwk.kty, use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e, alg: 'RS256' }] };
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Normalises a resource URI so `https://host/crm` and `https://host/crm/` name the same API. */
export function normaliseResource(resource: string): string {
  return resource.replace(/\/+$/, '').toLowerCase();
}

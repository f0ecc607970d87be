import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  /** What the link opens, e.g. "audit/DSR-2026-0001". */
  resource: string;
  /** The Entra object id of the only person the link was issued to. */
  userId: string;
  expiresAt: number;
}

/**
 * Signed, expiring links for files the bot hands to one person. The signature covers the
 * resource, the person and the expiry, so none of them can be changed in the address.
 */
export class DownloadLinks {
  private readonly secret: Buffer;

  constructor(
    private readonly baseUrl: () => string,
    secret: string | undefined,
    private readonly lifetimeMs: number,
  ) {
    // Without a configured secret, links are valid until this process stops.
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private sign(claims: LinkClaims): string {
    return createHmac('sha256', this.secret)
      .update(`${claims.resource}\n${claims.userId}\n${claims.expiresAt}`)
      .digest('base64url');
  }

  issue(resource: string, userId: string, now: Date): string {
    const claims = { resource, userId, expiresAt: now.getTime() + this.lifetimeMs };
    const query = new URLSearchParams({ u: userId, exp: String(claims.expiresAt), sig: this.sign(claims) });
    return `${this.baseUrl().replace(/\/$/, '')}/downloads/${resource}?${query.toString()}`;
  }

  /** The claims of a genuine, unexpired link, or why it is refused. */
  verify(resource: string, query: Record<string, unknown>, now: Date): LinkClaims | { refused: string } {
    const { u, exp, sig } = query;
    if (typeof u !== 'string' || typeof exp !== 'string' || typeof sig !== 'string' || !/^\d+$/.test(exp)) {
      return { refused: 'This link is incomplete.' };
    }
    const claims = { resource, userId: u, expiresAt: Number(exp) };
    const expected = Buffer.from(this.sign(claims));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { refused: 'This link is not valid.' };
    if (claims.expiresAt < now.getTime()) return { refused: 'This link has expired; ask the bot for a new one.' };
    return claims;
  }
}

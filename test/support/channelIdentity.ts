import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

export const TEST_ISSUER = 'https://api.botframework.test';

/**
 * Plays the Bot Framework channel's identity provider: OpenID metadata and signing keys on
 * loopback, so a test can present a genuinely signed token (and a forged one).
 */
export class ChannelIdentity {
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private server: Server | undefined;
  metadataUrl = '';

  async start(): Promise<void> {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    this.server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') {
        res.end(JSON.stringify({ issuer: TEST_ISSUER, jwks_uri: `${base}/keys` }));
      } else if (req.url === '/keys') {
        res.end(JSON.stringify({ keys: [{ ...jwk, kid: 'test-key', use: 'sig', endorsements: ['msteams'] }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.metadataUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/openid-configuration`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  token(appId: string, serviceUrl: string, signWith: KeyObject = this.keys.privateKey): string {
    return jwt.sign({ serviceurl: serviceUrl }, signWith.export({ format: 'pem', type: 'pkcs8' }), {
      algorithm: 'RS256',
      keyid: 'test-key',
      issuer: TEST_ISSUER,
      audience: appId,
      expiresIn: '5m',
    });
  }

  /** A token of the right shape signed with a key the channel never published. */
  forgedToken(appId: string, serviceUrl: string): string {
    return this.token(appId, serviceUrl, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  }
}

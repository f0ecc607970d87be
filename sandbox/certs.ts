import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CERT_FILE = 'localhost-cert.pem';
const KEY_FILE = 'localhost-key.pem';

/** The compiler does not copy PEM files, so code running from dist/ finds them in the source tree. */
function certsDir(): string {
  const candidates = ['./certs/', '../../sandbox/certs/'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(`${dir}${CERT_FILE}`)) ?? candidates[0]!;
}

const dir = certsDir();

/** Self-signed certificate for localhost and 127.0.0.1; clients trust it as their CA. */
export const SANDBOX_CA_CERT_PATH = `${dir}${CERT_FILE}`;
export const SANDBOX_KEY_PATH = `${dir}${KEY_FILE}`;

export function readSandboxCertificate(): { cert: string; key: string } {
  return { cert: readFileSync(SANDBOX_CA_CERT_PATH, 'utf8'), key: readFileSync(SANDBOX_KEY_PATH, 'utf8') };
}

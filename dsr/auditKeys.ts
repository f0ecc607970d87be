import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The keys that seal the audit trail. New events are sealed with `current`; events sealed with a
 * key rotated out still verify while that key is listed in `previous`.
 */
export interface AuditKeys {
  current: AuditKey;
  previous: AuditKey[];
}

export interface AuditKey {
  /** A fingerprint, stored on each sealed event so verification knows which key to use; it reveals nothing of the key. */
  id: string;
  secret: Buffer;
}

/** At least 32 characters: the key is the only thing that stops a re-sealed trail. */
export const MIN_AUDIT_KEY_LENGTH = 32;

export function auditKey(secret: string): AuditKey {
  const bytes = Buffer.from(secret, 'utf8');
  return { id: createHash('sha256').update('dsr-audit-key:').update(bytes).digest('hex').slice(0, 16), secret: bytes };
}

export function auditKeys(current: string, previous: readonly string[] = []): AuditKeys {
  return { current: auditKey(current), previous: previous.map(auditKey) };
}

export function findKey(keys: AuditKeys, id: string): AuditKey | undefined {
  return keys.current.id === id ? keys.current : keys.previous.find((key) => key.id === id);
}

/**
 * A local run without an App ID keeps its own random key in its data folder, readable by its
 * owner only, so a trail written locally is sealed too and keeps verifying across restarts.
 */
export async function localAuditKey(dataDir: string): Promise<string> {
  const path = join(dataDir, 'audit.key');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    // 'wx' fails when another start wrote the key first; that key is then the one to use.
    const file = await open(path, 'wx', 0o600);
    try {
      await file.writeFile(secret, 'utf8');
      await file.datasync();
    } finally {
      await file.close();
    }
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(path, 'utf8')).trim();
  }
}

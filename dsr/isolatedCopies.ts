import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { removeCasePackages } from './ports/packages.js';
import { sweepPackages } from './runs/packageRun.js';
import type { IsolatedCopy } from './planRecord.js';

export type { IsolatedCopy } from './planRecord.js';

/** The folder of the package store the isolated copies live in. */
export const ISOLATED_FOLDER = 'isolated';

const DAY_MS = 86_400_000;

/**
 * Isolated copies in the package store's folder (shared by every instance where there is a
 * database). Unlike a download package, a copy outlives its link: it is kept for the period the
 * team sets, or until the case itself is purged, and the purge deletes what is left.
 */
export class IsolatedCopyStore {
  private readonly dir: string;

  constructor(
    packagesDir: string,
    /** Days a copy is kept; undefined keeps it until the case's retention purge. */
    private readonly keepDays: number | undefined,
  ) {
    this.dir = join(packagesDir, ISOLATED_FOLDER);
  }

  /**
   * Copies the package file into the store, flushed to disk, and reads it back to check it: the
   * returned checksum is that of the stored copy, equal to the package's. Throws when any of it
   * fails, and leaves no partial copy behind.
   */
  async keep(caseId: string, packagePath: string, now: Date): Promise<IsolatedCopy> {
    await mkdir(this.dir, { recursive: true });
    const name = `${caseId}-${randomUUID()}.zip`;
    const path = join(this.dir, name);
    const partial = `${path}.partial`;
    try {
      const written = createHash('sha256');
      let bytes = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          written.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(createReadStream(packagePath), hashing, createWriteStream(partial, { flags: 'wx' }));
      const handle = await open(partial, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, path);
      const sha256 = written.digest('hex');
      const stored = createHash('sha256');
      await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) stored.update(chunk);
      });
      if (stored.digest('hex') !== sha256) throw new Error('the stored copy does not match the package');
      return {
        location: `${ISOLATED_FOLDER}/${name}`,
        sha256,
        bytes,
        storedAt: now.toISOString(),
        ...(this.keepDays === undefined
          ? {}
          : { keptUntil: new Date(now.getTime() + this.keepDays * DAY_MS).toISOString() }),
      };
    } catch (error) {
      await rm(partial, { force: true });
      await rm(path, { force: true });
      throw error;
    }
  }

  /** Deletes the copies whose period has ended; nothing while copies are kept for the case's retention. */
  sweep(now: Date): Promise<number> {
    return this.keepDays === undefined ? Promise.resolve(0) : sweepPackages(this.dir, this.keepDays * DAY_MS, now);
  }

  /** Deletes every copy of the case; for its purge. */
  forgetCase(caseId: string): Promise<void> {
    return removeCasePackages(this.dir, caseId);
  }
}

import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { packagePath, sweepPackages } from '../runs/packageRun.js';

/** An export package waiting for its download, as any instance must find it. */
export interface PackageRecord {
  caseId: string;
  packageId: string;
  /** The privacy team member the link was issued to. */
  ownerId: string;
  expiresAt: string;
  bytes: number;
  path: string;
}

export interface PackageStore {
  record(entry: PackageRecord): Promise<void>;
  get(caseId: string, packageId: string): Promise<PackageRecord | undefined>;
  /** Deletes every package expired by `now` and says how many; each is deleted by one caller only. */
  sweep(now: Date): Promise<number>;
  /** Deletes every package of the case, expired or not; for its purge. */
  forgetCase(caseId: string): Promise<void>;
}

/** Deletes the package files of a case from the folder (named `<case>-<package>.zip`, see packagePath). */
export async function removeCasePackages(dir: string, caseId: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(`${caseId}-`)) await rm(join(dir, name), { force: true, recursive: true });
  }
}

/**
 * Packages in one process's folder: the file is the record, and its age says when it expires.
 * Nothing needs keeping beside it.
 */
export class FolderPackageStore implements PackageStore {
  constructor(
    private readonly dir: string,
    private readonly lifetimeMs: number,
  ) {}

  record(): Promise<void> {
    return Promise.resolve();
  }

  async get(caseId: string, packageId: string): Promise<PackageRecord | undefined> {
    const path = packagePath(this.dir, caseId, packageId);
    const info = await stat(path).catch(() => undefined);
    if (!info) return undefined;
    const expiresAt = new Date(info.mtimeMs + this.lifetimeMs).toISOString();
    return { caseId, packageId, ownerId: '', expiresAt, bytes: info.size, path };
  }

  sweep(now: Date): Promise<number> {
    return sweepPackages(this.dir, this.lifetimeMs, now);
  }

  forgetCase(caseId: string): Promise<void> {
    return removeCasePackages(this.dir, caseId);
  }
}

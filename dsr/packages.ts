import { stat } from 'node:fs/promises';
import { packagePath, sweepPackages } from './packageRun.js';

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
}

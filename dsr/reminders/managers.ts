/** A manager as the directory names them; ids are Entra object ids. */
export interface Manager {
  id: string;
  /** The directory's display name, when it gave one. */
  name?: string;
}

/** Who a person reports to, for escalating late cases. */
export interface ManagerDirectory {
  managerOf(userId: string): Promise<Manager | undefined>;
}

export interface CachedManagersOptions {
  /** The directory's answer, e.g. Microsoft Graph `/users/{id}/manager`; undefined means no manager. */
  lookup?: (userId: string) => Promise<Manager | undefined>;
  /** Configured managers (by id) win over the directory; the directory fills the gaps. */
  configured: Record<string, string>;
  cacheMs?: number;
  now?: () => number;
}

/**
 * Managers from configuration, then from the directory, cached: an escalation run asks about the
 * same few assignees again and again. A lookup failure is thrown, so an escalation is not silently
 * dropped because the directory was down.
 */
export class CachedManagerDirectory implements ManagerDirectory {
  private readonly cache = new Map<string, { manager: Manager | undefined; at: number }>();

  constructor(private readonly options: CachedManagersOptions) {}

  async managerOf(userId: string): Promise<Manager | undefined> {
    const configured = this.options.configured[userId];
    if (configured || !this.options.lookup) return configured ? { id: configured } : undefined;
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(userId);
    if (cached && now - cached.at < (this.options.cacheMs ?? 3_600_000)) return cached.manager;
    const manager = await this.options.lookup(userId);
    this.cache.set(userId, { manager, at: now });
    return manager;
  }
}

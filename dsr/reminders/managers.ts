/** Who a person reports to, for escalating late cases; ids are Entra object ids. */
export interface ManagerDirectory {
  managerOf(userId: string): Promise<string | undefined>;
}

export interface CachedManagersOptions {
  /** The directory's answer, e.g. Microsoft Graph `/users/{id}/manager`; undefined means no manager. */
  lookup?: (userId: string) => Promise<string | undefined>;
  /** Configured managers win over the directory; the directory fills the gaps. */
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
  private readonly cache = new Map<string, { managerId: string | undefined; at: number }>();

  constructor(private readonly options: CachedManagersOptions) {}

  async managerOf(userId: string): Promise<string | undefined> {
    const configured = this.options.configured[userId];
    if (configured || !this.options.lookup) return configured;
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(userId);
    if (cached && now - cached.at < (this.options.cacheMs ?? 3_600_000)) return cached.managerId;
    const managerId = await this.options.lookup(userId);
    this.cache.set(userId, { managerId, at: now });
    return managerId;
  }
}

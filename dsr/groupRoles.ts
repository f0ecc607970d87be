import type { Clock } from './clock.js';
import type { RoleDirectory } from './roles.js';

/** Who is in an Entra group; implemented over Microsoft Graph. */
export interface GroupMembership {
  memberIds(groupId: string): Promise<string[]>;
}

export interface GroupRolesOptions {
  groupId: string;
  /** Members named in configuration as well, e.g. while the group is being set up. */
  extraMemberIds: string[];
  ttlMs: number;
}

/**
 * The privacy team as an Entra group, looked up through Graph and cached: every card action asks
 * who may act, and Graph must not be asked each time. If a refresh fails, the last known
 * membership is kept (logged by the caller) rather than locking the team out of its own cases.
 */
export class GroupRoleDirectory implements RoleDirectory {
  private cached: { ids: Set<string>; at: number } | undefined;
  private refreshing: Promise<Set<string>> | undefined;

  constructor(
    private readonly membership: GroupMembership,
    private readonly clock: Clock,
    private readonly options: GroupRolesOptions,
    private readonly onRefreshError: (error: unknown) => void = () => undefined,
  ) {}

  private async members(): Promise<Set<string>> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < this.options.ttlMs) return this.cached.ids;
    this.refreshing ??= this.refresh(now).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(now: number): Promise<Set<string>> {
    try {
      const ids = await this.membership.memberIds(this.options.groupId);
      const all = new Set([...ids, ...this.options.extraMemberIds].map((id) => id.toLowerCase()));
      this.cached = { ids: all, at: now };
      return all;
    } catch (error) {
      this.onRefreshError(error);
      // Try Graph again after another cache period rather than on every check.
      if (this.cached) {
        this.cached = { ids: this.cached.ids, at: now };
        return this.cached.ids;
      }
      return new Set(this.options.extraMemberIds.map((id) => id.toLowerCase()));
    }
  }

  async isPrivacyTeam(actorId: string): Promise<boolean> {
    return (await this.members()).has(actorId.toLowerCase());
  }

  async privacyTeamIds(): Promise<string[]> {
    return [...(await this.members())];
  }
}

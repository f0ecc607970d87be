/** Answers who is on the privacy team; backed by configuration or by an Entra group. */
export interface RoleDirectory {
  isPrivacyTeam(actorId: string): Promise<boolean>;
  privacyTeamIds(): Promise<string[]>;
}

export class StaticRoleDirectory implements RoleDirectory {
  private readonly members: Set<string>;

  constructor(memberIds: Iterable<string>) {
    this.members = new Set([...memberIds].map((id) => id.toLowerCase()));
  }

  isPrivacyTeam(actorId: string): Promise<boolean> {
    return Promise.resolve(this.members.has(actorId.toLowerCase()));
  }

  privacyTeamIds(): Promise<string[]> {
    return Promise.resolve([...this.members]);
  }
}

import type { TeamDirectory } from './team.js';
import type { Actor } from '../dsr/case.js';
import type { RoleDirectory } from '../dsr/roles.js';
import type { KeyValueStore } from '../dsr/ports/store.js';

const nameKey = (id: string) => `dsr/person/${id.toLowerCase()}`;

/** Names are kept beside conversation state; a member nobody has seen yet shows by a short id. */
export class KvTeamDirectory implements TeamDirectory {
  // Every turn reports its sender; most turns come from someone whose name is already recorded.
  private readonly recorded = new Map<string, string>();

  constructor(
    private readonly roles: RoleDirectory,
    private readonly kv: KeyValueStore,
  ) {}

  async members(): Promise<Actor[]> {
    const ids = await this.roles.privacyTeamIds();
    const names = await this.kv.read(ids.map(nameKey));
    return ids.map((id) => {
      const name = names[nameKey(id)]?.value;
      return { id, name: typeof name === 'string' ? name : `Team member ${id.slice(0, 8)}` };
    });
  }

  async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    const names = unique.length > 0 ? await this.kv.read(unique.map(nameKey)) : {};
    const found = new Map<string, string>();
    for (const id of unique) {
      const name = names[nameKey(id)]?.value;
      if (typeof name === 'string') found.set(id, name);
    }
    return found;
  }

  async remember(actor: Actor): Promise<void> {
    if (this.recorded.get(actor.id) === actor.name) return;
    const key = nameKey(actor.id);
    const known = (await this.kv.read([key]))[key]?.value;
    if (known !== actor.name) await this.kv.write({ [key]: { value: actor.name, eTag: '*' } });
    this.recorded.set(actor.id, actor.name);
  }
}

import type { Actor } from '../dsr/case.js';

/** The privacy team as people: ids from the role directory, names as Teams last told us. */
export interface TeamDirectory {
  members(): Promise<Actor[]>;
  /** Records the name Teams gives a user, so cards can name colleagues who have used the bot. */
  remember(actor: Actor): Promise<void>;
  /**
   * The names Teams last gave these people (anyone who used the bot, not only the team), for
   * showing ids kept elsewhere, such as the audit trail; an id never seen is absent from the map.
   */
  namesOf(ids: readonly string[]): Promise<Map<string, string>>;
}

import type { Actor } from '../dsr/case.js';

/** The privacy team as people: ids from the role directory, names as Teams last told us. */
export interface TeamDirectory {
  members(): Promise<Actor[]>;
  /** Records the name Teams gives a user, so cards can name colleagues who have used the bot. */
  remember(actor: Actor): Promise<void>;
}

import type { Activity } from 'botbuilder';
import type { Actor } from '../dsr/case.js';

/**
 * The acting user comes from the activity the channel signed, never from card data. Teams
 * always sends the Entra object id; other channels fall back to their own user id.
 */
export function actorOf(activity: Pick<Activity, 'from'>): Actor {
  const from = activity.from;
  const id = from.aadObjectId ?? from.id;
  return { id, name: from.name?.trim() || 'Unknown user' };
}

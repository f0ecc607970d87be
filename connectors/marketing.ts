import { z } from 'zod';
import type { ExtraLookup } from './engine.js';
import type { HttpClient } from './http.js';

/** The interaction types Marketing records about a contact, one request each as the action requires. */
export const INTERACTION_TYPES = [
  'EmailSent',
  'EmailDelivered',
  'EmailOpened',
  'EmailClicked',
  'FormSubmitted',
  'EventRegistration',
  'WebsiteVisited',
] as const;

const response = z.object({ Data: z.string() });
const interactions = z.array(z.record(z.string(), z.unknown()));

/** Outbound Marketing interactions of each contact found, where a deployment still has Marketing. */
export function marketingInteractions(http: HttpClient, serviceRoot: string): ExtraLookup {
  return {
    from: 'contact',
    describe: `msdyncrm_LoadInteractionsPublic {ContactId, InteractionType: ${INTERACTION_TYPES.join('|')}}`,
    find: async (owner, signal, add) => {
      await Promise.all(
        INTERACTION_TYPES.map(async (type) => {
          const answer = await http.send('POST', `${serviceRoot}msdyncrm_LoadInteractionsPublic`, {
            body: JSON.stringify({ ContactId: owner.id, InteractionType: type }),
            headers: { Accept: 'application/json' },
            signal,
          });
          const parsed = response.safeParse(JSON.parse(answer.text || '{}'));
          if (!parsed.success) return;
          const rows = interactions.safeParse(JSON.parse(parsed.data.Data));
          if (!rows.success) return;
          rows.data.forEach((row, index) =>
            add('marketing interaction', row, `${owner.id}/${type}/${index}`, ['InteractionType', 'Timestamp']),
          );
        }),
      );
    },
  };
}

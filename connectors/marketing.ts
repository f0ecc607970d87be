import { z } from 'zod';
import type { ExtraLookup } from './engine.js';
import { handLabels } from './fieldLabels.js';
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

const KIND = 'marketing interaction';

/**
 * The fields of a Marketing interaction, whose response has no published schema (Learn, "Retrieve
 * interactions for a contact": InteractionType and Timestamp; labels ours).
 */
const FIELD_LABELS: Record<string, string> = {
  InteractionType: 'Interaction Type',
  Timestamp: 'Time',
  ContactId: 'Contact',
};

/** Outbound Marketing interactions of each contact found, where a deployment still has Marketing. */
export function marketingInteractions(http: HttpClient, serviceRoot: string): ExtraLookup {
  const load = async (contactId: string, type: string, signal: AbortSignal): Promise<Record<string, unknown>[]> => {
    const answer = await http.send('POST', `${serviceRoot}msdyncrm_LoadInteractionsPublic`, {
      body: JSON.stringify({ ContactId: contactId, InteractionType: type }),
      headers: { Accept: 'application/json' },
      signal,
    });
    const parsed = response.safeParse(JSON.parse(answer.text || '{}'));
    if (!parsed.success) return [];
    const rows = interactions.safeParse(JSON.parse(parsed.data.Data));
    return rows.success ? rows.data : [];
  };
  return {
    from: 'contact',
    describe: `msdyncrm_LoadInteractionsPublic {ContactId, InteractionType: ${INTERACTION_TYPES.join('|')}}`,
    exportKind: KIND,
    labels: handLabels(['ContactId', 'InteractionType', 'Timestamp'], FIELD_LABELS),
    find: async (owner, signal, add) => {
      await Promise.all(
        INTERACTION_TYPES.map(async (type) => {
          (await load(owner.id, type, signal)).forEach((row, index) =>
            add(KIND, row, `${owner.id}/${type}/${index}`, ['InteractionType', 'Timestamp']),
          );
        }),
      );
    },
    // One type at a time, so a contact's whole history is never held at once.
    rows: async function* (owner, signal) {
      for (const type of INTERACTION_TYPES) {
        for (const row of await load(owner.id, type, signal)) yield { ContactId: owner.id, ...row };
      }
    },
  };
}

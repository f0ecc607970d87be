import { humanisedColumn } from '../dsr/fieldNames.js';
import { metadataOf, SYSTEM_METADATA } from './metadata.js';

/**
 * Columns whose label no metadata file carries: Dataverse's activity columns that the CDM leaves out
 * (Learn, "activitypointer table/entity reference": activitytypecode "Activity Type", activityid
 * "Activity"), and the fields of a Marketing interaction, whose response has no published schema
 * (Learn, "Retrieve interactions for a contact": InteractionType and Timestamp; labels ours).
 */
const HAND_LABELS: Record<string, string> = {
  activitytypecode: 'Activity Type',
  activityid: 'Activity',
  InteractionType: 'Interaction Type',
  Timestamp: 'Time',
  ContactId: 'Contact',
};

/**
 * The label of each column of one entity set, as the system's own screens show it: from the
 * metadata of the service (`connectors/metadata/*.json`, CDM displayName or the API page's Caption),
 * else a hand label with its source above, else the logical name in words.
 */
export function columnLabels(systemId: string, entitySet: string, columns?: readonly string[]): Record<string, string> {
  const service = (SYSTEM_METADATA as Record<string, (typeof SYSTEM_METADATA)[keyof typeof SYSTEM_METADATA]>)[systemId];
  const published = service ? (metadataOf(service).entitySets[entitySet]?.labels ?? {}) : {};
  const wanted = columns ?? Object.keys(service ? (metadataOf(service).entitySets[entitySet]?.properties ?? {}) : {});
  return Object.fromEntries(
    wanted.map((column) => [column, published[column] ?? HAND_LABELS[column] ?? humanisedColumn(column)]),
  );
}

/** Labels for fields a lookup outside the metadata returns (Marketing interactions). */
export function handLabels(columns: readonly string[]): Record<string, string> {
  return Object.fromEntries(columns.map((column) => [column, HAND_LABELS[column] ?? humanisedColumn(column)]));
}

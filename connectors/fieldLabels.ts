import { humanisedColumn } from '../dsr/fieldNames.js';
import { metadataOf, type MetadataService } from './metadata.js';

/**
 * The label of each column of one entity set, as the system's own screens show it: from the
 * metadata of the service (`connectors/metadata/*.json`, CDM displayName or the API page's Caption),
 * else the system's hand label (its file under `connectors/systems/` names the source), else the
 * logical name in words.
 */
export function columnLabels(
  service: MetadataService | undefined,
  hand: Readonly<Record<string, string>>,
  entitySet: string,
  columns?: readonly string[],
): Record<string, string> {
  const published = service ? (metadataOf(service).entitySets[entitySet]?.labels ?? {}) : {};
  const wanted = columns ?? Object.keys(service ? (metadataOf(service).entitySets[entitySet]?.properties ?? {}) : {});
  return Object.fromEntries(
    wanted.map((column) => [column, published[column] ?? hand[column] ?? humanisedColumn(column)]),
  );
}

/** Labels for fields a lookup outside the metadata returns, from its own hand labels. */
export function handLabels(columns: readonly string[], hand: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(columns.map((column) => [column, hand[column] ?? humanisedColumn(column)]));
}

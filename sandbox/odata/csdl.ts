import type { MetadataFile } from '../../connectors/metadata.js';

/** XML attribute text: the metadata's names are identifiers, but a quote or bracket must never break the document. */
function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function split(qualified: string): { namespace: string; name: string } {
  const dot = qualified.lastIndexOf('.');
  return { namespace: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
}

/**
 * The service's `$metadata` document (OData CSDL XML, https://docs.oasis-open.org/odata/odata-csdl-xml/v4.01/)
 * built from the published metadata file the sandbox serves: entity types with their keys,
 * properties and navigation properties, and an entity set for each set not reached only through a
 * navigation. Columns of an optional solution that is not installed are left out, as the live
 * service leaves them out where the solution is missing.
 */
export function csdlDocument(file: MetadataFile, installed: ReadonlySet<string> | 'all'): string {
  const schemas = new Map<string, string[]>();
  const seenTypes = new Set<string>();
  const sets: string[] = [];
  for (const [setName, meta] of Object.entries(file.entitySets)) {
    const { namespace, name } = split(meta.type);
    if (!meta.contained) sets.push(`<EntitySet Name="${attr(setName)}" EntityType="${attr(meta.type)}"/>`);
    if (seenTypes.has(meta.type)) continue;
    seenTypes.add(meta.type);
    const shown = Object.entries(meta.properties).filter(([prop]) => {
      const solution = meta.solutions?.[prop];
      return solution === undefined || installed === 'all' || installed.has(solution);
    });
    const navigation = Object.entries(meta.navigation ?? {}).map(([nav, { target, collection }]) => {
      const targetType = file.entitySets[target]?.type ?? `${namespace}.${target}`;
      const type = collection ? `Collection(${targetType})` : targetType;
      return `<NavigationProperty Name="${attr(nav)}" Type="${attr(type)}"/>`;
    });
    const properties = shown.map(([prop, edm]) => {
      // The trimmed files name no complex types and give no type for some properties: Edm.Untyped stands in.
      const type = edm === 'unknown' ? 'Edm.Untyped' : edm.replace('complex', 'Edm.Untyped');
      return `<Property Name="${attr(prop)}" Type="${attr(type)}"/>`;
    });
    const keys = meta.key.map((key) => `<PropertyRef Name="${attr(key)}"/>`).join('');
    const entityType = `<EntityType Name="${attr(name)}"><Key>${keys}</Key>${properties.join('')}${navigation.join('')}</EntityType>`;
    schemas.set(namespace, [...(schemas.get(namespace) ?? []), entityType]);
  }
  const [first] = [...schemas.keys()];
  const body = [...schemas.entries()]
    .map(
      ([namespace, types]) =>
        `<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="${attr(namespace)}">${types.join('')}${
          namespace === first ? `<EntityContainer Name="Container">${sets.join('')}</EntityContainer>` : ''
        }</Schema>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>${body}</edmx:DataServices></edmx:Edmx>`;
}

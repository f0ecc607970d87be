import {
  MetadataError,
  metadataPath,
  readMetadata,
  type EntitySetMeta,
  type MetadataFile,
  type MetadataService,
} from '../../connectors/metadata.js';
import type { PropType } from './filter.js';
import type { EntitySetDef } from './query.js';

/** The Edm types each sandbox property type may stand for; `unknown` (the source gives none) fits all. */
const EDM: Record<PropType, readonly string[]> = {
  string: ['Edm.String'],
  enum: ['Edm.String', 'Edm.Int32'],
  guid: ['Edm.Guid', 'Edm.String'],
  number: ['Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double'],
  boolean: ['Edm.Boolean'],
  date: ['Edm.Date', 'Edm.DateTimeOffset'],
  datetime: ['Edm.DateTimeOffset'],
  strings: ['Collection(Edm.String)'],
  json: ['complex', 'Collection(complex)'],
};

/** What the metadata lets the sandbox do with one entity set, beside its (possibly narrowed) definition. */
export interface Conformed {
  meta: EntitySetMeta;
  /** The definition without the columns of solutions that are not installed. */
  def(installed: ReadonlySet<string> | 'all'): EntitySetDef;
}

/**
 * Holds the sandbox's entity sets to the published metadata: every entity set it serves and every
 * property it declares must be in the file, with a compatible type, or the sandbox does not start.
 * `names` maps a sandbox set to the metadata's when they differ.
 */
export function conformDefs(
  service: MetadataService,
  defs: Readonly<Record<string, EntitySetDef>>,
  names: Readonly<Record<string, string>> = {},
  file: MetadataFile = readMetadata(service),
): Record<string, Conformed> {
  const path = metadataPath(service);
  const out: Record<string, Conformed> = {};
  for (const [name, def] of Object.entries(defs)) {
    const setName = names[name] ?? def.name;
    const meta = file.entitySets[setName];
    if (!meta) throw new MetadataError(path, `has no entity set '${setName}', which the sandbox serves; refresh it`);
    for (const [prop, type] of Object.entries(def.properties)) {
      const edm = meta.properties[prop];
      if (edm === undefined) {
        throw new MetadataError(path, `entity set '${setName}' has no property '${prop}', which the sandbox serves`);
      }
      if (edm !== 'unknown' && !EDM[type].includes(edm)) {
        throw new MetadataError(path, `'${setName}.${prop}' is ${edm}, which the sandbox serves as ${type}`);
      }
    }
    const cache = new Map<string, EntitySetDef>();
    out[name] = {
      meta,
      def: (installed) => {
        const hidden = Object.keys(def.properties).filter((prop) => {
          const solution = meta.solutions?.[prop];
          return solution !== undefined && installed !== 'all' && !installed.has(solution);
        });
        if (hidden.length === 0) return def;
        const key = hidden.join(',');
        let narrowed = cache.get(key);
        if (!narrowed) {
          const properties = { ...def.properties };
          for (const prop of hidden) delete properties[prop];
          narrowed = { ...def, properties, ...(def.defaultSelect ? { defaultSelect: def.defaultSelect } : {}) };
          cache.set(key, narrowed);
        }
        return narrowed;
      },
    };
  }
  return out;
}

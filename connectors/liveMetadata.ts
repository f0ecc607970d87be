import { XMLParser } from 'fast-xml-parser';
import type { EntityDescription } from './describe.js';
import type { EntitySetMeta } from './metadata.js';

type Node = Record<string, unknown>;

const LISTS = new Set(['Schema', 'EntityType', 'Property', 'NavigationProperty', 'EntitySet', 'PropertyRef']);

const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

interface TypeInfo {
  key: string[];
  properties: Record<string, string>;
  navigation: Record<string, string>;
  baseType: string;
}

/**
 * The entity sets of a live service's `$metadata` (OData CSDL XML), in the shape the conformance
 * check reads: each set's type, key, properties (base types' included, as Dataverse derives every
 * table from `crmbaseentity`) and navigation properties. A navigation to a type that has no entity
 * set of its own (Graph's contained `licenseDetails`) gets a stand-in set named after the type. The
 * document says nothing about which writes a set allows, so every operation counts as allowed.
 */
export function entitySetsOfCsdl(xml: string): Record<string, EntitySetMeta> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    // An attribute can share an element's name (EntitySet's EntityType): only elements are lists.
    isArray: (name, _path, _leaf, isAttribute) => !isAttribute && LISTS.has(name),
  });
  const document = parser.parse(xml) as Node;
  const services = ((document.Edmx as Node | undefined)?.DataServices ?? {}) as Node;
  const types = new Map<string, TypeInfo>();
  const containers: Node[] = [];
  for (const schema of list(services.Schema)) {
    const namespace = text(schema.Namespace);
    for (const type of list(schema.EntityType)) {
      const key = list((type.Key as Node | undefined)?.PropertyRef).map((ref) => text(ref.Name));
      types.set(`${namespace}.${text(type.Name)}`, {
        key,
        properties: Object.fromEntries(list(type.Property).map((p) => [text(p.Name), text(p.Type)])),
        navigation: Object.fromEntries(list(type.NavigationProperty).map((p) => [text(p.Name), text(p.Type)])),
        baseType: text(type.BaseType),
      });
    }
    if (schema.EntityContainer) containers.push(schema.EntityContainer as Node);
  }
  /** A type with what it inherits; a cycle of base types stops at the first repeat. */
  const resolved = (name: string, seen = new Set<string>()): TypeInfo | undefined => {
    const own = types.get(name);
    if (!own || seen.has(name)) return own;
    seen.add(name);
    const base = own.baseType ? resolved(own.baseType, seen) : undefined;
    if (!base) return own;
    return {
      key: own.key.length > 0 ? own.key : base.key,
      properties: { ...base.properties, ...own.properties },
      navigation: { ...base.navigation, ...own.navigation },
      baseType: '',
    };
  };
  const setOfType = new Map<string, string>();
  const sets: Record<string, EntitySetMeta> = {};
  const add = (setName: string, typeName: string): void => {
    const info = resolved(typeName);
    if (!info) return;
    sets[setName] = {
      type: typeName,
      key: info.key.length > 0 ? info.key : ['id'],
      properties: info.properties,
      navigation: {},
      operations: { insert: true, update: true, delete: true },
    };
  };
  for (const container of containers) {
    for (const set of list(container.EntitySet)) {
      const typeName = text(set.EntityType);
      add(text(set.Name), typeName);
      if (!setOfType.has(typeName)) setOfType.set(typeName, text(set.Name));
    }
  }
  for (const meta of Object.values({ ...sets })) {
    const info = resolved(meta.type)!;
    for (const [nav, rawType] of Object.entries(info.navigation)) {
      const collection = rawType.startsWith('Collection(');
      const target = collection ? rawType.slice('Collection('.length, -1) : rawType;
      let targetSet = setOfType.get(target);
      if (!targetSet) {
        targetSet = `type:${target}`;
        if (!sets[targetSet]) add(targetSet, target);
      }
      meta.navigation![nav] = { target: targetSet, collection };
    }
  }
  return sets;
}

/**
 * Leaves a field out of a description: out of its matches, what it shows and reads, what it may
 * correct and what a restriction writes. A rule that keeps records by it stays, so a record is
 * never deleted for want of a column.
 */
export function withoutField(entity: EntityDescription, field: string): void {
  entity.match = entity.match.filter((m) => m.field !== field);
  if (entity.show.length > 1) entity.show = entity.show.filter((f) => f !== field);
  entity.read = entity.read.filter((f) => f !== field);
  entity.changes.rectify = entity.changes.rectify.filter((f) => f !== field);
  entity.changes.restrict = Object.fromEntries(Object.entries(entity.changes.restrict).filter(([f]) => f !== field));
}

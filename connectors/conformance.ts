import type { EntityDescription } from './describe.js';
import type { EntitySetMeta } from './metadata.js';

/** One thing a description names that the service's metadata lacks or refuses. */
export interface ConformanceProblem {
  /** The entity set as the description names it. */
  entitySet: string;
  kind: string;
  /** The field, navigation or operation at fault; empty when the entity set itself is unknown. */
  field: string;
  reason: string;
}

/** A column of an optional solution that a description uses: present only where the solution is installed. */
export interface SolutionColumn {
  entitySet: string;
  kind: string;
  field: string;
  solution: string;
}

export interface Conformance {
  problems: ConformanceProblem[];
  solutionColumns: SolutionColumn[];
}

/** The fields a description reads, compares, writes or keeps by, with what each use needs. */
function usesOf(entity: EntityDescription): { field: string; use: string; write: boolean }[] {
  const keys = typeof entity.key === 'string' ? [entity.key] : entity.key;
  return [
    ...keys.map((field) => ({ field, use: 'key', write: false })),
    ...entity.match.map((m) => ({ field: m.field, use: `match (${m.by})`, write: false })),
    ...(entity.related?.via === 'filter' ? [{ field: entity.related.field, use: 'related filter', write: false }] : []),
    ...entity.show.map((field) => ({ field, use: 'show', write: false })),
    ...entity.changes.rectify.map((field) => ({ field, use: 'rectify', write: true })),
    ...Object.keys(entity.changes.restrict).map((field) => ({ field, use: 'restrict', write: true })),
    ...entity.changes.retain.flatMap((rule) =>
      rule.field ? [{ field: rule.field, use: 'retain', write: false }] : [],
    ),
    ...entity.changes.retain.flatMap((rule) =>
      rule.dateField ? [{ field: rule.dateField, use: 'retain date', write: false }] : [],
    ),
    ...(entity.deleteThrough ? [{ field: entity.deleteThrough.field, use: 'deleteThrough', write: false }] : []),
  ];
}

/**
 * Holds one system's entity descriptions to its published metadata: every entity set, key, field,
 * navigation and write. Columns of an optional solution are returned apart, for the caller to leave
 * out where the solution is not installed.
 */
export function checkConformance(
  entities: readonly EntityDescription[],
  sets: Readonly<Record<string, EntitySetMeta>>,
): Conformance {
  const problems: ConformanceProblem[] = [];
  const solutionColumns: SolutionColumn[] = [];
  const problem = (entity: EntityDescription, field: string, reason: string) =>
    problems.push({ entitySet: entity.entitySet, kind: entity.kind, field, reason });

  for (const entity of entities) {
    let meta: EntitySetMeta | undefined;
    if (entity.related?.via === 'navigation') {
      const owner = entities.find((e) => e.kind === entity.related!.to);
      const ownerMeta = owner ? sets[owner.entitySet] : undefined;
      const nav = ownerMeta?.navigation?.[entity.related.field];
      if (!nav) {
        problem(entity, entity.related.field, `'${owner?.entitySet ?? '?'}' has no navigation property of this name`);
        continue;
      }
      meta = sets[nav.target] ?? sets[entity.entitySet];
    } else {
      meta = sets[entity.entitySet];
      if (meta?.contained) {
        problem(entity, '', 'this entity set is reached only through a navigation, not as a collection');
        continue;
      }
    }
    if (!meta) {
      problem(entity, '', 'the metadata has no entity set of this name');
      continue;
    }
    for (const { field, use, write } of usesOf(entity)) {
      if (!(field in meta.properties)) {
        problem(entity, field, `${use}: the metadata has no property of this name on ${meta.type}`);
        continue;
      }
      const solution = meta.solutions?.[field];
      if (solution) solutionColumns.push({ entitySet: entity.entitySet, kind: entity.kind, field, solution });
      if (write && meta.readOnly?.includes(field)) problem(entity, field, `${use}: the property is read-only`);
    }
    const ops = entity.operations;
    if ((ops.rectify || ops.restrict) && !meta.operations.update && entity.related?.via !== 'navigation') {
      problem(entity, 'operations.rectify/restrict', `${meta.type} cannot be updated`);
    }
    if (ops.delete) {
      if (entity.deleteThrough) {
        for (const [code, set] of Object.entries(entity.deleteThrough.entitySets)) {
          const target = sets[set];
          if (!target) problem(entity, `deleteThrough.${code}`, `the metadata has no entity set '${set}'`);
          else if (!target.operations.delete) problem(entity, `deleteThrough.${code}`, `'${set}' cannot be deleted`);
        }
      } else if (!meta.operations.delete) {
        problem(entity, 'operations.delete', `${meta.type} cannot be deleted through '${entity.entitySet}'`);
      }
    }
  }
  return { problems, solutionColumns };
}

export function describeProblem(system: string, p: ConformanceProblem): string {
  return `${system}: ${p.entitySet} (${p.kind})${p.field ? `: ${p.field}` : ''}: ${p.reason}`;
}

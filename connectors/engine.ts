import {
  CAPABILITIES,
  type Capability,
  type Connector,
  type ConnectorInfo,
  type ExportedKind,
  type FoundRecord,
  type IdentifierKind,
  type ManualStep,
  RECORDS_KEPT,
  type SearchQuery,
  type SystemFindings,
} from '../dsr/discovery.js';
import type { ChangeConnector } from '../dsr/changes.js';
import { isStrongMatch, type RecordSelection } from '../dsr/matching.js';
import type { EntityDescription, Identifier } from './describe.js';
import { categoriesOf, type DataCategory } from './dataCategories.js';
import { columnLabels } from './fieldLabels.js';
import { ConnectorHttpError } from './http.js';
import type { MetadataService } from './metadata.js';
import { anyOf, compare, equalsGuid, isGuid, property, stringLiteral, type FilterDialect } from './odata.js';

export type Row = Record<string, unknown>;

/** How one system is reached; the engine above it is the same for all. */
export interface Source {
  readonly dialect: FilterDialect;
  /** Where collections live: one root for most systems, one per company in Business Central. */
  scopes(signal: AbortSignal): Promise<string[]>;
  /** Pages of a filtered collection. The text returned describes the request for the findings. */
  collection(
    scope: string,
    entitySet: string,
    filter: string,
    select: string[],
    signal: AbortSignal,
  ): AsyncIterable<Row[]>;
  /** A navigation from one record (`users/{id}/manager`); a single entity comes back as a page of one. */
  navigation(
    scope: string,
    entitySet: string,
    id: string,
    nav: string,
    select: string[],
    signal: AbortSignal,
  ): AsyncIterable<Row[]>;
}

/** Records a system keeps outside its entity sets (Marketing interactions), looked up for the main records found. */
export interface ExtraLookup {
  /** The kind of main record it starts from. */
  from: string;
  find(
    owner: { scope: string; id: string },
    signal: AbortSignal,
    add: (kind: string, row: Row, id: string, show: string[]) => void,
  ): Promise<void>;
  /** How the lookup is described among the queries. */
  describe: string;
  /** The kind its records are exported as, when they can be exported. */
  exportKind?: string;
  /** The labels of the fields its records carry, where no metadata file describes them. */
  labels?: Record<string, string>;
  /** Every record of one owner, in full, for the package. */
  rows?(owner: { scope: string; id: string }, signal: AbortSignal): AsyncIterable<Row>;
}

export interface DescribedSystem {
  extras?: ExtraLookup[];
  /** Rectify, restrict and delete, where the system's entities allow any of them. */
  changes?: ChangeConnector;
  info: ConnectorInfo;
  entities: EntityDescription[];
  source: Source;
  /** Which published metadata file names its columns. */
  metadata?: MetadataService;
  /** Labels of columns no metadata file carries. */
  labels?: Readonly<Record<string, string>>;
  /** The categories of personal data each kind holds, for the package. */
  categories?: Readonly<Record<string, readonly DataCategory[]>>;
  /** The whole search of this system must end within this. */
  timeoutMs: number;
  /** Records kept on the case for review; RECORDS_KEPT unless a test wants fewer. */
  recordsKept?: number;
  /** Main records whose related records are looked up, at most. */
  maxMainRecords?: number;
  now?: () => Date;
}

const IDENTIFIER_VALUES: Record<Identifier, (q: SearchQuery) => string[]> = {
  email: (q) => q.emails,
  name: (q) => q.names,
  phone: (q) => q.phones,
  customerNumber: (q) => q.customerNumbers,
  employeeId: (q) => q.employeeIds,
};

/** At most this many ids in one `or` filter, so a URL stays well under service limits. */
const IDS_PER_REQUEST = 15;

export function keyOf(entity: EntityDescription, row: Row): string {
  const fields = typeof entity.key === 'string' ? [entity.key] : entity.key;
  return fields.map((field) => displayValue(row[field])).join('/');
}

export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 77)}...` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value).slice(0, 80);
}

/**
 * The filters matching the person in one entity: one where the service takes `or` across fields,
 * otherwise one per field (each `or` only between values of that field). Empty when the query gives
 * the entity nothing to match.
 */
export function personFilters(entity: EntityDescription, query: SearchQuery, dialect: FilterDialect): string[] {
  const byField = new Map<string, string[]>();
  for (const match of entity.match) {
    for (const value of IDENTIFIER_VALUES[match.by](query)) {
      const term = compare(match.field, value, match.mode, dialect);
      if (term !== undefined) byField.set(match.field, [...(byField.get(match.field) ?? []), term]);
    }
  }
  if (dialect.orAcrossFields === false) return [...byField.values()].flatMap((terms) => anyOf(terms) ?? []);
  const all = anyOf([...byField.values()].flat());
  return all === undefined ? [] : [all];
}

/**
 * The rows of one entity in one scope matching any of the filters, each once: the queries run at
 * once and their rows are merged by the entity's key.
 */
export async function* personRows(
  source: Source,
  scope: string,
  entity: EntityDescription,
  filters: readonly string[],
  select: string[],
  signal: AbortSignal,
): AsyncIterable<Row[]> {
  if (filters.length === 1) {
    yield* source.collection(scope, entity.entitySet, filters[0]!, select, signal);
    return;
  }
  const pages = await Promise.all(
    filters.map(async (filter) => {
      const rows: Row[] = [];
      for await (const page of source.collection(scope, entity.entitySet, filter, select, signal)) rows.push(...page);
      return rows;
    }),
  );
  const seen = new Set<string>();
  for (const rows of pages) {
    const fresh = rows.filter((row) => {
      const key = keyOf(entity, row).toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (fresh.length > 0) yield fresh;
  }
}

/**
 * Which of the person's identifiers a row returned by `personFilter` matches, compared here as the
 * filter compared them, so the domain can judge the match. A row the service returned that none of
 * them explains matched on nothing the bot can vouch for, and so stays a candidate.
 */
export function matchedOn(entity: EntityDescription, query: SearchQuery, row: Row): IdentifierKind[] {
  const found = new Set<IdentifierKind>();
  for (const match of entity.match) {
    const value = row[match.field];
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const text = String(value);
    for (const wanted of IDENTIFIER_VALUES[match.by](query)) {
      const same =
        match.mode === 'exact'
          ? text === wanted
          : match.mode === 'wildcard'
            ? text.toLowerCase().includes(wanted.toLowerCase())
            : text.toLowerCase() === wanted.toLowerCase();
      if (same) found.add(match.by);
    }
  }
  return [...found];
}

export function relationFilter(field: string, ids: string[]): string | undefined {
  return anyOf(ids.map((id) => (isGuid(id) ? equalsGuid(field, id) : `${property(field)} eq ${stringLiteral(id)}`)));
}

/** How a record was found: by the person's identifiers, or through a record found so. */
type Found = { matchedOn: IdentifierKind[] } | { via: string; ownerStrong: boolean };

class Tally {
  /** Records tied to the person by a strong identifier; candidates are counted by the domain once confirmed. */
  readonly counts: Record<string, number> = {};
  readonly candidates: Record<string, number> = {};
  readonly records: FoundRecord[] = [];
  leftOut = 0;
  constructor(private readonly kept: number) {}

  add(entity: Pick<EntityDescription, 'kind' | 'show'>, row: Row, id: string, found: Found): void {
    const strong = 'matchedOn' in found ? isStrongMatch(found.matchedOn) : found.ownerStrong;
    const counts = strong ? this.counts : this.candidates;
    counts[entity.kind] = (counts[entity.kind] ?? 0) + 1;
    if (this.records.length >= this.kept) {
      this.leftOut += 1;
      return;
    }
    const fields: Record<string, string> = {};
    for (const field of entity.show) {
      const value = displayValue(row[field]);
      if (value !== '') fields[field] = value;
    }
    this.records.push({
      kind: entity.kind,
      id,
      fields,
      ...('matchedOn' in found ? { matchedOn: found.matchedOn } : { via: found.via }),
    });
  }
}

/** A connector made from a description: finds main records by the person's identifiers, then what relates to them. */
export class DescribedConnector implements Connector {
  readonly connected = true;

  constructor(private readonly system: DescribedSystem) {}

  get info(): ConnectorInfo {
    return this.system.info;
  }

  get changes(): ChangeConnector | undefined {
    return this.system.changes;
  }

  async find(query: SearchQuery, signal?: AbortSignal): Promise<SystemFindings> {
    const now = this.system.now ?? (() => new Date());
    const started = Date.now();
    const budget = AbortSignal.timeout(this.system.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, budget]) : budget;
    const queries: string[] = [];
    const tally = new Tally(this.system.recordsKept ?? RECORDS_KEPT);
    const base = { systemId: this.info.id, displayName: this.info.displayName, queries };
    try {
      await this.walk(query, combined, tally, queries);
    } catch (error) {
      let message = error instanceof ConnectorHttpError ? error.message : 'The search failed unexpectedly.';
      if (budget.aborted && !signal?.aborted) {
        message = `${this.info.displayName} took longer than ${Math.round(this.system.timeoutMs / 1000)} s in all.`;
      }
      return {
        ...base,
        status: 'failed',
        counts: {},
        records: [],
        at: now().toISOString(),
        durationMs: Date.now() - started,
        error: message,
        manualSteps: this.missingSteps(),
      };
    }
    // Kinds in the order they are described, whichever query answered first.
    const order = this.system.entities.map((e) => e.kind);
    const rank = (kind: string) => (order.includes(kind) ? order.indexOf(kind) : order.length);
    const counts = Object.fromEntries(Object.entries(tally.counts).sort(([a], [b]) => rank(a) - rank(b)));
    return {
      ...base,
      status: tally.records.length + tally.leftOut > 0 ? 'found' : 'nothing',
      labels: this.shownLabels(tally),
      counts,
      ...(Object.keys(tally.candidates).length > 0 ? { candidateCounts: tally.candidates } : {}),
      records: tally.records,
      ...(tally.leftOut > 0 ? { recordsLeftOut: tally.leftOut } : {}),
      at: now().toISOString(),
      durationMs: Date.now() - started,
      ...(this.missingSteps().length > 0 ? { manualSteps: this.missingSteps() } : {}),
    };
  }

  /** The labels of the fields shown for each kind found, so the cards name them as the system does. */
  private shownLabels(tally: Tally): Record<string, Record<string, string>> {
    const labels: Record<string, Record<string, string>> = {};
    const found = new Set(tally.records.map((record) => record.kind));
    for (const entity of this.system.entities)
      if (found.has(entity.kind))
        labels[entity.kind] = columnLabels(
          this.system.metadata,
          this.system.labels ?? {},
          entity.entitySet,
          entity.show,
        );
    for (const extra of this.system.extras ?? [])
      if (extra.exportKind && found.has(extra.exportKind)) labels[extra.exportKind] = { ...extra.labels };
    return labels;
  }

  /**
   * The person's records in full, per exportable kind. The main records' ids are collected first
   * (a person has few); every kind is then paged only when the package reads it.
   */
  async exportRecords(query: SearchQuery, selection: RecordSelection, signal?: AbortSignal): Promise<ExportedKind[]> {
    const { source, entities } = this.system;
    const abort = signal ?? new AbortController().signal;
    const scopes = await source.scopes(abort);
    const idOf = (scope: string, id: string) => (scopes.length > 1 ? `${scope}|${id}` : id);
    const owners = new Map<string, { scope: string; id: string }[]>();
    /** The main records that are the person's, by findings id, judged once from their matched fields. */
    const admitted = new Set<string>();
    const main = entities.filter((entity) => !entity.related);
    for (const entity of main) {
      const filters = personFilters(entity, query, source.dialect);
      if (filters.length === 0) continue;
      for (const scope of scopes) {
        // The matched fields too: whether a row is the person's is judged from them.
        const select = [...new Set([...keyFields(entity), ...entity.match.map((m) => m.field)])];
        for await (const page of personRows(source, scope, entity, filters, select, abort)) {
          for (const row of page) {
            const id = idOf(scope, keyOf(entity, row));
            if (!selection.admits(id, matchedOn(entity, query, row))) continue;
            admitted.add(id);
            if (typeof entity.key === 'string')
              owners.set(entity.kind, [
                ...(owners.get(entity.kind) ?? []),
                { scope, id: displayValue(row[entity.key]) },
              ]);
          }
        }
      }
    }
    const kinds: ExportedKind[] = [];
    for (const entity of entities.filter((e) => e.operations.export)) {
      if (!entity.related) {
        const filters = personFilters(entity, query, source.dialect);
        if (filters.length === 0) continue;
        kinds.push({
          kind: entity.kind,
          records: async function* () {
            for (const scope of scopes) {
              for await (const page of personRows(source, scope, entity, filters, entity.read, abort)) {
                // The full record may lack the matched fields (a default property set): judged above.
                for (const row of page) if (admitted.has(idOf(scope, keyOf(entity, row)))) yield row;
              }
            }
          },
        });
        continue;
      }
      const relation = entity.related;
      const mainEntity = entities.find((e) => e.kind === relation.to);
      const list = owners.get(relation.to) ?? [];
      const byIdentifier = personFilters(entity, query, source.dialect);
      if (!mainEntity || (list.length === 0 && byIdentifier.length === 0)) continue;
      kinds.push({
        kind: entity.kind,
        records: async function* () {
          // Records found by the person's own identifiers as well as through a main record, each once:
          // by identifiers only where they are strong or a person confirmed the record, else through
          // a main record that is the person's.
          const given = new Set<string>();
          for (const scope of byIdentifier.length > 0 ? scopes : []) {
            for await (const page of personRows(source, scope, entity, byIdentifier, entity.read, abort)) {
              for (const row of page) {
                const id = idOf(scope, keyOf(entity, row));
                if (given.has(id.toLowerCase()) || !selection.admits(id, matchedOn(entity, query, row))) continue;
                given.add(id.toLowerCase());
                yield row;
              }
            }
          }
          if (relation.via === 'navigation') {
            for (const { scope, id } of list) {
              for await (const page of source.navigation(scope, mainEntity.entitySet, id, relation.field, [], abort))
                for (const row of page) if (selection.admitsRelated(`${id}/${keyOf(entity, row)}`)) yield row;
            }
            return;
          }
          for (let i = 0; i < list.length; i += IDS_PER_REQUEST) {
            const chunk = list.slice(i, i + IDS_PER_REQUEST);
            for (const scope of new Set(chunk.map((o) => o.scope))) {
              const ids = chunk.filter((o) => o.scope === scope).map((o) => o.id);
              const filter = relationFilter(relation.field, ids)!;
              for await (const page of source.collection(scope, entity.entitySet, filter, entity.read, abort)) {
                for (const row of page) {
                  const id = idOf(scope, keyOf(entity, row));
                  if (!given.has(id.toLowerCase()) && selection.admitsRelated(id)) yield row;
                }
              }
            }
          }
        },
      });
    }
    for (const extra of this.system.extras ?? []) {
      const { exportKind } = extra;
      const list = owners.get(extra.from) ?? [];
      if (!exportKind || !extra.rows || list.length === 0) continue;
      kinds.push({
        kind: exportKind,
        records: async function* () {
          for (const owner of list) yield* extra.rows!(owner, abort);
        },
      });
    }
    // What a reader of the package needs beside the values: each column's label and what the kind holds.
    return kinds.map((kind) => {
      const entity = entities.find((e) => e.kind === kind.kind);
      const extra = (this.system.extras ?? []).find((e) => e.exportKind === kind.kind);
      const labels = entity
        ? columnLabels(this.system.metadata, this.system.labels ?? {}, entity.entitySet)
        : { ...extra?.labels };
      return { ...kind, labels, categories: categoriesOf(kind.kind, this.system.categories ?? {}) };
    });
  }

  private missingSteps(): ManualStep[] {
    const lacking = CAPABILITIES.filter((c: Capability) => !this.info.capabilities.includes(c));
    return lacking.flatMap((c) => this.info.manualSteps[c] ?? []);
  }

  private async walk(query: SearchQuery, signal: AbortSignal, tally: Tally, queries: string[]): Promise<void> {
    const { source, entities } = this.system;
    const scopes = await source.scopes(signal);
    const maxMain = this.system.maxMainRecords ?? 50;
    const idOf = (scope: string, key: string) => (scopes.length > 1 ? `${scope}|${key}` : key);
    const mainIds = new Map<string, Owner[]>();
    const main = entities.filter((entity) => !entity.related);
    const related = entities.filter((entity) => entity.related);
    const extras = this.system.extras ?? [];
    const wanted = new Set([...related.map((entity) => entity.related!.to), ...extras.map((extra) => extra.from)]);

    await Promise.all(
      main.flatMap((entity) => {
        const filters = personFilters(entity, query, source.dialect);
        if (filters.length === 0) return [];
        for (const filter of filters) queries.push(`${entity.entitySet}?$filter=${filter}`);
        return scopes.map(async (scope) => {
          const select = [...new Set([...keyFields(entity), ...entity.show, ...entity.match.map((m) => m.field)])];
          for await (const page of personRows(source, scope, entity, filters, select, signal)) {
            for (const row of page) {
              const id = idOf(scope, keyOf(entity, row));
              const on = matchedOn(entity, query, row);
              tally.add(entity, row, id, { matchedOn: on });
              if (wanted.has(entity.kind) && typeof entity.key === 'string') {
                const list = mainIds.get(entity.kind) ?? [];
                if (list.length < maxMain)
                  list.push({ scope, id: displayValue(row[entity.key]), findingsId: id, strong: isStrongMatch(on) });
                mainIds.set(entity.kind, list);
              }
            }
          }
        });
      }),
    );

    await Promise.all(
      related.flatMap((entity) => {
        const relation = entity.related!;
        const owners = mainIds.get(relation.to) ?? [];
        // A related row names its owner in the relation's field, read to tell whose record it is.
        const select = [
          ...new Set([...keyFields(entity), ...entity.show, ...(relation.via === 'filter' ? [relation.field] : [])]),
        ];
        if (relation.via === 'navigation') {
          if (owners.length > 0) queries.push(`${relation.to}/{id}/${relation.field}`);
          return owners.map(async (owner) => {
            const mainSet = entities.find((e) => e.kind === relation.to)!.entitySet;
            const found = { via: owner.findingsId, ownerStrong: owner.strong };
            for await (const page of source.navigation(
              owner.scope,
              mainSet,
              owner.id,
              relation.field,
              select,
              signal,
            )) {
              for (const row of page) tally.add(entity, row, `${owner.id}/${keyOf(entity, row)}`, found);
            }
          });
        }
        // A related record found both through its main record and by the person's own identifiers
        // (an activity party by party id and by the address used) is counted once.
        const seen = new Set<string>();
        const add = (scope: string, row: Row, found: Found) => {
          const id = idOf(scope, keyOf(entity, row));
          if (seen.has(id.toLowerCase())) return;
          seen.add(id.toLowerCase());
          tally.add(entity, row, id, found);
        };
        const byScope = new Map<string, Owner[]>();
        for (const owner of owners) byScope.set(owner.scope, [...(byScope.get(owner.scope) ?? []), owner]);
        const byRelation = [...byScope].flatMap(([scope, list]) => {
          const chunks: Owner[][] = [];
          for (let i = 0; i < list.length; i += IDS_PER_REQUEST) chunks.push(list.slice(i, i + IDS_PER_REQUEST));
          return chunks.map(async (chunk) => {
            const filter = relationFilter(
              relation.field,
              chunk.map((o) => o.id),
            )!;
            queries.push(`${entity.entitySet}?$filter=${filter}`);
            for await (const page of source.collection(scope, entity.entitySet, filter, select, signal)) {
              for (const row of page) {
                const value = displayValue(row[relation.field]).toLowerCase();
                const owner = chunk.find((o) => o.id.toLowerCase() === value);
                // A row no owner of the chunk explains is shown, but only a person can say whose it is.
                add(scope, row, owner ? { via: owner.findingsId, ownerStrong: owner.strong } : { matchedOn: [] });
              }
            }
          });
        });
        const filters = personFilters(entity, query, source.dialect);
        for (const filter of filters) queries.push(`${entity.entitySet}?$filter=${filter}`);
        const byIdentifier =
          filters.length === 0
            ? []
            : scopes.map(async (scope) => {
                for await (const page of personRows(source, scope, entity, filters, select, signal)) {
                  for (const row of page) add(scope, row, { matchedOn: matchedOn(entity, query, row) });
                }
              });
        return [...byRelation, ...byIdentifier];
      }),
    );

    await Promise.all(
      extras.flatMap((extra) => {
        const owners = mainIds.get(extra.from) ?? [];
        if (owners.length > 0) queries.push(extra.describe);
        return owners.map((owner) =>
          extra.find(owner, signal, (kind, row, id, show) =>
            tally.add({ kind, show }, row, id, { via: owner.findingsId, ownerStrong: owner.strong }),
          ),
        );
      }),
    );
  }
}

/** A main record found, as its related records are looked up. */
interface Owner {
  scope: string;
  /** The key as the system names it. */
  id: string;
  /** The id the findings give it (`scope|key` where a system has several scopes). */
  findingsId: string;
  strong: boolean;
}

export function keyFields(entity: EntityDescription): string[] {
  return typeof entity.key === 'string' ? [entity.key] : entity.key;
}

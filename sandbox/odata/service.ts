import { z } from 'zod';
import { header, json, noContent, parseJsonBody, ServiceError, type Reply, type SystemRequest } from '../http.js';
import type { Expr, JsonRecord, PropType } from './filter.js';
import { keyValues } from './keys.js';
import {
  encodeCursor,
  etagOf,
  formatRow,
  parseQuery,
  runQuery,
  type EntitySetDef,
  type PagingPolicy,
  type ParsedQuery,
  type QueryContext,
} from './query.js';
import { keyString, type BulkSource, type EntityRow, type StoredRow, type Table } from './store.js';

/** The codes each service puts in `error.code`; the shape is the same everywhere. */
export interface ErrorCodes {
  badRequest: string;
  notFound: string;
  /** Business Central answers a stale etag with 409 rather than 412. */
  preconditionFailed: { status: number; code: string; message: string };
  ifMatchMissing?: string;
  methodNotAllowed: string;
}

/** How one entity set is stored and what the service refuses to do with it. */
export interface Binding {
  def: EntitySetDef;
  table: Table;
  /** Narrows the stored rows: a view over a shared table (emails) or a company scope. */
  where?: (row: StoredRow) => boolean;
  includeBulk?: boolean;
  scope?: string;
  readOnlyProps?: readonly string[];
  /** Refuses a write the real service refuses, with its status and message. */
  guardDelete?: (row: EntityRow) => ServiceError | undefined;
  guardPatch?: (row: EntityRow, changes: JsonRecord) => ServiceError | undefined;
  /** Recomputes derived columns after a write (fullname from firstname and lastname). */
  derive?: (data: JsonRecord) => JsonRecord;
  /** Cascades a delete as the service does (notes of a contact go with it). */
  afterDelete?: (row: EntityRow) => void;
  /** A view over stored and generated rows alike (the activities of one type). */
  view?: (data: JsonRecord) => boolean;
  /** What the published metadata allows on the set; absent allows both. */
  operations?: { update: boolean; delete: boolean };
}

export interface ServicePolicy {
  /** Absolute service root without trailing slash, for @odata.context and nextLink. */
  serviceRoot: string;
  paging: PagingPolicy;
  context: QueryContext;
  codes: ErrorCodes;
  ifMatchRequired: boolean;
  /** Dataverse creates the row when PATCH names an unknown key without `If-Match: *`. */
  upsert: boolean;
  /** Business Central answers PATCH with the updated entity; the others with 204. */
  patchReturnsEntity: boolean;
  contextPath?: (binding: Binding) => string;
  /** Refuses a `$filter` the service does not accept although it parses (Business Central's `or`). */
  checkFilter?: (expr: Expr) => void;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function zodFor(type: PropType): z.ZodType {
  switch (type) {
    case 'string':
    case 'enum':
    case 'date':
    case 'datetime':
      return z.string().nullable();
    case 'guid':
      return z.string().regex(GUID).nullable();
    case 'number':
      return z.number().nullable();
    case 'boolean':
      return z.boolean();
    case 'strings':
      return z.array(z.string());
    case 'json':
      return z.json();
  }
}

const schemaCache = new WeakMap<EntitySetDef, z.ZodType<JsonRecord>>();

function patchSchema(def: EntitySetDef): z.ZodType<JsonRecord> {
  let schema = schemaCache.get(def);
  if (!schema) {
    const shape: Record<string, z.ZodType> = {};
    for (const [name, type] of Object.entries(def.properties)) shape[name] = zodFor(type).optional();
    schema = z.object(shape).strict() as unknown as z.ZodType<JsonRecord>;
    schemaCache.set(def, schema);
  }
  return schema;
}

export class ODataService {
  constructor(readonly policy: ServicePolicy) {}

  private badRequest(message: string): ServiceError {
    return new ServiceError(400, this.policy.codes.badRequest, message);
  }

  contextUrl(binding: Binding, select?: readonly string[], entity = false): string {
    const path = this.policy.contextPath?.(binding) ?? binding.def.name;
    const projection = select ? `(${select.join(',')})` : '';
    return `${this.policy.serviceRoot}/$metadata#${path}${projection}${entity ? '/$entity' : ''}`;
  }

  private storedRows(binding: Binding): StoredRow[] {
    const rows = binding.table.sorted();
    return binding.where ? rows.filter(binding.where) : rows;
  }

  private bulk(binding: Binding): readonly BulkSource[] {
    return binding.includeBulk ? binding.table.bulk : [];
  }

  parse(binding: Binding, request: SystemRequest): ParsedQuery {
    const query = parseQuery(request.url.searchParams, binding.def, this.policy.context, this.policy.paging);
    if (query.filterExpr) this.policy.checkFilter?.(query.filterExpr);
    return query;
  }

  pageSize(request: SystemRequest): { size: number; applied?: string } {
    const paging = this.policy.paging;
    if (paging.preferHeader) {
      const prefer = header(request.headers, 'prefer') ?? '';
      const match = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer);
      if (match) {
        const asked = Number(match[1]);
        if (asked > 0) {
          const size = Math.min(asked, paging.defaultPageSize);
          return { size, applied: `odata.maxpagesize=${size}` };
        }
      }
    }
    return { size: paging.defaultPageSize };
  }

  nextLink(request: SystemRequest, token: string): string {
    // Keep the client's own query text, so options stay spelled as sent ($select, not %24select).
    const kept = request.url.search
      .slice(1)
      .split('&')
      .filter((part) => part !== '' && !/^(\$|%24)skiptoken=/i.test(part));
    kept.push(`$skiptoken=${token}`);
    return `${request.url.origin}${request.url.pathname}?${kept.join('&')}`;
  }

  list(binding: Binding, request: SystemRequest, parsed = this.parse(binding, request)): Reply {
    const { size, applied } = this.pageSize(request);
    const view = binding.view;
    const query = view
      ? { ...parsed, filter: (data: JsonRecord) => view(data) && (parsed.filter?.(data) ?? true) }
      : parsed;
    const source = { rows: this.storedRows(binding), bulk: this.bulk(binding) };
    const page = runQuery(source, query, size, this.policy.paging, this.policy.context);
    const body: JsonRecord = { '@odata.context': this.contextUrl(binding, query.select) };
    if (page.count !== undefined) body['@odata.count'] = page.count;
    body.value = page.rows.map((row) => formatRow(row, binding.def, query.select, query.expand, this.policy.context));
    if (page.next) body['@odata.nextLink'] = this.nextLink(request, encodeCursor(page.next));
    return json(200, body, applied ? { 'Preference-Applied': applied } : {});
  }

  find(
    binding: Binding,
    key: string | Record<string, string>,
  ): { stored?: StoredRow; bulk?: [BulkSource, number]; row: EntityRow } | undefined {
    const values = keyValues(key, binding.def.key);
    const wanted = keyString(values);
    const stored = binding.table.get(wanted);
    const inView = (row: EntityRow) => !binding.view || binding.view(row.data);
    if (stored && (!binding.where || binding.where(stored)) && inView(stored)) return { stored, row: stored };
    for (const source of this.bulk(binding)) {
      const hit = source.find(wanted);
      if (hit && inView(hit.row)) return { bulk: [source, hit.index], row: hit.row };
    }
    return undefined;
  }

  notFound(binding: Binding, key: string | Record<string, string>): ServiceError {
    const shown = typeof key === 'string' ? key : Object.values(key).join(',');
    const entity = binding.def.typeName.split('.').pop() ?? binding.def.name;
    return new ServiceError(404, this.policy.codes.notFound, `${entity} With Id = ${shown} Does Not Exist`);
  }

  get(binding: Binding, key: string | Record<string, string>, request: SystemRequest): Reply {
    const query = this.parse(binding, request);
    const hit = this.find(binding, key);
    if (!hit) throw this.notFound(binding, key);
    const body: JsonRecord = {
      '@odata.context': this.contextUrl(binding, query.select, true),
      ...formatRow(hit.row, binding.def, query.select, query.expand, this.policy.context),
    };
    return json(200, body, { ETag: etagOf(hit.row) });
  }

  private checkIfMatch(request: SystemRequest, row: EntityRow | undefined): void {
    const ifMatch = header(request.headers, 'if-match');
    const codes = this.policy.codes;
    if (ifMatch === undefined) {
      if (this.policy.ifMatchRequired && row) {
        throw new ServiceError(
          428,
          codes.ifMatchMissing ?? codes.badRequest,
          'The request must contain an If-Match header.',
        );
      }
      return;
    }
    if (ifMatch.trim() === '*') return;
    const tags = ifMatch.split(',').map((tag) => tag.trim());
    if (!row || !tags.includes(etagOf(row))) {
      const { status, code, message } = codes.preconditionFailed;
      throw new ServiceError(status, code, message);
    }
  }

  patch(binding: Binding, key: string | Record<string, string>, request: SystemRequest): Reply {
    const parsed = patchSchema(binding.def).safeParse(parseJsonBody(request));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      throw this.badRequest(
        unknownKey !== undefined
          ? `Invalid property '${unknownKey}' was found in entity '${binding.def.typeName}'.`
          : `Invalid value for property '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}.`,
      );
    }
    const changes = parsed.data;
    for (const prop of [...binding.def.key, ...(binding.readOnlyProps ?? [])]) {
      if (prop in changes) throw this.badRequest(`The property '${prop}' cannot be modified.`);
    }
    const hit = this.find(binding, key);
    const ifMatch = header(request.headers, 'if-match');
    if (!hit) {
      if (!this.policy.upsert || ifMatch !== undefined) throw this.notFound(binding, key);
      return this.upsertCreate(binding, key, changes);
    }
    this.checkIfMatch(request, hit.row);
    const refusal = binding.guardPatch?.(hit.row, changes);
    if (refusal) throw refusal;
    let updated: EntityRow;
    if (hit.stored) {
      updated = binding.table.update(hit.stored, changes);
      if (binding.derive) updated.data = binding.derive(updated.data);
    } else {
      const [source, index] = hit.bulk!;
      const data = { ...hit.row.data, ...changes };
      updated = { data: binding.derive ? binding.derive(data) : data, version: binding.table.bumpVersion() };
      source.update(index, updated);
    }
    if (this.policy.patchReturnsEntity) {
      const body = {
        '@odata.context': this.contextUrl(binding, undefined, true),
        ...formatRow(updated, binding.def, undefined, [], this.policy.context),
      };
      return json(200, body, { ETag: etagOf(updated) });
    }
    if (/return=representation/i.test(header(request.headers, 'prefer') ?? '')) {
      const body = {
        '@odata.context': this.contextUrl(binding, undefined, true),
        ...formatRow(updated, binding.def, undefined, [], this.policy.context),
      };
      return json(200, body, { ETag: etagOf(updated), 'Preference-Applied': 'return=representation' });
    }
    return noContent({ ETag: etagOf(updated), 'OData-EntityId': this.entityId(binding, key) });
  }

  private upsertCreate(binding: Binding, key: string | Record<string, string>, changes: JsonRecord): Reply {
    const values = keyValues(key, binding.def.key);
    const data: JsonRecord = {};
    for (const name of Object.keys(binding.def.properties)) data[name] = null;
    binding.def.key.forEach((prop, i) => (data[prop] = values[i] ?? null));
    Object.assign(data, changes);
    const row = binding.table.insert(binding.derive ? binding.derive(data) : data, binding.scope);
    return noContent({ ETag: etagOf(row), 'OData-EntityId': this.entityId(binding, key) });
  }

  entityId(binding: Binding, key: string | Record<string, string>): string {
    const shown =
      typeof key === 'string'
        ? key
        : Object.entries(key)
            .map(([name, value]) => `${name}='${value.replace(/'/g, "''")}'`)
            .join(',');
    return `${this.policy.serviceRoot}/${binding.def.name}(${shown})`;
  }

  delete(binding: Binding, key: string | Record<string, string>, request: SystemRequest): Reply {
    const hit = this.find(binding, key);
    if (!hit) throw this.notFound(binding, key);
    if (header(request.headers, 'if-match') !== undefined) this.checkIfMatch(request, hit.row);
    const refusal = binding.guardDelete?.(hit.row);
    if (refusal) throw refusal;
    if (hit.stored) binding.table.delete(hit.stored.key);
    else hit.bulk![0].remove(hit.bulk![1]);
    binding.afterDelete?.(hit.row);
    return noContent();
  }

  /** Dispatches the standard entity-set verbs for one resolved binding. */
  handle(binding: Binding, key: string | Record<string, string> | undefined, request: SystemRequest): Reply {
    const method = request.method;
    if (key === undefined) {
      if (method === 'GET') return this.list(binding, request);
      throw new ServiceError(
        405,
        this.policy.codes.methodNotAllowed,
        `The sandbox does not support ${method} on ${binding.def.name}.`,
      );
    }
    if (method === 'GET') return this.get(binding, key, request);
    const refused =
      (method === 'PATCH' && binding.operations?.update === false) ||
      (method === 'DELETE' && binding.operations?.delete === false);
    if (refused) {
      // The metadata says the entity does not support it. 405 is the HTTP answer for a method the
      // resource does not allow; each service's exact code and wording here is not published.
      throw new ServiceError(
        405,
        this.policy.codes.methodNotAllowed,
        `The '${method}' method is not supported on entities of type '${binding.def.typeName}'.`,
      );
    }
    if (method === 'PATCH') return this.patch(binding, key, request);
    if (method === 'DELETE') return this.delete(binding, key, request);
    throw new ServiceError(
      405,
      this.policy.codes.methodNotAllowed,
      `The method ${method} is not allowed on a single ${binding.def.name} entity.`,
    );
  }
}

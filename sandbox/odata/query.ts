import { z } from 'zod';
import {
  compileFilter,
  parseFilter,
  type Expr,
  type Json,
  type JsonRecord,
  type Predicate,
  type PropType,
  text,
} from './filter.js';
import { ODataQueryError } from './lexer.js';
import type { BulkSource, EntityRow, StoredRow } from './store.js';

export interface NavigationDef {
  target: string;
  collection: boolean;
  /** Finds the related rows of one parent row. */
  related: (parent: JsonRecord) => EntityRow[];
}

export interface EntitySetDef {
  name: string;
  /** Qualified type name the service uses in messages, e.g. Microsoft.Dynamics.CRM.contact. */
  typeName: string;
  key: readonly string[];
  properties: Record<string, PropType>;
  /** What the service returns without $select (Graph returns a small default set for users). */
  defaultSelect?: readonly string[];
  navigation?: Record<string, NavigationDef>;
}

/** Rows an entity set shows for one request: stored rows already narrowed by view and scope, then bulk rows. */
export interface RowSource {
  rows: StoredRow[];
  bulk: readonly BulkSource[];
}

export interface PagingPolicy {
  /** Page size when the client asks for none. */
  defaultPageSize: number;
  /** Dataverse pages by `Prefer: odata.maxpagesize`; the others by $top or the server's page size. */
  preferHeader: boolean;
  /** `total`: $top caps the whole result (Dataverse, F&O, BC); `page`: $top is the page size (Graph). */
  topMode: 'total' | 'page';
  maxTop?: number;
  allowSkip: boolean;
}

export interface ExpandItem {
  name: string;
  select?: string[];
  filter?: Predicate;
}

export interface ParsedQuery {
  filterExpr?: Expr;
  filter?: Predicate;
  select?: string[];
  orderby?: { prop: string; desc: boolean }[];
  top?: number;
  skip?: number;
  count: boolean;
  expand: ExpandItem[];
  skiptoken?: Cursor;
}

export interface QueryContext {
  caseInsensitive: boolean;
  wildcardEq: boolean;
  /** Other entity sets, for $expand targets. */
  sets: Record<string, EntitySetDef>;
  /** Non-$ options the service accepts (cross-company for F&O). */
  extraOptions?: readonly string[];
}

const KNOWN_OPTIONS = new Set(['$filter', '$select', '$orderby', '$top', '$skip', '$count', '$expand', '$skiptoken']);

const cursorSchema = z.object({
  k: z.string().optional(),
  b: z.tuple([z.number().int().min(0), z.number().int().min(0)]).optional(),
  o: z.number().int().min(0).optional(),
  r: z.number().int().min(0).optional(),
});
export type Cursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    throw new ODataQueryError('The $skiptoken is not valid.');
  }
}

function nonNegativeInt(name: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new ODataQueryError(`Invalid value '${value}' for ${name}; a non-negative integer is expected.`);
  return Number(value);
}

function propertyError(name: string, def: EntitySetDef): ODataQueryError {
  return new ODataQueryError(`Could not find a property named '${name}' on type '${def.typeName}'.`);
}

/** Splits on commas (or another separator) that are outside parentheses and quotes. */
function splitTopLevel(text: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === separator) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (depth !== 0 || quoted) throw new ODataQueryError(`Unbalanced parentheses or quotes in '${text}'.`);
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function parseSelect(text: string, def: EntitySetDef): string[] {
  const names = splitTopLevel(text);
  for (const name of names) {
    if (name === '*') continue;
    if (!(name in def.properties)) throw propertyError(name, def);
  }
  return names.includes('*') ? Object.keys(def.properties) : names;
}

function filterSchema(def: EntitySetDef, context: QueryContext) {
  return {
    typeName: def.typeName,
    properties: def.properties,
    caseInsensitive: context.caseInsensitive,
    wildcardEq: context.wildcardEq,
  };
}

function parseExpand(text: string, def: EntitySetDef, context: QueryContext): ExpandItem[] {
  return splitTopLevel(text).map((part) => {
    const open = part.indexOf('(');
    const name = (open === -1 ? part : part.slice(0, open)).trim();
    const nav = def.navigation?.[name];
    if (!nav)
      throw new ODataQueryError(`Could not find a navigation property named '${name}' on type '${def.typeName}'.`);
    const item: ExpandItem = { name };
    if (open !== -1) {
      if (!part.endsWith(')')) throw new ODataQueryError(`Malformed $expand item '${part}'.`);
      const target = context.sets[nav.target];
      if (!target) throw new ODataQueryError(`Navigation '${name}' has no target.`);
      for (const option of splitTopLevel(part.slice(open + 1, -1), ';')) {
        const eq = option.indexOf('=');
        const key = option.slice(0, eq).trim();
        const value = option.slice(eq + 1);
        if (key === '$select') item.select = parseSelect(value, target);
        else if (key === '$filter') item.filter = compileFilter(parseFilter(value), filterSchema(target, context));
        else throw new ODataQueryError(`The query option '${key}' is not supported inside $expand.`);
      }
    }
    return item;
  });
}

export function parseQuery(
  params: URLSearchParams,
  def: EntitySetDef,
  context: QueryContext,
  paging: PagingPolicy,
): ParsedQuery {
  for (const name of params.keys()) {
    if (name.startsWith('$') && !KNOWN_OPTIONS.has(name)) {
      throw new ODataQueryError(`The query parameter '${name}' is not supported.`);
    }
    if (!name.startsWith('$') && !(context.extraOptions ?? []).includes(name)) {
      throw new ODataQueryError(`The query parameter '${name}' is not supported.`);
    }
  }
  const query: ParsedQuery = { count: false, expand: [] };
  const filter = params.get('$filter');
  if (filter !== null) {
    query.filterExpr = parseFilter(filter);
    query.filter = compileFilter(query.filterExpr, filterSchema(def, context));
  }
  const select = params.get('$select');
  if (select !== null) query.select = parseSelect(select, def);
  const orderby = params.get('$orderby');
  if (orderby !== null) {
    query.orderby = splitTopLevel(orderby).map((item) => {
      const [prop = '', direction = 'asc', ...rest] = item.split(/\s+/);
      if (!(prop in def.properties)) throw propertyError(prop, def);
      if (rest.length > 0 || (direction !== 'asc' && direction !== 'desc')) {
        throw new ODataQueryError(`Invalid $orderby item '${item}'.`);
      }
      return { prop, desc: direction === 'desc' };
    });
  }
  const top = params.get('$top');
  if (top !== null) {
    query.top = nonNegativeInt('$top', top);
    if (paging.maxTop !== undefined && (query.top < 1 || query.top > paging.maxTop)) {
      throw new ODataQueryError(
        `Invalid page size specified: '${top}'. Must be between 1 and ${paging.maxTop} inclusive.`,
      );
    }
  }
  const skip = params.get('$skip');
  if (skip !== null) {
    if (!paging.allowSkip) throw new ODataQueryError('The query parameter $skip is not supported.');
    query.skip = nonNegativeInt('$skip', skip);
  }
  const count = params.get('$count');
  if (count !== null) {
    if (count !== 'true' && count !== 'false') throw new ODataQueryError(`Invalid value '${count}' for $count.`);
    query.count = count === 'true';
  }
  const expand = params.get('$expand');
  if (expand !== null) query.expand = parseExpand(expand, def, context);
  const skiptoken = params.get('$skiptoken');
  if (skiptoken !== null) query.skiptoken = decodeCursor(skiptoken);
  return query;
}

export interface Page {
  rows: EntityRow[];
  next?: Cursor;
  count?: number;
}

function* scan(source: RowSource, cursor: Cursor): Generator<{ row: EntityRow; after: Cursor }> {
  if (cursor.b === undefined) {
    for (const row of source.rows) {
      if (cursor.k !== undefined && row.key <= cursor.k) continue;
      yield { row, after: { k: row.key } };
    }
  }
  const [startSource, startIndex] = cursor.b ?? [0, 0];
  for (let s = startSource; s < source.bulk.length; s++) {
    const bulk = source.bulk[s]!;
    for (let i = s === startSource ? startIndex : 0; i < bulk.count; i++) {
      const row = bulk.row(i);
      if (row) yield { row, after: { b: [s, i + 1] } };
    }
  }
}

function compareValues(a: Json | undefined, b: Json | undefined, caseInsensitive: boolean): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const x = caseInsensitive ? a.toLowerCase() : a;
    const y = caseInsensitive ? b.toLowerCase() : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return text(a) < text(b) ? -1 : 1;
}

/** Runs one page of a query; memory stays proportional to the page, not to the entity set. */
export function runQuery(
  source: RowSource,
  query: ParsedQuery,
  pageSize: number,
  paging: PagingPolicy,
  context: QueryContext,
): Page {
  const first = query.skiptoken === undefined;
  const cursor: Cursor = query.skiptoken ?? {};
  let remaining = cursor.r;
  if (first && query.top !== undefined && paging.topMode === 'total') remaining = query.top;
  let limit = pageSize;
  if (paging.topMode === 'page' && query.top !== undefined) limit = query.top;
  if (remaining !== undefined) limit = Math.min(limit, remaining);
  const filter = query.filter ?? (() => true);

  let count: number | undefined;
  if (query.count) {
    count = 0;
    for (const { row } of scan(source, {})) if (filter(row.data)) count++;
  }

  if (query.orderby) {
    if (source.bulk.length > 0) {
      throw new ODataQueryError('$orderby is not supported over the sandbox bulk data; page in the natural order.');
    }
    const orderby = query.orderby;
    const matches = source.rows.filter((row) => filter(row.data));
    matches.sort((a, b) => {
      for (const { prop, desc } of orderby) {
        const c = compareValues(a.data[prop], b.data[prop], context.caseInsensitive);
        if (c !== 0) return desc ? -c : c;
      }
      return 0;
    });
    const offset = first ? (query.skip ?? 0) : (cursor.o ?? 0);
    const rows = matches.slice(offset, offset + limit);
    const end = offset + rows.length;
    const left = remaining === undefined ? undefined : remaining - rows.length;
    const more = end < matches.length && left !== 0;
    return { rows, count, next: more ? { o: end, r: left } : undefined };
  }

  const rows: EntityRow[] = [];
  let toSkip = first ? (query.skip ?? 0) : 0;
  let resume: Cursor = cursor;
  let more = false;
  if (limit > 0) {
    for (const { row, after } of scan(source, cursor)) {
      if (!filter(row.data)) continue;
      if (toSkip > 0) {
        toSkip--;
        resume = after;
        continue;
      }
      if (rows.length === limit) {
        more = true;
        break;
      }
      rows.push(row);
      resume = after;
    }
  }
  const left = remaining === undefined ? undefined : remaining - rows.length;
  if (left === 0) more = false;
  return { rows, count, next: more ? { ...resume, r: left } : undefined };
}

export function etagOf(row: EntityRow): string {
  return `W/"${row.version}"`;
}

/** Serialises a row the way OData JSON minimal metadata does: etag first, then the chosen properties. */
export function formatRow(
  row: EntityRow,
  def: EntitySetDef,
  select: readonly string[] | undefined,
  expand: readonly ExpandItem[],
  context: QueryContext,
): JsonRecord {
  const out: JsonRecord = { '@odata.etag': etagOf(row) };
  const names = new Set<string>(def.key);
  for (const name of select ?? def.defaultSelect ?? Object.keys(def.properties)) names.add(name);
  for (const name of names) out[name] = row.data[name] ?? null;
  for (const item of expand) {
    const nav = def.navigation?.[item.name];
    const target = nav ? context.sets[nav.target] : undefined;
    if (!nav || !target) continue;
    const related = nav.related(row.data).filter((child) => !item.filter || item.filter(child.data));
    const formatted = related.map((child) => formatRow(child, target, item.select, [], context));
    out[item.name] = nav.collection ? formatted : (formatted[0] ?? null);
  }
  return out;
}

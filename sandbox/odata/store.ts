import type { JsonRecord } from './filter.js';

export interface EntityRow {
  data: JsonRecord;
  /** Row version; the etag is derived from it and changes on every write, as in the services. */
  version: number;
}

export interface StoredRow extends EntityRow {
  key: string;
  /** Hidden owner of the row, such as the Business Central company; never serialised. */
  scope?: string;
}

/** One monotonically increasing row version per sandbox, like Dataverse's versionnumber. */
export class VersionClock {
  private current = 1000;
  next(): number {
    this.current += 1;
    return this.current;
  }
}

export function keyString(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map((value) => String(value ?? '').toLowerCase()).join('\u0000');
}

/**
 * Records generated from their index on demand, so that a million of them cost no memory.
 * Writes go to a small overlay: a bitmap of deleted indexes and a map of patched rows.
 */
export class BulkSource {
  private readonly deleted: Uint8Array;
  private readonly patched = new Map<number, EntityRow>();

  constructor(
    readonly count: number,
    private readonly generate: (index: number) => JsonRecord,
    private readonly keyOf: (index: number) => string,
    private readonly indexOf: (key: string) => number | undefined,
  ) {
    this.deleted = new Uint8Array(Math.ceil(count / 8));
  }

  row(index: number): EntityRow | undefined {
    if (index < 0 || index >= this.count || this.isDeleted(index)) return undefined;
    return this.patched.get(index) ?? { data: this.generate(index), version: 1 };
  }

  find(key: string): { index: number; row: EntityRow } | undefined {
    const index = this.indexOf(key);
    if (index === undefined) return undefined;
    const row = this.row(index);
    return row ? { index, row } : undefined;
  }

  key(index: number): string {
    return this.keyOf(index);
  }

  update(index: number, row: EntityRow): void {
    this.patched.set(index, row);
  }

  remove(index: number): void {
    this.deleted[index >> 3]! |= 1 << (index & 7);
    this.patched.delete(index);
  }

  private isDeleted(index: number): boolean {
    return (this.deleted[index >> 3]! & (1 << (index & 7))) !== 0;
  }
}

export class Table {
  private readonly rows = new Map<string, StoredRow>();
  readonly bulk: BulkSource[] = [];

  constructor(
    readonly name: string,
    private readonly keyProps: readonly string[],
    private readonly clock: VersionClock,
  ) {}

  keyOf(data: JsonRecord): string {
    return keyString(this.keyProps.map((prop) => data[prop] as string | number | null | undefined));
  }

  insert(data: JsonRecord, scope?: string): StoredRow {
    const key = this.keyOf(data);
    const row: StoredRow = { key, data: { ...data }, version: this.clock.next(), scope };
    this.rows.set(key, row);
    return row;
  }

  get(key: string): StoredRow | undefined {
    return this.rows.get(key);
  }

  /** Seed rows in key order, so a skiptoken can resume after the last key even when rows are deleted. */
  sorted(): StoredRow[] {
    return [...this.rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  values(): IterableIterator<StoredRow> {
    return this.rows.values();
  }

  update(row: StoredRow, changes: JsonRecord): StoredRow {
    row.data = { ...row.data, ...changes };
    row.version = this.clock.next();
    return row;
  }

  delete(key: string): boolean {
    return this.rows.delete(key);
  }

  clear(): void {
    this.rows.clear();
    this.bulk.length = 0;
  }

  get size(): number {
    return this.rows.size;
  }

  bumpVersion(): number {
    return this.clock.next();
  }
}

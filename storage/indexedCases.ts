import { caseNumber } from '../dsr/case.js';
import type { CaseQuery } from '../dsr/ports/store.js';
import type { IndexEntry } from './indexEntry.js';
import { TextColumn, type LaterColumns, type ServingColumns, type Snapshot } from './indexSnapshot.js';

const NO_ROWS: ServingColumns = {
  ids: new TextColumn('', new Float64Array()),
  versions: new Float64Array(),
  open: '',
  requesters: new TextColumn('', new Float64Array()),
  byRequester: new Float64Array(),
};

/**
 * Every case of the embedded store as its index says: the snapshot read at open, searched in its
 * columns as they are (by halving, the ids and the requesters each in order), and the entries saved
 * since, which replace or remove its rows. Opening builds nothing a row but one byte that says
 * whether the row was replaced since, so serving starts as soon as the snapshot is parsed; the
 * lookups of intake and of a subject's other cases are built at their first use.
 */
export class IndexedCases {
  private readonly serving: ServingColumns;
  /** 1 for a row that an entry saved since replaced or that was removed. */
  private readonly replaced: Uint8Array;
  private readonly saved = new Map<string, IndexEntry>();
  private readonly savedByRequester = new IdsByKey();
  private lookups: { byIntakeKey: Map<string, string>; bySubjectKey: IdsByKey } | undefined;
  private laterColumns: LaterColumns | undefined;
  private count: number;

  /**
   * `recover` gives the later columns of these ids (the snapshot's, in its order) from elsewhere
   * when the snapshot cannot give them any more: its file was changed after it was opened.
   */
  constructor(
    private readonly snapshot?: Snapshot,
    private readonly recover: (ids: readonly string[], problem: unknown) => LaterColumns = (_ids, problem) => {
      throw problem;
    },
  ) {
    this.serving = snapshot?.serving ?? NO_ROWS;
    this.replaced = new Uint8Array(this.serving.ids.length);
    this.count = this.serving.ids.length;
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.saved.has(id) || this.row(id) >= 0;
  }

  version(id: string): number | undefined {
    const held = this.saved.get(id);
    if (held) return held.version;
    const row = this.row(id);
    return row >= 0 ? this.serving.versions[row] : undefined;
  }

  get(id: string): IndexEntry | undefined {
    const held = this.saved.get(id);
    if (held) return held;
    const row = this.row(id);
    return row >= 0 ? this.entryAt(row) : undefined;
  }

  set(entry: IndexEntry): void {
    this.remove(entry.id);
    this.saved.set(entry.id, entry);
    this.savedByRequester.add(entry.requesterId, entry.id);
    if (this.lookups) addLookups(this.lookups, entry.id, entry.intakeKey, entry.keys);
    this.count += 1;
  }

  remove(id: string): void {
    const held = this.saved.get(id);
    if (held) {
      this.saved.delete(id);
      this.savedByRequester.delete(held.requesterId, id);
      if (this.lookups) dropLookups(this.lookups, held);
      this.count -= 1;
      return;
    }
    const row = this.row(id);
    if (row < 0) return;
    if (this.lookups) dropLookups(this.lookups, this.entryAt(row));
    this.replaced[row] = 1;
    this.count -= 1;
  }

  /** Every id, the snapshot's in order, then those saved since. */
  *ids(): IterableIterator<string> {
    const { ids } = this.serving;
    for (let row = 0; row < ids.length; row += 1) if (this.replaced[row] === 0) yield ids.at(row);
    yield* this.saved.keys();
  }

  /** The ids a listing asks for: of one requester or of everyone, open or all. */
  idsWhere(query: Pick<CaseQuery, 'requesterId' | 'openOnly'>): string[] {
    const { ids, open, requesters, byRequester } = this.serving;
    const found: string[] = [];
    const take = (row: number) => {
      if (this.replaced[row] === 0 && (!query.openOnly || open[row] === '1')) found.push(ids.at(row));
    };
    if (query.requesterId === undefined) {
      for (let row = 0; row < ids.length; row += 1) take(row);
      for (const entry of this.saved.values()) if (!query.openOnly || entry.open) found.push(entry.id);
      return found;
    }
    const requester = query.requesterId;
    let at = firstAtLeast(byRequester.length, (k) => requesters.compareTo(byRequester[k]!, requester));
    for (; at < byRequester.length && requesters.compareTo(byRequester[at]!, requester) === 0; at += 1) {
      take(byRequester[at]!);
    }
    for (const id of this.savedByRequester.get(requester))
      if (!query.openOnly || this.saved.get(id)?.open) found.push(id);
    return found;
  }

  /** Every entry, each built from its row as it is asked for. */
  *entries(): IterableIterator<IndexEntry> {
    for (let row = 0; row < this.serving.ids.length; row += 1) if (this.replaced[row] === 0) yield this.entryAt(row);
    yield* this.saved.values();
  }

  /** The entries that have this field (a purge pending, a date kept records fall due), and no other. */
  entriesWith(field: 'purge' | 'keptDueAt'): IndexEntry[] {
    const found: IndexEntry[] = [];
    if (this.snapshot && this.serving.ids.length > 0) {
      const column = this.later()[field];
      for (let row = 0; row < column.length; row += 1) {
        if (this.replaced[row] === 0 && column[row] !== null) found.push(this.entryAt(row));
      }
    }
    for (const entry of this.saved.values()) if (entry[field] !== undefined) found.push(entry);
    return found;
  }

  idOfIntakeKey(intakeKey: string): string | undefined {
    return this.intakeLookups().byIntakeKey.get(intakeKey);
  }

  idsOfSubjectKey(digest: string): readonly string[] {
    return this.intakeLookups().bySubjectKey.get(digest);
  }

  /** The highest case number of each year the index has held since its snapshot, numbers of removed cases included. */
  highestNumbers(): Map<number, number> {
    const highest = new Map<number, number>();
    for (const [year, sequence] of Object.entries(this.snapshot?.highest ?? {})) highest.set(Number(year), sequence);
    for (const id of this.saved.keys()) {
      const number = caseNumber(id);
      if (number) highest.set(number.year, Math.max(highest.get(number.year) ?? 0, number.sequence));
    }
    return highest;
  }

  /** The row of this id in the snapshot, or -1 when it has none or an entry saved since replaced it. */
  private row(id: string): number {
    const { ids } = this.serving;
    const at = firstAtLeast(ids.length, (row) => ids.compareTo(row, id));
    return at < ids.length && this.replaced[at] === 0 && ids.compareTo(at, id) === 0 ? at : -1;
  }

  private entryAt(row: number): IndexEntry {
    const { ids, versions, open, requesters } = this.serving;
    const later = this.later();
    const entry: IndexEntry = {
      id: ids.at(row),
      version: versions[row]!,
      open: open[row] === '1',
      requesterId: requesters.at(row),
      intakeKey: later.intakeKeys[row]!,
      keys: later.keys[row]!,
    };
    const purge = later.purge[row];
    if (purge) entry.purge = purge;
    const purgeAfter = later.purgeAfter[row];
    if (typeof purgeAfter === 'string') entry.purgeAfter = purgeAfter;
    const keptDueAt = later.keptDueAt[row];
    if (typeof keptDueAt === 'string') entry.keptDueAt = keptDueAt;
    return entry;
  }

  private later(): LaterColumns {
    if (!this.laterColumns) {
      if (!this.snapshot) throw new Error('The case index has no snapshot rows');
      try {
        this.laterColumns = this.snapshot.later();
      } catch (problem) {
        const { ids } = this.serving;
        this.laterColumns = this.recover(
          Array.from({ length: ids.length }, (_, row) => ids.at(row)),
          problem,
        );
      }
    }
    return this.laterColumns;
  }

  // Intake looks for the same case and the same person's other cases; built at the first intake or
  // save rather than at open, since a status turn after a start needs neither.
  private intakeLookups(): { byIntakeKey: Map<string, string>; bySubjectKey: IdsByKey } {
    if (!this.lookups) {
      const lookups = { byIntakeKey: new Map<string, string>(), bySubjectKey: new IdsByKey() };
      const { ids } = this.serving;
      if (ids.length > 0) {
        const { intakeKeys, keys } = this.later();
        for (let row = 0; row < ids.length; row += 1) {
          if (this.replaced[row] === 0) addLookups(lookups, ids.at(row), intakeKeys[row]!, keys[row]!);
        }
      }
      for (const entry of this.saved.values()) addLookups(lookups, entry.id, entry.intakeKey, entry.keys);
      this.lookups = lookups;
    }
    return this.lookups;
  }
}

/** The first position from 0 to `length` whose key is not below the one wanted, the keys in order. */
function firstAtLeast(length: number, compareToWanted: (position: number) => number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareToWanted(middle) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function addLookups(
  lookups: { byIntakeKey: Map<string, string>; bySubjectKey: IdsByKey },
  id: string,
  intakeKey: string,
  keys: readonly string[],
): void {
  lookups.byIntakeKey.set(intakeKey, id);
  for (const key of keys) lookups.bySubjectKey.add(key, id);
}

function dropLookups(lookups: { byIntakeKey: Map<string, string>; bySubjectKey: IdsByKey }, entry: IndexEntry): void {
  for (const key of entry.keys) lookups.bySubjectKey.delete(key, entry.id);
  if (lookups.byIntakeKey.get(entry.intakeKey) === entry.id) lookups.byIntakeKey.delete(entry.intakeKey);
}

/**
 * Ids under a key (a requester, a subject's identifier). Most keys hold one case, so one id is
 * kept as a string and only a second makes an array: a hundred thousand sets cost a second to build.
 */
export class IdsByKey {
  private readonly map = new Map<string, string | string[]>();

  add(key: string, id: string): void {
    const held = this.map.get(key);
    if (held === undefined) this.map.set(key, id);
    else if (typeof held === 'string') {
      if (held !== id) this.map.set(key, [held, id]);
    } else if (!held.includes(id)) held.push(id);
  }

  delete(key: string, id: string): void {
    const held = this.map.get(key);
    if (held === id) this.map.delete(key);
    else if (Array.isArray(held)) {
      const rest = held.filter((other) => other !== id);
      if (rest.length === 0) this.map.delete(key);
      else this.map.set(key, rest.length === 1 ? rest[0]! : rest);
    }
  }

  get(key: string): readonly string[] {
    const held = this.map.get(key);
    return held === undefined ? [] : typeof held === 'string' ? [held] : held;
  }
}

import { CASE_STATUSES, REQUEST_TYPES, type CaseStatus, type DsrCase, type RequestType } from '../case.js';
import { addDays, lastDayOf, localDay, monthsUpTo } from './localDays.js';
import { registerRow, type RegisterRow } from './row.js';
import type { RegisterQuery, SortKey } from './query.js';

export interface RegisterPage {
  total: number;
  page: number;
  pageSize: number;
  rows: RegisterRow[];
}

export interface RegisterCharts {
  asOf: string;
  total: number;
  open: number;
  overdue: number;
  openByStage: Array<{ status: CaseStatus; count: number }>;
  dueNext30Days: Array<{ day: string; count: number }>;
  onTimeByMonth: Array<{ month: string; onTime: number; late: number; rate: number | null }>;
  medianDaysByRight: Array<{ right: RequestType; medianDays: number | null; answered: number }>;
  volumeByRight: Array<{ right: RequestType; count: number }>;
  volumeBySystem: Array<{ systemId: string; name: string; count: number }>;
  overdueOverTime: Array<{ month: string; count: number }>;
}

const OPEN_STAGES = CASE_STATUSES.filter((status) => !['declined', 'responded', 'closed'].includes(status));
const MONTHS_SHOWN = 12;
const DUE_DAYS_SHOWN = 30;

type SortValue = string | number;

const SORT_VALUE: Record<SortKey, (row: RegisterRow) => SortValue> = {
  id: (row) => row.id,
  received: (row) => row.receivedAt,
  due: (row) => row.dueAt,
  status: (row) => CASE_STATUSES.indexOf(row.status),
  // Open cases have no answer yet: they sort after every answered one.
  answered: (row) => row.answeredAt ?? '\uffff',
};

function comparator(key: SortKey): (a: RegisterRow, b: RegisterRow) => number {
  const value = SORT_VALUE[key];
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x < y) return -1;
    if (x > y) return 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

/** An array kept in order as rows come and go: insert and remove by binary search, never a full sort. */
class SortedRows {
  rows: RegisterRow[] = [];

  constructor(private readonly compare: (a: RegisterRow, b: RegisterRow) => number) {}

  private lowerBound(row: RegisterRow): number {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compare(this.rows[mid]!, row) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  fill(rows: Iterable<RegisterRow>): void {
    this.rows = [...rows].sort(this.compare);
  }

  insert(row: RegisterRow): void {
    this.rows.splice(this.lowerBound(row), 0, row);
  }

  remove(row: RegisterRow): void {
    const at = this.lowerBound(row);
    if (this.rows[at] === row) this.rows.splice(at, 1);
  }
}

class Counter<K> {
  readonly counts = new Map<K, number>();

  add(key: K, delta: number): void {
    const next = (this.counts.get(key) ?? 0) + delta;
    if (next === 0) this.counts.delete(key);
    else this.counts.set(key, next);
  }

  get(key: K): number {
    return this.counts.get(key) ?? 0;
  }
}

/**
 * The register of every case, kept in memory and up to date case by case: rows in each sort order,
 * and the charts' figures as running counts, so the first page and the charts cost the same with
 * a hundred thousand cases as with a thousand. Filters other than the case id walk the rows once.
 */
export class RegisterIndex {
  private readonly rows = new Map<string, RegisterRow>();
  private readonly sorted = new Map<SortKey, SortedRows>(
    (Object.keys(SORT_VALUE) as SortKey[]).map((key) => [key, new SortedRows(comparator(key))]),
  );
  private readonly openByStage = new Counter<CaseStatus>();
  private readonly openDueByDay = new Counter<string>();
  private readonly answeredByMonth = new Map<string, { onTime: number; late: number }>();
  private readonly daysByRight = new Map<RequestType, Counter<number>>();
  private readonly volumeByRight = new Counter<RequestType>();
  private readonly volumeBySystem = new Counter<string>();
  private readonly systemNames = new Map<string, string>();
  // +1 on the day a case becomes overdue, -1 on the day a late answer ends it: the running sum up to
  // a day is how many cases were overdue at its end.
  private readonly overdueDeltas = new Counter<string>();

  constructor(private readonly timeZone: string) {}

  get size(): number {
    return this.rows.size;
  }

  /** Takes in a case as saved; an older version than the one held is ignored, so replays are harmless. */
  apply(dsrCase: DsrCase): void {
    const current = this.rows.get(dsrCase.id);
    if (current && current.version >= dsrCase.version) return;
    const row = registerRow(dsrCase, this.timeZone);
    if (current) this.account(current, -1);
    this.rows.set(row.id, row);
    this.account(row, 1);
  }

  /** Takes in every stored case at once: each sort order is built by one sort, not case by case. */
  load(cases: Iterable<DsrCase>): void {
    if (this.rows.size > 0) {
      for (const dsrCase of cases) this.apply(dsrCase);
      return;
    }
    for (const dsrCase of cases) {
      const current = this.rows.get(dsrCase.id);
      if (current && current.version >= dsrCase.version) continue;
      const row = registerRow(dsrCase, this.timeZone);
      if (current) this.count(current, -1);
      this.rows.set(row.id, row);
      this.count(row, 1);
    }
    for (const sorted of this.sorted.values()) sorted.fill(this.rows.values());
  }

  get(id: string): RegisterRow | undefined {
    return this.rows.get(id);
  }

  private account(row: RegisterRow, sign: 1 | -1): void {
    for (const sorted of this.sorted.values()) {
      if (sign > 0) sorted.insert(row);
      else sorted.remove(row);
    }
    this.count(row, sign);
  }

  /** The charts' running counts. */
  private count(row: RegisterRow, sign: 1 | -1): void {
    if (row.open) {
      this.openByStage.add(row.status, sign);
      this.openDueByDay.add(row.dueDay, sign);
    }
    if (row.answeredMonth) {
      const month = this.answeredByMonth.get(row.answeredMonth) ?? { onTime: 0, late: 0 };
      if (row.onTime) month.onTime += sign;
      else month.late += sign;
      this.answeredByMonth.set(row.answeredMonth, month);
    }
    for (const right of row.rights) {
      this.volumeByRight.add(right, sign);
      if (row.daysTaken !== null) {
        const days = this.daysByRight.get(right) ?? new Counter<number>();
        days.add(row.daysTaken, sign);
        this.daysByRight.set(right, days);
      }
    }
    for (const system of row.systems) {
      this.volumeBySystem.add(system.id, sign);
      this.systemNames.set(system.id, system.name);
    }
    const overdueFrom = addDays(row.dueDay, 1);
    // A case counts as overdue from the day after its due day until a late answer; one closed without
    // an answer on record (never the case today) is left out rather than counted overdue for ever.
    if (row.open || (row.answeredDay !== null && row.answeredDay > row.dueDay)) {
      this.overdueDeltas.add(overdueFrom, sign);
      if (row.answeredDay !== null) this.overdueDeltas.add(row.answeredDay, -sign);
    }
  }

  private predicate(query: RegisterQuery, now: Date): ((row: RegisterRow) => boolean) | undefined {
    const tests: Array<(row: RegisterRow) => boolean> = [];
    const nowIso = now.toISOString();
    if (query.status) {
      const statuses = new Set<string>(query.status);
      tests.push((row) => statuses.has(row.status));
    }
    if (query.right) {
      const rights = query.right;
      tests.push((row) => rights.some((right) => row.rights.includes(right)));
    }
    if (query.regulation) {
      const regulations = new Set<string>(query.regulation);
      tests.push((row) => regulations.has(row.regulation));
    }
    if (query.system) {
      const system = query.system;
      tests.push((row) => row.systems.some((s) => s.id === system));
    }
    if (query.assignee) {
      const assignee = query.assignee.toLowerCase();
      tests.push((row) => (assignee === 'none' ? row.assignee === null : row.assignee?.id.toLowerCase() === assignee));
    }
    if (query.open) {
      const open = query.open === 'true';
      tests.push((row) => row.open === open);
    }
    if (query.overdue) {
      const overdue = query.overdue === 'true';
      tests.push((row) => (row.open && row.dueAt < nowIso) === overdue);
    }
    if (query.dueWithin !== undefined) {
      const until = new Date(now.getTime() + query.dueWithin * 86_400_000).toISOString();
      tests.push((row) => row.open && row.dueAt >= nowIso && row.dueAt <= until);
    }
    if (query.q) {
      const q = query.q.toUpperCase();
      tests.push((row) => row.id.includes(q));
    }
    if (tests.length === 0) return undefined;
    return (row) => tests.every((test) => test(row));
  }

  /** Every row the query selects, in its order. */
  *select(query: RegisterQuery, now: Date): Generator<RegisterRow> {
    const rows = this.sorted.get(query.sort)!.rows;
    const keep = this.predicate(query, now);
    const descending = query.order === 'desc';
    for (let i = 0; i < rows.length; i += 1) {
      const row = rows[descending ? rows.length - 1 - i : i]!;
      if (!keep || keep(row)) yield row;
    }
  }

  page(query: RegisterQuery, now: Date): RegisterPage {
    const rows = this.sorted.get(query.sort)!.rows;
    const start = (query.page - 1) * query.pageSize;
    const keep = this.predicate(query, now);
    if (!keep) {
      // No filter: the page is a slice of the rows already in order.
      const picked =
        query.order === 'asc'
          ? rows.slice(start, start + query.pageSize)
          : rows.slice(Math.max(0, rows.length - start - query.pageSize), Math.max(0, rows.length - start)).reverse();
      return { total: rows.length, page: query.page, pageSize: query.pageSize, rows: picked };
    }
    const picked: RegisterRow[] = [];
    let total = 0;
    for (const row of this.select(query, now)) {
      if (total >= start && picked.length < query.pageSize) picked.push(row);
      total += 1;
    }
    return { total, page: query.page, pageSize: query.pageSize, rows: picked };
  }

  charts(now: Date): RegisterCharts {
    const todayIso = localDay(now, this.timeZone);
    const months = monthsUpTo(todayIso, MONTHS_SHOWN);

    let overdue = 0;
    for (const [day, count] of this.openDueByDay.counts) if (day < todayIso) overdue += count;

    const deltaDays = [...this.overdueDeltas.counts.keys()].sort();
    const overdueAt = (endOfDay: string): number => {
      let sum = 0;
      for (const day of deltaDays) {
        if (day > endOfDay) break;
        sum += this.overdueDeltas.get(day);
      }
      return sum;
    };

    return {
      asOf: now.toISOString(),
      total: this.rows.size,
      open: [...this.openByStage.counts.values()].reduce((a, b) => a + b, 0),
      overdue,
      openByStage: OPEN_STAGES.map((status) => ({ status, count: this.openByStage.get(status) })),
      dueNext30Days: Array.from({ length: DUE_DAYS_SHOWN }, (_, i) => {
        const day = addDays(todayIso, i);
        return { day, count: this.openDueByDay.get(day) };
      }),
      onTimeByMonth: months.map((month) => {
        const { onTime, late } = this.answeredByMonth.get(month) ?? { onTime: 0, late: 0 };
        return { month, onTime, late, rate: onTime + late === 0 ? null : onTime / (onTime + late) };
      }),
      medianDaysByRight: REQUEST_TYPES.map((right) => {
        const days = this.daysByRight.get(right);
        const answered = days ? [...days.counts.values()].reduce((a, b) => a + b, 0) : 0;
        return { right, medianDays: days && answered > 0 ? median(days, answered) : null, answered };
      }),
      volumeByRight: REQUEST_TYPES.map((right) => ({ right, count: this.volumeByRight.get(right) })),
      volumeBySystem: [...this.volumeBySystem.counts]
        .map(([systemId, count]) => ({ systemId, name: this.systemNames.get(systemId) ?? systemId, count }))
        .sort((a, b) => b.count - a.count || a.systemId.localeCompare(b.systemId)),
      overdueOverTime: months.map((month) => {
        const end = lastDayOf(month);
        return { month, count: overdueAt(end > todayIso ? todayIso : end) };
      }),
    };
  }
}

/** The median of a histogram of whole days: the middle value, or the mean of the two middle ones. */
function median(histogram: Counter<number>, total: number): number {
  const values = [...histogram.counts].sort((a, b) => a[0] - b[0]);
  const at = (position: number): number => {
    let seen = 0;
    for (const [value, count] of values) {
      seen += count;
      if (seen > position) return value;
    }
    return values.at(-1)![0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

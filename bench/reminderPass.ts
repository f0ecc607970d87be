import type { DsrCase } from '../dsr/case.js';
import { isOpen } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { DEFAULT_REMINDER_SETTINGS, ReminderSchedule, type ReminderSettings } from '../dsr/reminders/schedule.js';
import { ReminderScheduler, type ReminderDispatcher } from '../dsr/reminders/scheduler.js';
import type { CaseQuery, CaseStore, KeyValueStore } from '../dsr/ports/store.js';
import { benchOpenCase } from './benchSetup.js';
import { median, report, round, timed } from './measure.js';

const calendar: OrgCalendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5, 6, 7] };
// One reminder per case, on its due day, so each pass below sees exactly the cases due that day.
const settings: ReminderSettings = {
  ...DEFAULT_REMINDER_SETTINGS,
  policies: {
    GDPR: { ...DEFAULT_REMINDER_SETTINGS.policies.GDPR!, daysBefore: [], overdueEveryWorkingDay: false },
  },
};
const DAY = 86_400_000;
const START = Date.parse('2026-06-01T07:00:00Z'); // 09:00 in Berlin

class BenchCases implements Pick<CaseStore, 'getCase' | 'listCases' | 'openCasePages' | 'state'> {
  readonly cases = new Map<string, DsrCase>();
  private readonly kv = new Map<string, unknown>();
  readonly state: KeyValueStore = {
    read: (keys) =>
      Promise.resolve(
        Object.fromEntries(keys.filter((k) => this.kv.has(k)).map((k) => [k, { value: this.kv.get(k), eTag: '*' }])),
      ),
    write: (entries) => {
      for (const [key, entry] of Object.entries(entries)) this.kv.set(key, entry.value);
      return Promise.resolve();
    },
    delete: () => Promise.resolve(),
  };
  getCase(id: string): Promise<DsrCase | undefined> {
    return Promise.resolve(this.cases.get(id));
  }
  listCases(query: CaseQuery): Promise<DsrCase[]> {
    return Promise.resolve([...this.cases.values()].filter((c) => !query.openOnly || isOpen(c)));
  }

  async *openCasePages(pageSize: number): AsyncIterable<DsrCase[]> {
    const open = await this.listCases({ openOnly: true });
    for (let start = 0; start < open.length; start += pageSize) yield open.slice(start, start + pageSize);
  }
}

function openCase(n: number, dueDay: number): DsrCase {
  const dueAt = new Date(START + dueDay * DAY + 10 * 3_600_000).toISOString();
  return benchOpenCase(
    n,
    { receivedAt: '2026-05-01T08:00:00Z', dueAt },
    { id: 'bench', name: 'Bench' },
    { name: 'Bench Person', emails: [] },
  );
}

/**
 * Open cases of which `due` fall due on each of `passes` days; the rest are due months later.
 * Returns the time of each day's pass, with the index built beforehand (once, as at start-up).
 */
async function passTimes(
  open: number,
  due: number,
  passes: number,
): Promise<{ samples: number[]; indexSeconds: number }> {
  const cases = new BenchCases();
  let n = 0;
  for (let day = 0; day < passes; day += 1)
    for (let i = 0; i < due; i += 1) cases.cases.set(String(n), openCase(n++, day));
  while (n < open) cases.cases.set(String(n), openCase(n, 120 + (n++ % 60)));
  const byId = new Map([...cases.cases.values()].map((c) => [c.id, c]));
  cases.getCase = (id) => Promise.resolve(byId.get(id));

  let sent = 0;
  const dispatcher: ReminderDispatcher = {
    dispatch: () => {
      sent += 1;
      return Promise.resolve();
    },
    digest: () => Promise.resolve(),
  };
  let now = START - DAY;
  const scheduler = new ReminderScheduler(
    cases,
    new ReminderSchedule(settings, calendar),
    dispatcher,
    { now: () => new Date(now) },
    { digestDaysAhead: 7, digest: false },
  );
  await cases.state.write({ 'dsr/reminders/checkpoint': { value: { at: new Date(now).toISOString() } } });
  const indexStart = Date.now();
  await scheduler.start();
  const indexSeconds = (Date.now() - indexStart) / 1000;

  const samples: number[] = [];
  for (let day = 0; day < passes; day += 1) {
    now = START + day * DAY;
    const before = sent;
    samples.push(await timed(() => scheduler.pass()));
    if (sent - before !== due) throw new Error(`pass ${day} sent ${sent - before} reminders, expected ${due}`);
  }
  return { samples, indexSeconds };
}

export async function reminderPass(small: number, large: number, due: number, passes: number): Promise<void> {
  // A first small run warms the JIT so the small figure is not inflated by compilation.
  await passTimes(small, due, passes);
  const few = await passTimes(small, due, passes);
  const many = await passTimes(large, due, passes);
  report({
    figure: 'reminder-pass',
    due,
    passes,
    [`median${small}Ms`]: round(median(few.samples)),
    [`median${large}Ms`]: round(median(many.samples)),
    ratio: round(median(many.samples) / median(few.samples), 2),
    target: 'ratio <= 2',
    indexSeconds: round(many.indexSeconds, 1),
  });
}

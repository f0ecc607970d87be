import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseService } from '../dsr/caseService.js';
import { validateIntake } from '../dsr/intake.js';
import { StaticRoleDirectory } from '../dsr/roles.js';
import { LowdbCaseStore } from '../storage/lowdbStore.js';
import { median, report, round, timed } from './measure.js';

const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const requester = { id: 'alex', name: 'Alex Wilber' };
const officer = { id: 'megan', name: 'Megan Bowen' };

/** Median time of one case update through the case service with `stored` cases in the store. */
async function updateMedian(stored: number, updates: number): Promise<{ medianMs: number; seedSeconds: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'dsr-bench-store-'));
  const store = new LowdbCaseStore(dir);
  await store.open();
  const service = new CaseService(store, new StaticRoleDirectory(['megan']), { now: () => new Date() }, calendar);
  const parsed = validateIntake(
    { subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org', requestTypes: 'access' },
    new Date(),
    calendar.timeZone,
  );
  if (!parsed.ok) throw new Error('bench intake is invalid');
  const seedStart = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < stored; i += 1) ids.push((await service.createCase(requester, parsed.request, `k${i}`)).case.id);
  const seedSeconds = (Date.now() - seedStart) / 1000;

  const samples: number[] = [];
  for (let i = 0; i < updates; i += 1) {
    const id = ids[Math.floor(Math.random() * ids.length)]!;
    const current = (await store.getCase(id))!;
    samples.push(
      await timed(async () => {
        const result = await service.act(officer, id, current.version, { kind: 'addNote', text: `note ${i}` });
        if (!result.ok) throw new Error(result.message);
      }),
    );
  }
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return { medianMs: median(samples), seedSeconds };
}

export async function caseUpdate(small: number, large: number, updates: number): Promise<void> {
  const few = await updateMedian(small, updates);
  const many = await updateMedian(large, updates);
  report({
    figure: 'case-update-latency',
    updates,
    [`median${small}Ms`]: round(few.medianMs),
    [`median${large}Ms`]: round(many.medianMs),
    ratio: round(many.medianMs / few.medianMs, 2),
    target: 'ratio <= 2',
    seedSeconds: round(many.seedSeconds, 1),
  });
}

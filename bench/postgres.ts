import { CaseService } from '../dsr/caseService.js';
import { validateIntake } from '../dsr/intake.js';
import { StaticRoleDirectory } from '../dsr/roles.js';
import { PostgresCaseStore } from '../storage/postgresStore.js';
import { BotProcess } from '../test/support/botProcess.js';
import { FakeConnector } from '../test/support/fakeConnector.js';
import { intakeSubmission } from '../test/support/intakeSubmission.js';
import { benchActivity, dropSchema, freshSchema, postTurn as post } from './benchSetup.js';
import { median, percentile, report, round, timed } from './measure.js';

const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const officer = { id: 'megan', name: 'Megan Bowen' };
function turn(kind: 'status' | 'intake', serviceUrl: string, conversation: string) {
  return kind === 'status'
    ? benchActivity(serviceUrl, conversation, { type: 'message', text: 'status' })
    : benchActivity(serviceUrl, conversation, intakeSubmission());
}

/** Turns per second from `concurrency` clients spread over the instances, each client in its own conversation. */
async function throughput(
  ports: number[],
  kind: 'status' | 'intake',
  serviceUrl: string,
  turns: number,
  concurrency: number,
) {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = next++; i < turns; i = next++) {
        await post(ports[i % ports.length]!, turn(kind, serviceUrl, `personal-bench-${worker}`));
      }
    }),
  );
  return turns / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * Intake and status turns per second with one bot process and with two on the same database,
 * each instance its own process (as on a scaled-out App Service), driven at the same concurrency.
 */
export async function scaleOutThroughput(url: string, turns: number, concurrency: number): Promise<void> {
  const connector = new FakeConnector();
  await connector.start();
  const figures: Record<string, number> = {};
  for (const instances of [1, 2]) {
    const schema = freshSchema();
    const bots = Array.from(
      { length: instances },
      () => new BotProcess({ DSR_DATABASE_URL: url, DSR_DATABASE_SCHEMA: schema }),
    );
    try {
      await Promise.all(bots.map((bot) => bot.start()));
      const ports = bots.map((bot) => bot.port);
      // A few cases so a status turn renders a real list, and every instance warmed up.
      for (let i = 0; i < 40; i += 1)
        await post(ports[i % ports.length]!, turn(i < 5 ? 'intake' : 'status', connector.url, 'personal-bench-0'));
      figures[`status${instances}PerSecond`] = await throughput(ports, 'status', connector.url, turns, concurrency);
      figures[`intake${instances}PerSecond`] = await throughput(ports, 'intake', connector.url, turns, concurrency);
    } finally {
      await Promise.all(bots.map((bot) => bot.stop()));
      await dropSchema(url, schema);
    }
  }
  await connector.stop();
  report({
    figure: 'postgres-scale-out-throughput',
    turns,
    concurrency,
    status1PerSecond: round(figures.status1PerSecond!, 1),
    status2PerSecond: round(figures.status2PerSecond!, 1),
    statusRatio: round(figures.status2PerSecond! / figures.status1PerSecond!, 2),
    intake1PerSecond: round(figures.intake1PerSecond!, 1),
    intake2PerSecond: round(figures.intake2PerSecond!, 1),
    intakeRatio: round(figures.intake2PerSecond! / figures.intake1PerSecond!, 2),
  });
}

/**
 * Seeds `count` cases straight into the tables, one create event each, so 200,000 cases take
 * seconds instead of the minutes the case service would need; the measured updates then go
 * through the case service as usual.
 */
async function seed(store: PostgresCaseStore, count: number, sample: Record<string, unknown>): Promise<void> {
  const client = await store.connect();
  try {
    await client.query(
      `INSERT INTO ${store.table('cases')} (id, version, requester_id, status, due_at, intake_key, is_open, created_at, body)
       SELECT 'DSR-2026-' || lpad(n::text, 6, '0'), 1, 'alex', 'received', now() + interval '30 days', 'seed-' || n, true, now(),
              $2::jsonb || jsonb_build_object('id', 'DSR-2026-' || lpad(n::text, 6, '0'), 'intakeKey', 'seed-' || n)
         FROM generate_series(1, $1::int) AS n`,
      [count, JSON.stringify(sample)],
    );
    // Stand-in create events: the trail's size is what matters here, not its hashes.
    await client.query(
      `INSERT INTO ${store.table('audit_events')} (seq, case_id, event)
       SELECT h.seq + n, 'DSR-2026-' || lpad(n::text, 6, '0'), json_build_object('seq', h.seq + n, 'action', 'create')
         FROM generate_series(1, $1::int) AS n, ${store.table('audit_head')} AS h`,
      [count],
    );
    await client.query(`UPDATE ${store.table('audit_head')} SET seq = seq + $1, hash = $2 WHERE id = 1`, [
      count,
      'f'.repeat(64),
    ]);
    await client.query(`ANALYZE ${store.table('cases')}`);
    await client.query(`ANALYZE ${store.table('audit_events')}`);
  } finally {
    client.release();
  }
}

async function updateMedian(url: string, stored: number, updates: number) {
  const schema = freshSchema();
  const store = new PostgresCaseStore({ connectionString: url, schema });
  await store.open();
  try {
    const service = new CaseService(store, new StaticRoleDirectory(['megan']), { now: () => new Date() }, calendar);
    const parsed = validateIntake(
      { subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org', requestTypes: 'access' },
      new Date(),
      calendar.timeZone,
    );
    if (!parsed.ok) throw new Error('bench intake is invalid');
    const template = (await service.createCase({ id: 'alex', name: 'Alex Wilber' }, parsed.request, 'template')).case;
    const seedStart = Date.now();
    await seed(store, stored, { ...template });
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const samples: number[] = [];
    for (let i = 0; i < updates + 20; i += 1) {
      const id = `DSR-2026-${String(1 + Math.floor(Math.random() * stored)).padStart(6, '0')}`;
      const current = (await store.getCase(id))!;
      const ms = await timed(async () => {
        const result = await service.act(officer, id, current.version, { kind: 'addNote', text: `note ${i}` });
        if (!result.ok) throw new Error(result.message);
      });
      if (i >= 20) samples.push(ms);
    }
    return { medianMs: median(samples), p95Ms: percentile(samples, 95), seedSeconds };
  } finally {
    await store.close();
    await dropSchema(url, schema);
  }
}

export async function postgresCaseUpdate(url: string, small: number, large: number, updates: number): Promise<void> {
  const few = await updateMedian(url, small, updates);
  const many = await updateMedian(url, large, updates);
  report({
    figure: 'postgres-case-update-latency',
    updates,
    [`median${small}Ms`]: round(few.medianMs),
    [`median${large}Ms`]: round(many.medianMs),
    [`p95${small}Ms`]: round(few.p95Ms),
    [`p95${large}Ms`]: round(many.p95Ms),
    ratio: round(many.medianMs / few.medianMs, 2),
    target: 'ratio <= 1.5',
    seedSeconds: round(many.seedSeconds, 1),
  });
}

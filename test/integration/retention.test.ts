import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { ConnectorRegistry } from '../../connectors/registry.js';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import { verifyChain, type AuditEvent } from '../../dsr/audit.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import { BotHarness, cardText, invokeCard } from '../support/botHarness.js';
import { CASE_THREAD, CaseFlow } from '../support/caseFlow.js';
import { dropSchema, freshSchema, testDatabaseUrl } from '../support/database.js';
import { adele, alex, megan, type TeamsUser } from '../support/people.js';

const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };
const maria = subjects.mariaGarcia;
const DAY = 86_400_000;
/** What identifies Maria in anything the bot keeps. */
const HER = [maria.email, 'Maria Garcia'];

/** Every file under `dir` whose bytes contain one of `needles` (case-insensitive), with what it contains. */
async function filesNaming(dir: string, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    // The outbox renames its files as it sends; one gone since the listing holds nothing any more.
    const bytes = await readFile(path).catch(() => undefined);
    if (!bytes) continue;
    const text = bytes.toString('latin1').toLowerCase();
    for (const needle of needles) if (text.includes(needle.toLowerCase())) found.push(`${path}: ${needle}`);
  }
  return found;
}

/** Every row of every table in the schema whose text contains one of `needles`. */
async function rowsNaming(schema: string, needles: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
      [schema],
    );
    const found: string[] = [];
    for (const { table_name } of tables.rows) {
      const table = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table_name)}`;
      for (const needle of needles) {
        const hits = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} t WHERE t::text ILIKE $1`, [
          `%${needle}%`,
        ]);
        if (Number(hits.rows[0]!.n) > 0) found.push(`${table_name}: ${needle}`);
      }
    }
    return found;
  } finally {
    await client.end();
  }
}

async function waitUntil(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const backend of ['embedded store', 'PostgreSQL'] as const) {
  describe(`retention of the bot's own data (${backend})`, function () {
    let sandbox: Sandbox;
    let bot: BotHarness;
    let schema = '';
    /** The case clock runs ahead of real time by this much; tests move it past the retention. */
    let ahead = 0;
    const clock = { now: () => new Date(Date.now() + ahead) };

    before(async function () {
      if (backend === 'PostgreSQL' && !testDatabaseUrl()) this.skip();
      sandbox = await startSandbox();
    });
    after(() => sandbox?.close());
    beforeEach(async () => {
      sandbox.reset();
      ahead = 0;
      const settings = sandboxConnectorSettings(sandbox);
      const connectors = ConnectorRegistry.fromConfig(settings.config, {
        source: 'test',
        credentials: settings.credentials,
        caPem: settings.caPem,
        retry: FAST_RETRY,
      });
      schema = freshSchema();
      const env: Record<string, string> = { DSR_CASE_RETENTION_DAYS: '30', DSR_REMINDERS: 'off' };
      if (backend === 'PostgreSQL')
        Object.assign(env, { DSR_DATABASE_URL: testDatabaseUrl()!, DSR_DATABASE_SCHEMA: schema });
      bot = await new BotHarness(env, { connectors: connectors.all(), clock }).start();
      await bot.say(megan, 'help');
      await bot.say(adele, 'help');
    });
    afterEach(async () => {
      await bot.stop();
      if (backend === 'PostgreSQL') await dropSchema(schema);
    });

    const flow = new CaseFlow(() => bot);
    const card = (user: TeamsUser, verb: string, caseId: string, extra: Record<string, unknown> = {}) =>
      flow.card(user, verb, caseId, extra);

    async function leftBehind(): Promise<string[]> {
      const files = await filesNaming(bot.dataDir, HER);
      return backend === 'PostgreSQL' ? [...files, ...(await rowsNaming(schema, HER))] : files;
    }

    async function audit(caseId: string): Promise<AuditEvent[]> {
      const events: AuditEvent[] = [];
      for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
      return events;
    }

    /** Maria's access and erasure, carried out, answered and closed, with a note and a package on the way. */
    async function closedCase(): Promise<string> {
      const caseId = await flow.planned(alex, {
        subjectName: 'Maria Garcia',
        subjectEmails: maria.email,
        requestTypes: 'access,delete',
        details: 'Maria Garcia wrote to the service desk.',
      });
      assert.match(await card(megan, 'triage.note', caseId, { text: 'Called Maria Garcia back.' }), /Note saved/);
      await flow.press(megan, 'plan.preparePackage', caseId, { stepId: 'package' });
      await waitUntil(async () => (await flow.step(caseId, 'package'))?.state === 'done');
      const crm = (await flow.step(caseId, 'delete:crm'))!;
      if (crm.state !== 'not-applicable') {
        await card(megan, 'plan.preview', caseId, { stepId: 'delete:crm' });
        const { hash } = (await flow.step(caseId, 'delete:crm'))!.preview!;
        await card(adele, 'plan.approve', caseId, { stepId: 'delete:crm', previewHash: hash });
        await card(megan, 'plan.apply', caseId, { stepId: 'delete:crm' });
        await bot.app.runner.settled(caseId, 'delete:crm');
      }
      // What is left is explained rather than done; the response says so.
      // A step that finishes can add a follow-up by hand, so the plan is walked until nothing is left.
      for (let round = 0; round < 3; round += 1)
        for (const open of (await bot.app.store.getCase(caseId))!.plan!.steps) {
          if (open.mode === 'guided' && open.state === 'todo')
            await card(megan, 'plan.tick', caseId, {
              stepId: open.id,
              note: 'Done as the guide says',
              evidence: 'https://contoso.sharepoint.com/sites/privacy/evidence.xlsx',
            });
          if (open.mode === 'automated' && open.destructive && open.state === 'waiting-approval') {
            await card(megan, 'plan.preview', caseId, { stepId: open.id });
            const { hash } = (await flow.step(caseId, open.id))!.preview!;
            await card(adele, 'plan.approve', caseId, { stepId: open.id, previewHash: hash });
            await card(megan, 'plan.apply', caseId, { stepId: open.id });
            await bot.app.runner.settled(caseId, open.id);
          }
        }
      assert.match(await flow.releasePackage(caseId), /Released/);
      assert.match(await card(megan, 'plan.respond', caseId), /Response for Maria Garcia/);
      // The response letter answers the case; its text is part of what the purge removes.
      await card(megan, 'letter.markSent', caseId, { letter: 'response', channel: 'post' });
      assert.equal((await bot.app.store.getCase(caseId))!.status, 'responded');
      assert.match(await card(megan, 'triage.close', caseId), /will be deleted on/);
      return caseId;
    }

    it('deletes everything naming the person once the retention ends, keeping the case, its dates, outcome and an intact trail', async function () {
      this.timeout(120_000);
      const caseId = await closedCase();
      const before = await leftBehind();
      assert.ok(before.length > 0, 'the closed case still holds her data before the purge');

      // Before the purge the team can take the whole record.
      const reply = await bot.say(megan, `export case file ${caseId}`);
      const link = /https?:\/\/\S+/.exec(String(reply.at(-1)?.text))![0];
      const download = await fetch(link);
      assert.equal(download.status, 200);
      const file = (await download.json()) as { case: { subject: { emails: string[] } }; auditTrail: unknown[] };
      assert.deepEqual(file.case.subject.emails, [maria.email]);
      assert.ok(file.auditTrail.length > 5);
      assert.ok((await audit(caseId)).some((e) => e.action === 'downloadCaseFile'));

      // A day early, nothing goes.
      ahead = 29 * DAY;
      await bot.app.reminders.tick();
      assert.equal((await bot.app.store.getCase(caseId))!.purge, undefined);

      ahead = 31 * DAY;
      await bot.app.reminders.tick();
      assert.deepEqual(await leftBehind(), [], 'nothing names her after the purge');

      const kept = (await bot.app.store.getCase(caseId))!;
      assert.equal(kept.status, 'closed');
      assert.deepEqual(kept.requestTypes, ['access', 'delete']);
      assert.ok(kept.receivedAt && kept.closedAt && kept.response?.at);
      assert.ok(kept.purge?.doneAt);
      const events = await audit(caseId);
      assert.deepEqual(
        events.slice(-2).map((e) => e.action),
        ['startPurge', 'completePurge'],
      );
      assert.equal((await verifyChain(bot.app.store.auditEvents(), bot.app.store.auditKeys)).intact, true);
      assert.match(await card(megan, 'triage.refresh', caseId), /was deleted on/);
      assert.match(String((await bot.say(megan, `export case file ${caseId}`)).at(-1)?.text), /was deleted/);
    });

    it('keeps a case under legal hold past its retention, refusing a stale hold card, and purges it once released', async function () {
      this.timeout(120_000);
      const caseId = await flow.file(alex, {
        subjectName: 'Maria Garcia',
        subjectEmails: maria.email,
        requestTypes: 'access',
      });
      await bot.app.services.cases.act(
        { id: megan.aadObjectId, name: megan.name },
        caseId,
        await flow.version(caseId),
        {
          kind: 'decline',
          reason: 'not-our-data',
          explanation: '',
        },
      );
      assert.match(await card(megan, 'triage.close', caseId), /will be deleted on/);

      const seen = await flow.version(caseId);
      assert.match(
        await card(megan, 'triage.hold', caseId, { reason: 'complaint', explanation: '' }),
        /kept under a legal hold/,
      );
      const placed = (await audit(caseId)).find((e) => e.action === 'placeHold' && e.outcome === 'applied');
      assert.equal(placed?.detail.reason, 'complaint');
      // A card from before the hold cannot release it.
      const stale = await bot.execute(megan, 'triage.releaseHold', { caseId, version: seen }, CASE_THREAD);
      assert.match(cardText(invokeCard(stale)), /changed since you looked/);
      assert.ok((await bot.app.store.getCase(caseId))!.hold);

      ahead = 40 * DAY;
      await bot.app.reminders.tick();
      assert.ok((await leftBehind()).length > 0, 'the hold keeps her data');

      assert.match(await card(megan, 'triage.releaseHold', caseId), /Legal hold released/);
      await bot.app.reminders.tick();
      assert.deepEqual(await leftBehind(), []);
    });

    it('finishes a purge that stopped halfway, after a restart', async function () {
      this.timeout(120_000);
      const caseId = await flow.file(alex, {
        subjectName: 'Maria Garcia',
        subjectEmails: maria.email,
        requestTypes: 'access',
      });
      await bot.app.services.cases.act(
        { id: megan.aadObjectId, name: megan.name },
        caseId,
        await flow.version(caseId),
        {
          kind: 'decline',
          reason: 'not-our-data',
          explanation: '',
        },
      );
      await card(megan, 'triage.close', caseId);
      ahead = 31 * DAY;
      // As if the process stopped right after marking the case.
      assert.ok((await bot.app.services.cases.actAsSystem(caseId, { kind: 'startPurge' })).ok);
      assert.ok((await leftBehind()).length > 0);
      // A hold cannot stop a purge under way: half a case is never left.
      const held = await bot.app.services.cases.act(
        { id: megan.aadObjectId, name: megan.name },
        caseId,
        await flow.version(caseId),
        {
          kind: 'placeHold',
          reason: 'litigation',
          explanation: '',
        },
      );
      assert.equal(held.ok, false);

      await bot.stop({ keepData: true });
      const dataDir = bot.dataDir;
      bot = await new BotHarness(
        backend === 'PostgreSQL'
          ? {
              DSR_CASE_RETENTION_DAYS: '30',
              DSR_REMINDERS: 'off',
              DSR_DATABASE_URL: testDatabaseUrl()!,
              DSR_DATABASE_SCHEMA: schema,
            }
          : { DSR_CASE_RETENTION_DAYS: '30', DSR_REMINDERS: 'off' },
        { clock },
      ).start(dataDir);
      await bot.app.reminders.tick();
      assert.deepEqual(await leftBehind(), []);
      assert.ok((await bot.app.store.getCase(caseId))!.purge?.doneAt);
    });
  });
}

import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ConnectorRegistry } from '../../connectors/registry.js';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import type { DsrCase } from '../../dsr/case.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import { bearer, call } from '../sandbox/helpers.js';
import { BotHarness } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { dropSchema, freshSchema, testDatabaseUrl } from '../support/database.js';
import { adele, alex, megan, type TeamsUser } from '../support/people.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';

const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };
const maria = subjects.mariaGarcia;
const priya = subjects.priyaNair;

/**
 * Records a deletion keeps for a legal reason carry when the reason ends; at that date the
 * reminder pass opens a follow-up case that erases exactly those records, once, whichever
 * instance runs it, and the original's purge leaves what the follow-up needs.
 */
for (const backend of ['embedded store', 'PostgreSQL'] as const) {
  describe(`kept records have an end (${backend})`, function () {
    let sandbox: Sandbox;
    let bot: BotHarness;
    let second: BotHarness | undefined;
    let schema = '';
    let clock: sinon.SinonFakeTimers;
    let env: Record<string, string>;
    let connectors: () => ConnectorRegistry;

    before(async function () {
      if (backend === 'PostgreSQL' && !testDatabaseUrl()) this.skip();
      sandbox = await startSandbox();
    });
    after(() => sandbox?.close());
    beforeEach(async () => {
      sandbox.reset();
      // Only Date is set; it runs on from there, and the servers' timers keep real time.
      clock = sinon.useFakeTimers({
        now: new Date('2026-05-04T08:00:00.000Z'),
        toFake: ['Date'],
        shouldAdvanceTime: true,
      });
      const settings = sandboxConnectorSettings(sandbox);
      connectors = () =>
        ConnectorRegistry.fromConfig(settings.config, {
          source: 'test',
          credentials: settings.credentials,
          caPem: settings.caPem,
          retry: FAST_RETRY,
        });
      schema = freshSchema();
      env = {
        DSR_CASE_RETENTION_DAYS: '30',
        DSR_REMINDERS: 'off',
        DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
      };
      if (backend === 'PostgreSQL')
        Object.assign(env, { DSR_DATABASE_URL: testDatabaseUrl()!, DSR_DATABASE_SCHEMA: schema });
      bot = await new BotHarness(env, { connectors: connectors().all() }).start();
      await bot.say(megan, 'help');
      await bot.say(adele, 'help');
    });
    afterEach(async () => {
      clock.restore();
      await second?.stop();
      second = undefined;
      await bot.stop();
      if (backend === 'PostgreSQL') await dropSchema(schema);
    });

    const flow = new CaseFlow(() => bot);
    const card = (user: TeamsUser, verb: string, caseId: string, extra: Record<string, unknown> = {}) =>
      flow.card(user, verb, caseId, extra);

    async function carryOut(caseId: string, stepId: string): Promise<string> {
      const preview = await card(megan, 'plan.preview', caseId, { stepId });
      const step = (await flow.step(caseId, stepId))!;
      if (step.state === 'waiting-approval') {
        await card(adele, 'plan.approve', caseId, { stepId, previewHash: step.preview!.hash });
        await card(megan, 'plan.apply', caseId, { stepId });
        await bot.app.runner.settled(caseId, stepId);
      }
      return preview;
    }

    async function settleTheRest(caseId: string): Promise<void> {
      for (let round = 0; round < 3; round += 1)
        for (const open of (await bot.app.store.getCase(caseId))!.plan!.steps) {
          if (open.mode === 'guided' && open.state === 'todo')
            await card(megan, 'plan.tick', caseId, {
              stepId: open.id,
              note: 'Done as the guide says',
              evidence: 'https://contoso.sharepoint.com/sites/privacy/evidence.xlsx',
            });
          if (open.mode === 'automated' && open.destructive && open.state === 'waiting-approval')
            await carryOut(caseId, open.id);
        }
    }

    const followUpsOf = async (original: string): Promise<DsrCase[]> => {
      const all = await bot.app.store.listCases({});
      return all.filter((c) => c.followUpOf === original);
    };

    it("says why a record is kept in the reader's language, the system's reason included", async function () {
      this.timeout(60_000);
      const caseId = await flow.planned(alex, {
        subjectName: 'Maria Garcia',
        subjectEmails: maria.email,
        requestTypes: 'delete',
      });
      const german = await flow.cardIn('de-DE', megan, 'plan.preview', caseId, { stepId: 'delete:bc' });
      assert.match(german, /Ein gebuchter Beleg: Personenbezogene Daten in Finanztransaktionen werden/);
      assert.doesNotMatch(german, /A posted document|financial and tax law/);
      // The step keeps the English reason for the audit trail and the letter's appendix.
      const preview = (await flow.step(caseId, 'delete:bc'))!.preview!;
      assert.ok(preview.retained.every((r) => r.reason.startsWith('A posted document')));
      const spanish = await flow.cardIn('es-ES', megan, 'plan.show', caseId);
      assert.doesNotMatch(spanish, /A posted document/);
    });

    it("shows when Maria's posted invoices may go, keeps that past the purge, and opens their erasure once on the date", async function () {
      this.timeout(180_000);
      const caseId = await flow.planned(alex, {
        subjectName: 'Maria Garcia',
        subjectEmails: maria.email,
        requestTypes: 'delete',
        subjectLanguage: 'es',
      });
      const preview = await carryOut(caseId, 'delete:bc');
      // Invoices of 2024, kept ten years from the end of 2024 (HGB § 257(5), AO § 147(4)).
      assert.match(preview, /Kept as they are: 2 records/);
      assert.match(preview, /kept until 31 Dec 2034/);
      const bcKept = (await bot.app.store.getCase(caseId))!.kept ?? [];
      assert.equal(bcKept.length, 2, JSON.stringify(bcKept));
      assert.ok(bcKept.every((k) => k.systemId === 'bc' && k.kind === 'sales invoice' && k.until === '2034-12-31'));
      const invoiceIds = bcKept.map((k) => k.id).sort();

      await settleTheRest(caseId);
      const response = await card(megan, 'plan.respond', caseId);
      assert.match(response, /Response for Maria Garcia/);
      // The letter, in her language, says until when, and words each count in its number.
      const letter = await card(megan, 'letter.show', caseId, { letter: 'response' });
      assert.match(letter, /2 registros conservados/);
      assert.match(letter, /Conservados hasta el 31 de diciembre de 2034 y suprimidos después: 2 registros/);
      assert.doesNotMatch(letter, /\b1 registros\b/);
      await card(megan, 'letter.markSent', caseId, { letter: 'response', channel: 'post' });
      assert.match(await card(megan, 'triage.close', caseId), /kept for 'posted-document', kept until 31 Dec 2034/);

      // The case file has every kept record with its end.
      const reply = await bot.say(megan, `export case file ${caseId}`);
      const link = /https?:\/\/\S+/.exec(String(reply.at(-1)?.text))![0];
      const file = (await (await fetch(link)).json()) as { case: DsrCase };
      assert.deepEqual(
        file.case.kept?.map((k) => k.until),
        ['2034-12-31', '2034-12-31'],
      );

      // The purge takes her name, not the ids the follow-up needs.
      clock.setSystemTime(new Date('2026-07-01T08:00:00.000Z'));
      await bot.app.reminders.tick();
      const purged = (await bot.app.store.getCase(caseId))!;
      assert.ok(purged.purge?.doneAt, 'purged');
      assert.equal(purged.subject.name, '');
      assert.deepEqual(purged.kept?.map((k) => k.id).sort(), invoiceIds);
      assert.ok(purged.kept.every((k) => !JSON.stringify(k).includes('Garcia')));

      // The day before the end, nothing; then once, whichever instance runs the pass.
      clock.setSystemTime(new Date('2034-12-31T20:00:00.000Z'));
      await bot.app.reminders.tick();
      assert.deepEqual(await followUpsOf(caseId), []);
      clock.setSystemTime(new Date('2035-01-01T08:00:00.000Z'));
      if (backend === 'PostgreSQL') {
        second = await new BotHarness(env, { connectors: connectors().all() }).start();
        await Promise.all([bot.app.reminders.tick(), second.app.reminders.tick()]);
      } else {
        await Promise.all([bot.app.reminders.tick(), bot.app.reminders.tick()]);
      }
      await bot.app.reminders.tick();
      const followUps = await followUpsOf(caseId);
      assert.equal(followUps.length, 1, JSON.stringify(followUps.map((c) => c.id)));
      const followUp = followUps[0]!;
      assert.equal(followUp.subject.name, '');
      assert.deepEqual(followUp.subject.emails, []);
      const steps = followUp.plan!.steps;
      // Business Central refuses to delete a posted invoice through its API: a person erases them.
      assert.deepEqual(
        steps.map((s) => [s.id, s.right, s.state, s.mode]),
        [['delete:bc', 'delete', 'todo', 'guided']],
      );
      const named = steps[0]!.instructions.map((i) => i.text).join('\n');
      for (const id of invoiceIds) assert.ok(named.includes(`sales invoice ${id}`), named);
      assert.match(named, /2 records|posted-document/);

      // Both cases show the link.
      const original = (await bot.app.store.getCase(caseId))!;
      assert.deepEqual(original.followUps, [followUp.id]);
      assert.ok(original.kept!.every((k) => k.followUpCaseId === followUp.id));
      assert.equal(original.keptDueAt, undefined, 'nothing left to follow up');
      assert.match(await card(megan, 'triage.refresh', caseId), new RegExp(`Follow-up cases: ${followUp.id}`));
      assert.match(await card(megan, 'triage.refresh', followUp.id), new RegExp(`Follow-up of ${caseId}`));
    });

    it("checks Priya's enabled account again each period, and opens its erasure once it is disabled", async function () {
      this.timeout(120_000);
      const caseId = await flow.planned(alex, {
        subjectName: 'Priya Nair',
        subjectEmails: priya.email,
        employeeId: priya.employeeId,
        requestTypes: 'delete',
      });
      const preview = await card(megan, 'plan.preview', caseId, { stepId: 'delete:graph' });
      assert.match(preview, /kept while this holds, checked again on 4 Aug 2026/);
      const kept = (await bot.app.store.getCase(caseId))!.kept!.filter((k) => k.systemId === 'graph');
      assert.deepEqual(
        kept.map((k) => [k.kind, k.id, k.basis, k.ends, k.until]),
        [['user', priya.entraId, 'enabled-account', 'condition', '2026-08-04']],
      );

      // Still enabled at the check: kept, checked again a period later, no follow-up.
      clock.setSystemTime(new Date('2026-08-05T08:00:00.000Z'));
      await bot.app.reminders.tick();
      assert.deepEqual(await followUpsOf(caseId), []);
      const rechecked = (await bot.app.store.getCase(caseId))!.kept!.find((k) => k.id === priya.entraId)!;
      assert.equal(rechecked.until, '2026-11-05');

      // Disabled since: at the next check, its erasure opens.
      const headers = await bearer(sandbox, sandbox.resources.graph);
      const patched = await call(sandbox, `${sandbox.endpoints.graph}users/${priya.entraId}`, {
        method: 'PATCH',
        headers,
        body: { accountEnabled: false },
      });
      assert.ok(patched.status < 300, `PATCH answered ${patched.status}`);
      clock.setSystemTime(new Date('2026-11-06T08:00:00.000Z'));
      await bot.app.reminders.tick();
      const followUps = await followUpsOf(caseId);
      assert.equal(followUps.length, 1);
      const followUp = followUps[0]!;
      const named = followUp.plan!.steps.flatMap((s) => s.instructions.map((i) => i.text)).join('\n');
      assert.match(named, new RegExp(`user ${priya.entraId}`));

      // Microsoft Graph deletes users, so the bot erases the account itself, with the same safeguards.
      const step = followUp.plan!.steps.find((s) => s.id === 'delete:graph')!;
      assert.deepEqual([step.mode, step.destructive], ['automated', true]);
      const shown = await card(megan, 'plan.preview', followUp.id, { stepId: step.id });
      assert.match(shown, /Preview ready/);
      const previewed = (await flow.step(followUp.id, step.id))!;
      assert.equal(previewed.state, 'waiting-approval');
      // Exactly the kept account, read by its id: the follow-up has no name to search by.
      assert.deepEqual(previewed.preview!.counts, { user: 1 });
      assert.equal(previewed.preview!.targetCount, 1);
      assert.equal(previewed.preview!.samples[0]!.kind, 'user');

      // Whoever made the preview cannot approve it.
      const own = await card(megan, 'plan.approve', followUp.id, {
        stepId: step.id,
        previewHash: previewed.preview!.hash,
      });
      assert.doesNotMatch(own, /Approved/);
      assert.equal((await flow.step(followUp.id, step.id))!.approval, undefined);
      await card(adele, 'plan.approve', followUp.id, { stepId: step.id, previewHash: previewed.preview!.hash });
      await card(megan, 'plan.apply', followUp.id, { stepId: step.id });
      await bot.app.runner.settled(followUp.id, step.id);
      const done = (await flow.step(followUp.id, step.id))!;
      assert.equal(done.state, 'done', done.error);
      assert.equal(done.result?.applied, 1);
      const gone = await call(sandbox, `${sandbox.endpoints.graph}users/${priya.entraId}`, {
        headers: await bearer(sandbox, sandbox.resources.graph),
      });
      assert.equal(gone.status, 404);
    });

    it('keeps again, with its reason and a new end, an account enabled again before its follow-up', async function () {
      this.timeout(120_000);
      const caseId = await flow.planned(alex, {
        subjectName: 'Priya Nair',
        subjectEmails: priya.email,
        employeeId: priya.employeeId,
        requestTypes: 'delete',
      });
      await card(megan, 'plan.preview', caseId, { stepId: 'delete:graph' });
      const account = `${sandbox.endpoints.graph}users/${priya.entraId}`;
      const set = async (enabled: boolean) => {
        const answer = await call(sandbox, account, {
          method: 'PATCH',
          headers: await bearer(sandbox, sandbox.resources.graph),
          body: { accountEnabled: enabled },
        });
        assert.ok(answer.status < 300, `PATCH answered ${answer.status}`);
      };
      await set(false);
      clock.setSystemTime(new Date('2026-08-05T08:00:00.000Z'));
      await bot.app.reminders.tick();
      const followUp = (await followUpsOf(caseId))[0]!;
      assert.ok(followUp, 'follow-up opened');
      await set(true);
      const shown = await card(megan, 'plan.preview', followUp.id, { stepId: 'delete:graph' });
      assert.match(shown, /kept while this holds, checked again on 5 Nov 2026/);
      const step = (await flow.step(followUp.id, 'delete:graph'))!;
      assert.equal(step.state, 'retained');
      assert.equal(step.preview!.targetCount, 0);
      const kept = (await bot.app.store.getCase(followUp.id))!.kept ?? [];
      assert.deepEqual(
        kept.map((k) => [k.kind, k.id, k.basis, k.until]),
        [['user', priya.entraId, 'enabled-account', '2026-11-05']],
      );
      const still = await call(sandbox, account, { headers: await bearer(sandbox, sandbox.resources.graph) });
      assert.equal(still.status, 200);
    });

    it('reports a kept record deleted by hand before its follow-up, rather than failing', async function () {
      this.timeout(120_000);
      const caseId = await flow.planned(alex, {
        subjectName: 'Priya Nair',
        subjectEmails: priya.email,
        employeeId: priya.employeeId,
        requestTypes: 'delete',
      });
      await card(megan, 'plan.preview', caseId, { stepId: 'delete:graph' });
      // Disabled, then deleted by hand before the check date.
      const headers = await bearer(sandbox, sandbox.resources.graph);
      const disabled = await call(sandbox, `${sandbox.endpoints.graph}users/${priya.entraId}`, {
        method: 'PATCH',
        headers,
        body: { accountEnabled: false },
      });
      assert.ok(disabled.status < 300);
      clock.setSystemTime(new Date('2026-08-05T08:00:00.000Z'));
      await bot.app.reminders.tick();
      const followUp = (await followUpsOf(caseId))[0]!;
      assert.ok(followUp, 'follow-up opened');
      const removed = await call(sandbox, `${sandbox.endpoints.graph}users/${priya.entraId}`, {
        method: 'DELETE',
        headers: await bearer(sandbox, sandbox.resources.graph),
      });
      assert.ok(removed.status < 300, `DELETE answered ${removed.status}`);
      const shown = await card(megan, 'plan.preview', followUp.id, { stepId: 'delete:graph' });
      assert.match(shown, new RegExp(`Already gone from the system, nothing left to delete: user ${priya.entraId}`));
      const step = (await flow.step(followUp.id, 'delete:graph'))!;
      assert.notEqual(step.state, 'failed');
      assert.equal(step.preview!.targetCount, 0);
    });
  });
}

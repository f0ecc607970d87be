import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AuditEvent } from '../../dsr/audit.js';
import { snapshotIndex, snapshotPage, type SnapshotIndex } from '../../dsr/runs/reviewSnapshot.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import { TENANT_DOMAIN } from '../../sandbox/seed.js';
import { SANDBOX_MAILBOX_LOCAL_PART } from '../../sandbox/systems/graphMail.js';
import { bearer, call } from '../sandbox/helpers.js';
import { cardText, invokeCard, type BotHarness } from '../support/botHarness.js';
import { cardProblems } from '../support/cardRules.js';
import { CaseFlow } from '../support/caseFlow.js';
import { readZip } from '../support/packageReaders.js';
import { adele, alex, megan } from '../support/people.js';
import { startSandboxBot } from '../support/sandboxBot.js';

const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };
const MAILBOX = `${SANDBOX_MAILBOX_LOCAL_PART}@${TENANT_DOMAIN}`;
const maria = subjects.mariaGarcia;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A colleague's name in a note on Maria's record: the officer redacts it. */
const COLLEAGUE = 'Nancy Davolio';
const NOTE_TEXT = `Maria asked to be contacted by email only; her account manager ${COLLEAGUE} agreed.`;

interface SentMessage {
  subject: string;
  body: { content: string };
  hasAttachments: boolean;
}

/**
 * What the data subject receives: the package is reviewed (records withheld on a ground, passages
 * redacted), another privacy officer approves exactly that, and only then is it released through
 * a link the person opens without any account, until it expires or the team revokes it.
 */
describe('review before release and the data subject’s link', () => {
  let sandbox: Sandbox;
  let bot: BotHarness;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    offsetMs = 0;
  });
  afterEach(() => bot.stop());

  const flow = new CaseFlow(() => bot);
  const reviewDir = () => join(bot.dataDir, 'released');
  const dsrCase = async (caseId: string) => (await bot.app.store.getCase(caseId))!;
  const card = (user: typeof megan, verb: string, caseId: string, extra: Record<string, unknown> = {}) =>
    flow.card(user, verb, caseId, extra);

  async function sentItems(): Promise<SentMessage[]> {
    const headers = await bearer(sandbox, sandbox.resources.graph);
    const listed = await call(sandbox, `/v1.0/users/${MAILBOX}/mailFolders/sentitems/messages`, { headers });
    return listed.json.value as unknown as SentMessage[];
  }

  /** Maria's access request, planned, with the package prepared and its review opened. */
  async function packaged(): Promise<{ caseId: string; index: SnapshotIndex }> {
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: maria.email,
      requestTypes: 'access',
    });
    await flow.press(megan, 'plan.preparePackage', caseId, { stepId: 'package' });
    // The review opens a moment before the step is marked done; a tick pressed in between would
    // meet a newer version of the case and be refused as stale, so wait for both.
    const ready = (c: Awaited<ReturnType<typeof dsrCase>>): boolean =>
      Boolean(c.review) && c.plan?.steps.find((s) => s.id === 'package')?.state === 'done';
    for (let tries = 0; !ready(await dsrCase(caseId)); tries++) {
      assert.ok(tries < 300, 'the package is prepared and its review opened');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const review = (await dsrCase(caseId)).review!;
    const index = (await snapshotIndex(reviewDir(), caseId, review.snapshotId))!;
    return { caseId, index };
  }

  /** Where a record sits on the review card: its source, page and the scope of its inputs. */
  function placeOf(index: SnapshotIndex, recordId: string): { source: number; page: number; scope: string } {
    const [system, kind, n] = recordId.split('/');
    const source = index.sources.findIndex((s) => s.system === system && s.kind === kind);
    const position = Number(n);
    return { source, page: Math.floor(position / 5), scope: String(position % 5) };
  }

  async function findRecord(
    caseId: string,
    index: SnapshotIndex,
    test: (record: Record<string, unknown>) => boolean,
  ): Promise<{ recordId: string; record: Record<string, unknown> }> {
    for (const [i, source] of index.sources.entries()) {
      for (const item of await snapshotPage(reviewDir(), index, caseId, i, 0, source.records)) {
        if (test(item.record)) return item;
      }
    }
    throw new Error('no such record in the package');
  }

  /** Ticks every step done by hand, so the response can go out. */
  async function settlePlan(caseId: string): Promise<void> {
    for (const step of (await dsrCase(caseId)).plan!.steps.filter((s) => s.mode === 'guided' && s.state === 'todo')) {
      await flow.press(adele, 'plan.tick', caseId, {
        stepId: step.id,
        note: 'Checked by hand',
        evidence: 'https://contoso.sharepoint.com/sites/privacy/evidence.xlsx',
      });
    }
    const open = (await dsrCase(caseId)).plan!.steps.filter((s) => s.mode === 'guided' && s.state === 'todo');
    assert.deepEqual(
      open.map((s) => s.id),
      [],
      'every guided step is marked done',
    );
  }

  it('withholds a third party’s record and redacts a colleague’s name: the subject’s ZIP lacks them, the letter says so in general terms, the trail has the details', async function () {
    this.timeout(120_000);
    bot = await startSandboxBot(sandbox, FAST_RETRY, { clock, mailbox: MAILBOX });
    // Maria's note names her account manager, a colleague whose name is not Maria's to receive.
    const dataverse = await bearer(sandbox, sandbox.resources.dataverse);
    const patched = await call(sandbox, `${sandbox.endpoints.dataverse}annotations(${maria.crmNoteId})`, {
      method: 'PATCH',
      headers: { ...dataverse, 'If-Match': '*' },
      body: { notetext: NOTE_TEXT },
    });
    assert.ok(patched.status < 300, patched.text);
    const { caseId, index } = await packaged();

    const shown = invokeCard(await flow.press(megan, 'review.show', caseId, { source: 0, page: 0 }));
    assert.deepEqual(
      cardProblems(shown, {
        'review.show': ['caseId', 'version', 'page'],
        'review.exclude': ['caseId', 'version', 'recordId', 'source', 'page'],
        'review.redact': ['caseId', 'version', 'recordId', 'source', 'page'],
        'review.submit': ['caseId', 'version', 'source', 'page'],
        'plan.show': ['caseId', 'version'],
      }),
      [],
    );
    assert.ok(JSON.stringify(shown).length < 28_000, 'a page of the review fits one Teams message');
    assert.match(cardText(shown), /Review of the package/);

    // An email about another customer's order sits among Maria's records: withheld under Art. 15(4).
    const email = await findRecord(
      caseId,
      index,
      (r) => typeof r.subject === 'string' && /order 10442/.test(r.subject),
    );
    const note = await findRecord(caseId, index, (r) => r.notetext === NOTE_TEXT);
    const withheldSubject = String(email.record.subject);
    const at = placeOf(index, email.recordId);
    const stale = await flow.version(caseId);
    assert.match(
      await card(megan, 'review.exclude', caseId, {
        recordId: email.recordId,
        source: at.source,
        page: at.page,
        [`ground.${at.scope}`]: 'rights-of-others',
        [`note.${at.scope}`]: 'About her neighbour’s order',
      }),
      /Withheld/,
    );
    // Bad input changes nothing: an unknown ground, a passage the field does not hold.
    const notePlace = placeOf(index, note.recordId);
    const noteData = { recordId: note.recordId, source: notePlace.source, page: notePlace.page };
    assert.match(
      await card(megan, 'review.exclude', caseId, { ...noteData, [`ground.${notePlace.scope}`]: 'dislike' }),
      /Choose a ground/,
    );
    assert.match(
      await card(megan, 'review.redact', caseId, {
        ...noteData,
        [`field.${notePlace.scope}`]: 'notetext',
        [`passage.${notePlace.scope}`]: 'Janet Leverling',
      }),
      /not in notetext; nothing was redacted/,
    );
    assert.match(
      await card(megan, 'review.redact', caseId, {
        ...noteData,
        [`field.${notePlace.scope}`]: 'notetext',
        [`passage.${notePlace.scope}`]: COLLEAGUE,
      }),
      /Redacted/,
    );
    // A card from before those changes is refused and changes nothing.
    const before = (await dsrCase(caseId)).review!;
    const staleAnswer = await bot.post({
      ...bot.base(megan, `19:privacy-requests@thread.tacv2;messageid=2`),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: 'review-card',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'review.undo',
          data: { caseId, version: stale, recordId: email.recordId, source: at.source, page: at.page },
        },
      },
    });
    assert.match(cardText(invokeCard(staleAnswer)), /changed since you looked at it/);
    assert.deepEqual((await dsrCase(caseId)).review, before, 'the stale card changed nothing');

    // Nothing is released before the approval, and the reviewer does not approve her own review.
    assert.match(await card(adele, 'review.release', caseId), /must approve the reviewed package/);
    assert.match(await card(megan, 'review.submit', caseId), /another privacy officer approves it/);
    const hash = (await dsrCase(caseId)).review!.submitted!.hash;
    assert.match(await card(megan, 'review.approve', caseId, { hash }), /another privacy officer must approve/);
    assert.match(await card(adele, 'review.approve', caseId, { hash }), /Approved/);
    // A later change voids the approval: it was given to another set of exclusions and redactions.
    assert.match(
      await card(megan, 'review.redact', caseId, {
        ...noteData,
        [`field.${notePlace.scope}`]: 'subject',
        [`passage.${notePlace.scope}`]: '',
      }),
      /Redacted/,
    );
    assert.equal((await dsrCase(caseId)).review!.approval, undefined);
    assert.match(await card(megan, 'review.undo', caseId, noteData), /Undone/);
    assert.match(
      await card(megan, 'review.redact', caseId, {
        ...noteData,
        [`field.${notePlace.scope}`]: 'notetext',
        [`passage.${notePlace.scope}`]: COLLEAGUE,
      }),
      /Redacted/,
    );
    assert.match(await card(adele, 'review.approve', caseId, { hash }), /not finished yet/);
    assert.match(await card(megan, 'review.submit', caseId), /another privacy officer approves it/);
    const final = (await dsrCase(caseId)).review!.submitted!.hash;
    assert.equal(final, hash, 'the same set of decisions has the same hash');
    assert.match(await card(adele, 'review.approve', caseId, { hash: final }), /Approved/);
    const released = invokeCard(await flow.press(adele, 'review.release', caseId));
    assert.match(cardText(released), /Released/);
    // Other steps are still open, so the released review does not offer the response yet.
    assert.doesNotMatch(JSON.stringify(released), /"plan\.respond"/);
    const release = (await dsrCase(caseId)).review!.release!;

    // The person opens the link with no Teams account and no sign-in.
    await settlePlan(caseId);
    // Once nothing is open, the review card offers the response: the next thing to do.
    const ready = invokeCard(await flow.press(adele, 'review.show', caseId));
    assert.match(JSON.stringify(ready), /"verb":"plan\.respond"/);
    const letter = cardText(invokeCard(await flow.press(adele, 'plan.respond', caseId)));
    const link = /https?:\/\/[^\s"<]+\/subject-package\/[A-Za-z0-9-]+\/[A-Za-z0-9_-]{43}/.exec(letter)?.[0];
    assert.ok(link, `the response letter carries the link: ${letter}`);
    assert.ok(link.endsWith(release.token));
    const download = await fetch(link);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/zip');
    const zip = await readZip(Buffer.from(await download.arrayBuffer()));
    const content = [...zip.values()].map((b) => b.toString('utf8')).join('\n');
    assert.match(content, /maria\.garcia@example\.org/);
    assert.match(content, /her account manager \[redacted\] agreed/);
    assert.doesNotMatch(content, new RegExp(COLLEAGUE));
    assert.doesNotMatch(content, new RegExp(withheldSubject));
    assert.match(content, /1 record withheld on these grounds: The rights and freedoms of others/);

    // The letter states the review in general terms: how many, which ground; never which or what.
    assert.match(letter, /Records withheld from your copy: 1/);
    assert.match(letter, /the rights and freedoms of other people \(GDPR Art\. 15\(4\)\)/);
    assert.match(letter, /Records in which we removed passages about other people: 1/);
    assert.doesNotMatch(letter, new RegExp(`${COLLEAGUE}|${withheldSubject}|neighbour`));
    const expires = new Date(release.expiresAt);
    assert.equal(Math.round((expires.getTime() - clock.now().getTime()) / DAY_MS), 14, 'open for 14 days');

    // Sent through the mailbox with the small package attached.
    assert.match(await card(adele, 'letter.send', caseId, { letter: 'response' }), /Response sent and recorded/);
    const [sent] = await sentItems();
    assert.equal(sent?.hasAttachments, true, 'a package under 3 MB goes with the mail');
    assert.match(sent.body.content, /subject-package/);

    // The trail: every decision by record id, field name and ground; every download; no personal data.
    const trail: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) trail.push(event);
    const applied = (action: string) => trail.filter((e) => e.action === action && e.outcome === 'applied');
    assert.deepEqual(applied('excludeRecord')[0]!.detail, {
      recordId: email.recordId,
      ground: 'rights-of-others',
      noteLength: 'About her neighbour’s order'.length,
    });
    assert.equal(applied('redactField')[0]!.detail.field, 'notetext');
    assert.deepEqual(applied('submitReview').at(-1)!.detail.excluded, [`${email.recordId}:rights-of-others`]);
    assert.deepEqual(applied('submitReview').at(-1)!.detail.redacted, [`${note.recordId}:notetext`]);
    assert.equal(applied('approveReview').at(-1)!.actorId, adele.aadObjectId);
    assert.equal(applied('subjectDownload').length, 1);
    assert.equal(applied('subjectDownload')[0]!.actorId, 'data-subject');
    const refusedApproval = trail.find((e) => e.action === 'approveReview' && e.outcome === 'refused');
    assert.ok(refusedApproval, 'the reviewer’s own approval is refused and audited');
    const everything = JSON.stringify(trail);
    for (const personal of [COLLEAGUE, 'Maria', maria.email, withheldSubject, 'neighbour', release.token]) {
      assert.ok(!everything.includes(personal), `the trail holds no ${personal}`);
    }

    // The link stops at its expiry and says so; the refusal is audited too.
    offsetMs = 15 * DAY_MS;
    const expired = await fetch(link);
    assert.equal(expired.status, 410);
    assert.match(await expired.text(), /This link expired on/);
    const wrong = await fetch(link.replace(/.{4}$/, 'AAAA'));
    assert.equal(wrong.status, 404);
    const refusals = [];
    for await (const event of bot.app.store.auditEvents(caseId))
      if (event.action === 'subjectDownloadRefused') refusals.push(event.detail.why);
    assert.deepEqual(refusals, ['expired', 'unknown']);
  });

  it('sends a package too large for the mail by its link alone, and a revoked link opens nothing', async function () {
    this.timeout(120_000);
    bot = await startSandboxBot(sandbox, FAST_RETRY, { clock, mailbox: MAILBOX, attachMaxBytes: 100 });
    const { caseId } = await packaged();
    await settlePlan(caseId);
    const early = cardText(invokeCard(await flow.press(adele, 'plan.respond', caseId)));
    assert.match(early, /Release the reviewed package first/);
    assert.doesNotMatch(early, /subject-package/);
    // Neither sending nor marking the response sent answers the case while the package waits.
    const version = (await dsrCase(caseId)).version;
    assert.match(
      await card(adele, 'letter.send', caseId, { letter: 'response', version }),
      /Release the reviewed package first/,
    );
    assert.match(
      await card(adele, 'letter.markSent', caseId, { letter: 'response', version, channel: 'post' }),
      /Release the reviewed package first/,
    );
    assert.equal((await sentItems()).length, 0, 'nothing left the mailbox');
    assert.equal((await dsrCase(caseId)).status, 'actions');
    assert.match(await card(megan, 'review.submit', caseId), /another privacy officer approves it/);
    const hash = (await dsrCase(caseId)).review!.submitted!.hash;
    assert.match(await card(adele, 'review.approve', caseId, { hash }), /Approved/);
    assert.match(await card(megan, 'review.release', caseId), /Released/);
    const letter = cardText(invokeCard(await flow.press(adele, 'plan.respond', caseId)));
    assert.doesNotMatch(letter, /Records withheld|removed passages/, 'nothing withheld, nothing said');
    assert.match(await card(adele, 'letter.send', caseId, { letter: 'response' }), /Response sent and recorded/);
    const [sent] = await sentItems();
    assert.equal(sent?.hasAttachments, false, 'too large for the mail: the link alone');
    const link = /https?:\/\/[^\s"<]+\/subject-package\/[A-Za-z0-9-]+\/[A-Za-z0-9_-]{43}/.exec(sent.body.content)![0];
    assert.equal((await fetch(link)).status, 200);

    // The team takes the link back, also after the response went out.
    assert.match(await card(megan, 'review.revoke', caseId), /revoked/);
    const revoked = await fetch(link);
    assert.equal(revoked.status, 410);
    assert.match(await revoked.text(), /withdrawn/);
  });
});

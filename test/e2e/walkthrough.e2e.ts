import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { chromium, type BrowserContext } from 'playwright-core';
import { loadConfig } from '../../bot/config.js';
import { startLocalRun, type LocalRun } from '../../scripts/localRun.js';
import {
  employeeView,
  PRIVACY_CHANNEL_NAME,
  PRIVACY_TEAM_NAME,
  privacyTeamView,
} from '../../scripts/playgroundViews.js';
import { SCREENSHOTS, TeamsPage } from './teamsPage.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const CASE_ID = /DSR-\d{4}-\d{4}/;

/**
 * The walkthrough in a real browser: Alex files requests in his 1:1 chat, Megan chooses the
 * privacy channel and decides there, each in their own Playground tab against one bot.
 */
describe('the walkthrough in the Teams Playground', function () {
  let dir: string;
  let run: LocalRun;
  let browser: BrowserContext;
  let alex: TeamsPage;
  let megan: TeamsPage;
  let firstCase = '';
  let secondCase = '';

  before(async function () {
    assert.ok(
      existsSync(CHROMIUM),
      `Chromium is needed at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
    );
    await rm(SCREENSHOTS, { recursive: true, force: true });
    dir = await mkdtemp(join(tmpdir(), 'dsr-e2e-'));
    const config = loadConfig({ PORT: '0', DSR_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' });
    run = await startLocalRun(config, pino({ level: 'silent' }), {
      playgroundPort: 0,
      workDir: join(dir, 'playground'),
    });
    const urlOf = (key: string) => run.playgrounds.find((playground) => playground.view.key === key)!.url;
    browser = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 1000 },
    });
    browser.setDefaultTimeout(30_000);
    alex = new TeamsPage(await browser.newPage(), urlOf(employeeView.key));
    megan = new TeamsPage(await browser.newPage(), urlOf(privacyTeamView.key));
  });

  after(async () => {
    await browser?.close();
    await run?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('Alex asks for a new request in his 1:1 chat and gets the intake form', async () => {
    await alex.open();
    await alex.waitForWelcome();
    await alex.say('new request');
    const form = alex.card('New data subject request');
    await form.getByRole('button', { name: 'Submit request' }).waitFor();
    await form.getByLabel('Full name').fill('Maria Garcia');
    await form.getByLabel('Email addresses').fill('maria.garcia@example.org');
    await form.getByRole('checkbox', { name: 'Access (a copy of their data)' }).check();
    await form.getByRole('checkbox', { name: 'Delete (erasure)' }).check();
    assert.equal(await form.getByLabel('Full name').inputValue(), 'Maria Garcia');
    await alex.screenshot('01-employee-intake-form', form.getByRole('button', { name: 'Submit request' }));
  });

  it('submits it and sees the case recorded with its id and due date', async () => {
    await alex.card('New data subject request').getByRole('button', { name: 'Submit request' }).click();
    const recorded = alex.card(/Request recorded: DSR-/);
    await recorded.waitFor();
    const text = await recorded.innerText();
    firstCase = CASE_ID.exec(text)?.[0] ?? '';
    assert.ok(firstCase, text);
    assert.match(text, /Maria Garcia/);
    assert.match(text, /Due/);
    await alex.screenshot('02-employee-case-recorded', recorded);
  });

  it('Megan chooses the privacy channel and the waiting case arrives there', async () => {
    await megan.open();
    await megan.waitForWelcome();
    await megan.openChannel(PRIVACY_TEAM_NAME, PRIVACY_CHANNEL_NAME);
    await megan.postMentioning(privacyTeamView.config.bot.name, 'use this channel');
    await megan.page.getByText('This channel now receives every new data subject request').waitFor();
    const triage = megan.card(`New request ${firstCase}`);
    await triage.waitFor();
    assert.match(await triage.innerText(), /Maria Garcia/);
    await megan.screenshot('03-privacy-channel-chosen', triage);
  });

  it('a request Alex files now arrives in the channel as its own thread', async () => {
    await alex.say('new request');
    const form = alex.card('New data subject request');
    await form.getByRole('button', { name: 'Submit request' }).waitFor();
    await form.getByLabel('Full name').fill("Sean O'Brien");
    await form.getByLabel('Email addresses').fill('sean.obrien@example.org');
    await form.getByRole('checkbox', { name: 'Access (a copy of their data)' }).check();
    await form.getByRole('button', { name: 'Submit request' }).click();
    const recorded = alex.card(/Request recorded: DSR-.*O'Brien/s);
    await recorded.waitFor();
    secondCase = CASE_ID.exec(await recorded.innerText())?.[0] ?? '';
    assert.ok(secondCase && secondCase !== firstCase, secondCase);

    const triage = megan.card(`New request ${secondCase}`);
    await triage.waitFor();
    assert.match(await triage.innerText(), /Sean O'Brien/);
    assert.match(await triage.innerText(), /Not verified yet/);
    await megan.screenshot('04-privacy-new-case-arrives', triage);
  });

  it('Megan marks the identity verified', async () => {
    const triage = megan.card(`New request ${secondCase}`);
    await triage.getByRole('button', { name: 'Identity verified' }).click();
    await triage.getByText('Identity marked as verified.').waitFor();
    assert.match(await triage.innerText(), /Verified by Megan Bowen/);
    await megan.screenshot('05-privacy-identity-verified', triage);
  });

  it('ticks the checklist and approves; the card says so', async () => {
    const triage = megan.card(`New request ${secondCase}`);
    const checks = triage.getByRole('checkbox');
    const count = await checks.count();
    assert.ok(count >= 3, `checklist of ${count}`);
    for (let index = 0; index < count; index++) await checks.nth(index).check();
    await megan.screenshot('06-privacy-checklist-ticked', triage);
    await triage.getByRole('button', { name: 'Approve' }).click();
    await triage.getByText('Approved. The requester has been told.').waitFor();
    assert.match(await triage.innerText(), /Approved by Megan Bowen/);
    await megan.screenshot('07-privacy-approved', triage);
  });

  it('Alex hears in his 1:1 chat that the case was approved', async () => {
    // The chat list previews the same text; the message itself is a paragraph in the conversation.
    const note = alex.page
      .getByRole('paragraph')
      .filter({ hasText: new RegExp(`${secondCase}.*was approved by the privacy team`) });
    await note.waitFor();
    await alex.screenshot('08-employee-told-approved', note);
  });
});

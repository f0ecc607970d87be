import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { playgroundCli } from '../../local/playground.js';

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

describe('npm start without an App ID', function () {
  this.timeout(60_000);
  let dataDir: string;

  before(function () {
    if (!playgroundCli()) this.skip();
  });
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dsr-start-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where to open the three views, and Ctrl-C stops the bot and every Playground', async () => {
    const child = spawn(process.execPath, ['dist/scripts/start.js'], {
      env: { ...process.env, PORT: '0', DSR_PLAYGROUND_PORT: '0', DSR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    await Promise.race([
      new Promise<void>((done) => {
        const timer = setInterval(() => {
          if (/Stop everything with Ctrl-C/.test(output)) {
            clearInterval(timer);
            done();
          }
        }, 50);
      }),
      exited.then((code) => assert.fail(`npm start ended with ${code}: ${output}`)),
    ]);

    const employee = /Employee view \(Alex Wilber\)\s+(http:\/\/localhost:\d+)/.exec(output)?.[1];
    const privacy = /Privacy team view \(Megan Bowen\)\s+(http:\/\/localhost:\d+)/.exec(output)?.[1];
    const second = /Second privacy officer \(Adele Vance\)\s+(http:\/\/localhost:\d+)/.exec(output)?.[1];
    assert.match(output, /Adele Vance approves the steps Megan Bowen previews/);
    const bot = /The bot: (http:\/\/localhost:\d+)\/api\/messages/.exec(output)?.[1];
    assert.ok(employee && privacy && second && bot, output);
    assert.equal(new Set([employee, privacy, second]).size, 3);
    assert.equal((await fetch(employee)).status, 200);
    assert.equal((await fetch(privacy)).status, 200);
    assert.equal((await fetch(second)).status, 200);
    assert.equal((await fetch(`${bot}/healthz`)).status, 200);
    const dashboard = /Privacy dashboard .*\s+(http:\/\/localhost:\d+\/dashboard)/.exec(output)?.[1];
    assert.equal(dashboard, `${bot}/dashboard`, output);
    assert.equal((await fetch(dashboard)).status, 200);

    child.kill('SIGINT');
    assert.equal(await exited, 0, output);
    assert.equal(await answers(employee), false, 'the employee view still answers');
    assert.equal(await answers(privacy), false, 'the privacy team view still answers');
    assert.equal(await answers(second), false, 'the second officer view still answers');
    assert.equal(await answers(`${bot}/healthz`), false, 'the bot still answers');
  });
});

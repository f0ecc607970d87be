import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { MAX_ACTIVITY_BYTES } from '../../teams/inboundActivity.js';
import { BotProcess } from '../support/botProcess.js';
import { alex } from '../support/people.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';

interface Answer {
  status: number;
  body: string;
}

/** One raw HTTP request, headers exactly as given, so nothing smooths over what an attacker sends. */
function send(port: number, headers: Record<string, string | number>, body: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/messages', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    // The server may answer and close before the whole body is sent; that is the point.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    req.end(body);
  });
}

async function health(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  await response.text();
  return response.status;
}

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function activity(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9',
    from: { id: alex.id, name: alex.name, aadObjectId: alex.aadObjectId },
    recipient: { id: '28:bot' },
    conversation: { id: 'personal-hostile', conversationType: 'personal' },
    text: 'help',
    ...extra,
  };
}

const JSON_TYPE = { 'content-type': 'application/json' };
// About 250 KB of gzip that inflates to 256 MB.
let bomb: Buffer | undefined;
const compressionBomb = () => (bomb ??= gzipSync(Buffer.alloc(256 * 1024 * 1024, 0), { level: 9 }));

for (const mode of ['without authentication', 'with an App ID'] as const) {
  describe(`hostile and faulty requests to /api/messages, ${mode}`, function () {
    this.timeout(60_000);
    let dataDir: string;
    let bot: BotProcess;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'dsr-hostile-'));
      bot = new BotProcess({
        DSR_DATA_DIR: dataDir,
        DSR_PLAYGROUND: 'off',
        ...(mode === 'with an App ID'
          ? {
              MicrosoftAppId: '6a1c7a9e-8d3b-4c1f-9f0a-2b7e5d4c3a21',
              MicrosoftAppPassword: 'not-used',
              DSR_CASE_RETENTION_DAYS: '365',
              DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
              DSR_AUDIT_KEY: 'audit-key-for-tests-0123456789abcdef',
              DSR_HOST: '127.0.0.1',
              DSR_SERVICE_URLS: 'http://127.0.0.1:9',
            }
          : {}),
      });
      await bot.start();
    });
    after(async () => {
      await bot.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    afterEach(async () => {
      assert.ok(bot.alive, 'the bot process ended');
      assert.equal(await health(bot.port), 200);
    });

    const body = Buffer.from(JSON.stringify(activity()));
    for (const [encoding, compressed] of [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['br', brotliCompressSync(body)],
      ['gzip', Buffer.from('this is not gzip at all')],
    ] as const) {
      it(`refuses a ${encoding} body with 415 and reads none of it`, async () => {
        const answer = await send(bot.port, { ...JSON_TYPE, 'content-encoding': encoding }, compressed);
        assert.equal(answer.status, 415);
        assert.match(answer.body, /compressed request bodies are not accepted/);
      });
    }

    it('stays at its memory and keeps answering under a stream of compression bombs', async () => {
      const bomb = compressionBomb();
      for (let i = 0; i < 3; i += 1) await send(bot.port, { ...JSON_TYPE, 'content-encoding': 'gzip' }, bomb);
      const before = await residentBytes(bot.pid!);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => send(bot.port, { ...JSON_TYPE, 'content-encoding': 'gzip' }, bomb)),
      );
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([415]));
      assert.equal(await health(bot.port), 200);
      const after = await residentBytes(bot.pid!);
      assert.ok(after - before < 64 * 1024 * 1024, `resident memory grew by ${after - before} bytes`);
    });

    it('refuses a body over the limit with 413, by its declared length or as it streams', async () => {
      const big = JSON.stringify(activity({ text: 'x'.repeat(MAX_ACTIVITY_BYTES) }));
      const declared = await send(bot.port, JSON_TYPE, big);
      assert.equal(declared.status, 413);
      const streamed = await send(bot.port, { ...JSON_TYPE, 'transfer-encoding': 'chunked' }, big);
      assert.equal(streamed.status, 413);
    });

    it('answers a body that is not what its headers say with 400', async () => {
      assert.equal((await send(bot.port, JSON_TYPE, '{"type": "message", ')).status, 400);
      assert.equal((await send(bot.port, JSON_TYPE, '[1, 2, 3]')).status, 400);
      assert.equal((await send(bot.port, { 'content-type': 'application/json; charset=latin1' }, body)).status, 400);
      assert.equal((await send(bot.port, JSON_TYPE, Buffer.from([0xff, 0xfe, 0x7b]))).status, 400);
    });

    it('answers a body shorter than its Content-Length with 400 once the sender stops', async () => {
      const status = await new Promise<string>((resolve) => {
        const socket = connect(bot.port, '127.0.0.1', () => {
          socket.write(
            `POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"type":`,
          );
          socket.end();
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
        socket.on('error', () => resolve(text.split('\r\n')[0] ?? ''));
      });
      // The server either answers 400 or closes the half-sent request; it never waits or fails.
      assert.ok(status === '' || /^HTTP\/1\.1 400/.test(status), status);
    });

    const malformed: Array<[string, unknown, RegExp]> = [
      ['no type', { ...activity(), type: undefined }, /type is missing/],
      ['an empty type', activity({ type: '' }), /type is not valid/],
      ['no conversation', { ...activity(), conversation: undefined }, /conversation is missing/],
      ['a conversation without id', activity({ conversation: { conversationType: 'personal' } }), /conversation\.id/],
      ['no sender', { ...activity(), from: undefined }, /from is missing/],
      ['a sender that is a string', activity({ from: 'alex' }), /from is not valid/],
      ['no service URL', { ...activity(), serviceUrl: undefined }, /serviceUrl is missing/],
      ['a service URL of another host', activity({ serviceUrl: 'https://attacker.example/' }), /serviceUrl/],
      ['a service URL that is no URL', activity({ serviceUrl: 'javascript:alert(1)' }), /serviceUrl/],
      ['a service URL with credentials', activity({ serviceUrl: 'http://user:pw@127.0.0.1:9/' }), /serviceUrl/],
    ];
    for (const [what, value, reason] of malformed) {
      it(`answers an activity with ${what} with 400 and a reason`, async () => {
        const answer = await send(bot.port, JSON_TYPE, JSON.stringify(value));
        assert.equal(answer.status, 400, answer.body);
        assert.match(answer.body, reason);
      });
    }

    it('answers a wrong content type with 400 and a reason', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const answer = await send(bot.port, { 'content-type': type }, body);
        assert.equal(answer.status, 400);
        assert.match(answer.body, /application\/json/);
      }
      const none = await send(bot.port, {}, body);
      assert.equal(none.status, 400);
    });

    it('answers an activity nested thousands of levels deep with 400', async () => {
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      const answer = await send(bot.port, JSON_TYPE, JSON.stringify(activity({ value: '__' })).replace('"__"', deep));
      assert.equal(answer.status, 400);
      assert.match(answer.body, /nests deeper/);
    });
  });
}

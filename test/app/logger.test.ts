import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, safeError } from '../../app/logger.js';
import { BotHarness } from '../support/botHarness.js';
import { alex } from '../support/people.js';

const NAME = 'Maria Garcia';
const EMAIL = 'maria.garcia@example.org';
const PHONE = '+49 170 1234567';

/** A logger writing into memory, as the bot's own logger writes to standard output. */
function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger('debug', stream), lines };
}

describe('the log', () => {
  it('keeps type, message, code and stack of an error and nothing else it carries', () => {
    const cause = Object.assign(new Error(`lookup of ${EMAIL} failed`), { code: 'ENOTFOUND', subject: NAME });
    const error = Object.assign(new Error('turn failed', { cause }), {
      code: 'E_TURN',
      dialogContext: { stack: [{ state: { options: { emails: [EMAIL] }, name: NAME } }] },
      request: { body: `{"name":"${NAME}","phone":"${PHONE}"}` },
    });
    const safe = safeError(error);
    assert.deepEqual(Object.keys(safe).sort(), ['cause', 'code', 'message', 'stack', 'type']);
    assert.equal(safe.cause?.code, 'ENOTFOUND');
    const text = JSON.stringify(safe);
    for (const personal of [NAME, EMAIL, PHONE, '1234567']) assert.ok(!text.includes(personal), personal);
  });

  it('finds no name, email or phone of a subject after a turn fails with them in its state and error', async () => {
    const { log, lines } = capturedLog();
    const bot = await new BotHarness({}, {}, log).start();
    try {
      let failed = false;
      // Teams refuses the intake card the dialog sends; its answer quotes the person, and the
      // SDK's error carries the request (the card with the email) and the dialog's state.
      bot.connector.respondWith((call) => {
        if (failed || !call.path.includes('/activities')) return undefined;
        failed = true;
        return { status: 500, body: { error: { code: 'BadSyntax', message: `${NAME} ${PHONE} ${EMAIL}` } } };
      });
      const replies = await bot.say(alex, `new request ${EMAIL}`);
      assert.ok(failed, 'the connector did not fail the reply');
      assert.match(JSON.stringify(replies), /Something went wrong on my side/);
      const failure = lines.find((line) => line.includes('turn failed'));
      assert.ok(failure, `no "turn failed" line in ${lines.length} lines`);
      assert.match(failure, /"type":"/);
      const everything = lines.join('\n');
      for (const personal of [NAME, 'Maria', EMAIL, 'maria.garcia', PHONE, '1234567']) {
        assert.ok(!everything.includes(personal), `the log holds ${personal}`);
      }
    } finally {
      await bot.stop();
    }
  });
});

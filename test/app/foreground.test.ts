import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Foreground } from '../../app/foreground.js';

/** Whether the promise has settled after the event loop has gone round a few times. */
async function settles(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let i = 0; i < 5; i += 1) await nextTurn();
  return settled;
}

const A_DAY = 86_400_000;

describe('background work giving way to the requests being answered', () => {
  it('goes on while no request is being answered', async () => {
    const foreground = new Foreground(0, A_DAY);
    assert.equal(await settles(foreground.giveWay()), true);
  });

  it('waits while a request is being answered, and goes on once its answer is sent', async () => {
    const foreground = new Foreground(0, A_DAY);
    const probe = new EventEmitter();
    const turn = new EventEmitter();
    foreground.track(probe);
    foreground.track(turn);
    const slice = foreground.giveWay();
    assert.equal(await settles(slice), false);
    probe.emit('close');
    assert.equal(await settles(slice), false, 'one request is still being answered');
    turn.emit('close');
    assert.equal(await settles(slice), true);
  });

  it('waits for a quiet moment after the server begins to listen and after each answer', async () => {
    const foreground = new Foreground(A_DAY, A_DAY);
    foreground.listening();
    assert.equal(await settles(foreground.giveWay()), false);
  });

  it('takes its slice anyway when the server is busy for longer than it waits', async () => {
    const foreground = new Foreground(0, 1);
    foreground.track(new EventEmitter());
    await foreground.giveWay();
  });
});

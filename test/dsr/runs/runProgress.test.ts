import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ProgressPace, tellProgress, ThrottledProgress } from '../../../dsr/runs/runProgress.js';

describe('run progress', () => {
  it('reports after so many records, or sooner when so much time passed', () => {
    let now = 0;
    const pace = new ProgressPace({ records: 3, ms: 1_000 }, () => now);
    const due = () => pace.recordDone();
    assert.deepEqual([due(), due(), due(), due(), due(), due()], [false, false, true, false, false, true]);
    assert.equal(due(), false);
    now = 1_000;
    assert.equal(due(), true, 'a slow record still shows the run moving');
    now = 1_500;
    assert.equal(due(), false, 'the time counts from the last report');
  });

  it('tells of progress, and a report that cannot be shown never stops the run', async () => {
    const told: number[] = [];
    await tellProgress((n: number) => void told.push(n), 1);
    await tellProgress(() => Promise.reject(new Error('the card could not be updated')), 2);
    await tellProgress(() => {
      throw new Error('the card could not be updated');
    }, 3);
    await tellProgress(undefined, 4);
    assert.deepEqual(told, [1]);
  });

  describe('told no more often than its pace', () => {
    let time: sinon.SinonFakeTimers;
    beforeEach(() => {
      time = sinon.useFakeTimers({ now: 0, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    });
    afterEach(() => time.restore());

    it('holds a burst back until its time and then tells the latest of it', async () => {
      const told: Array<{ done: number; at: number }> = [];
      const paced = new ThrottledProgress((done: number) => void told.push({ done, at: Date.now() }), 2_000);
      // Three systems written in a moment, right after the card was shown.
      await time.tickAsync(100);
      await paced.tell(1);
      await paced.tell(2);
      await paced.tell(3);
      assert.equal(told.length, 0);
      await time.tickAsync(1_900);
      assert.deepEqual(told, [{ done: 3, at: 2_000 }]);
      // A slow system: told at once, its time having come.
      await time.tickAsync(5_000);
      await paced.tell(4);
      assert.deepEqual(told.at(-1), { done: 4, at: 7_000 });
      await paced.tell(5);
      await time.tickAsync(1_999);
      assert.equal(told.length, 2);
      await time.tickAsync(1);
      assert.deepEqual(told.at(-1), { done: 5, at: 9_000 });
      const gaps = told.slice(1).map((t, i) => t.at - told[i]!.at);
      assert.ok(
        gaps.every((gap) => gap >= 2_000),
        `gaps ${gaps.join(', ')}`,
      );
    });

    it('tells nothing more once the run ended', async () => {
      const told: number[] = [];
      const paced = new ThrottledProgress((done: number) => void told.push(done), 2_000);
      await paced.tell(1);
      paced.end();
      await paced.tell(2);
      await time.tickAsync(10_000);
      assert.deepEqual(told, [], 'what waited is dropped: the end is shown instead');
    });
  });
});

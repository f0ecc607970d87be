import assert from 'node:assert/strict';
import { ProgressPace, tellProgress } from '../../../dsr/runs/runProgress.js';

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
});

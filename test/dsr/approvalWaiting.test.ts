import assert from 'node:assert/strict';
import { possibleApprovers, waitingState } from '../../dsr/approvalWaiting.js';
import type { DsrCase } from '../../dsr/case.js';
import type { PackageReview } from '../../dsr/packageReview.js';
import { sampleCase } from '../support/cases.js';

const HASH = 'a'.repeat(64);
const team = [
  { id: 'megan', name: 'Megan Bowen' },
  { id: 'adele', name: 'Adele Vance' },
  { id: 'isaiah', name: 'Isaiah Langer' },
];

function reviewed(review: Partial<PackageReview>): DsrCase {
  return sampleCase({
    review: {
      snapshotId: 's1',
      builtAt: '2026-03-10T08:00:00Z',
      records: 3,
      exclusions: [],
      redactions: [],
      reviewerIds: ['megan', 'adele'],
      submitted: { at: '2026-03-10T09:00:00Z', byId: 'megan', hash: HASH },
      ...review,
    },
  });
}

describe('what waits for a second privacy officer', () => {
  it('asks only those who may approve a reviewed package: nobody who changed its review', () => {
    const asked = possibleApprovers(reviewed({}), { kind: 'review', hash: HASH }, team);
    assert.deepEqual(
      asked.map((m) => m.name),
      ['Isaiah Langer'],
    );
  });

  it('asks nobody once it was approved, or when a newer review replaced it', () => {
    const approved = reviewed({ approval: { at: '2026-03-10T10:00:00Z', byId: 'isaiah', hash: HASH } });
    assert.deepEqual(possibleApprovers(approved, { kind: 'review', hash: HASH }, team), []);
    assert.deepEqual(waitingState(approved, { kind: 'review', hash: HASH }), {
      kind: 'approved',
      byId: 'megan',
      approvedById: 'isaiah',
    });
    assert.deepEqual(waitingState(reviewed({}), { kind: 'review', hash: 'b'.repeat(64) }), { kind: 'replaced' });
  });
});

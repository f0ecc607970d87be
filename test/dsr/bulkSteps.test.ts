import assert from 'node:assert/strict';
import {
  applicableSteps,
  approvableSteps,
  bulkApprovalRefusal,
  mayApproveStep,
  parsePreviewToken,
  previewToken,
} from '../../dsr/bulkSteps.js';
import type { DsrCase } from '../../dsr/case.js';
import { changePreviewCard } from '../../cards/changeStepCard.js';
import type { PlanStep } from '../../dsr/plan.js';
import { sampleCase } from '../support/cases.js';

const MEGAN = 'megan-id';
const ADELE = 'adele-id';
const hash = (n: number) => String(n).repeat(64).slice(0, 64);

function step(id: string, state: PlanStep['state'], extra: Partial<PlanStep> = {}): PlanStep {
  return {
    id,
    right: 'delete',
    systemId: id.split(':')[1] ?? 'all',
    systemName: id,
    mode: 'automated',
    title: `Delete in ${id}`,
    instructions: [],
    destructive: true,
    state,
    updatedAt: '2026-03-05T09:00:00.000Z',
    ...extra,
  };
}

const preview = (n: number, byId = MEGAN, right: 'delete' | 'restrict' = 'delete') =>
  ({
    hash: hash(n),
    byId,
    request: right === 'delete' ? { right } : { right, mode: 'isolate' },
  }) as unknown as PlanStep['preview'];

function withSteps(...steps: PlanStep[]): DsrCase {
  return { ...sampleCase(), plan: { createdAt: '2026-03-05T09:00:00.000Z', steps } };
}

describe('approving and applying several change steps at once', () => {
  it("shows Approve on a step's cards only to whom the domain lets approve it", () => {
    const shown = {
      ...preview(1),
      at: '2026-03-05T09:00:00.000Z',
      findingsHash: hash(9),
      targetCount: 1,
      counts: { contact: 1 },
      samples: [],
      retained: [],
      retainedCount: 0,
      guided: [],
    } as PlanStep['preview'];
    const dsrCase = withSteps(step('delete:crm', 'waiting-approval', { preview: shown }));
    const waiting = dsrCase.plan!.steps[0]!;
    const approves = (viewerId?: string) =>
      JSON.stringify(changePreviewCard(dsrCase, waiting, undefined, { viewerId })).includes('"verb":"plan.approve"');
    assert.equal(mayApproveStep(dsrCase, waiting, ADELE), true);
    assert.equal(approves(ADELE), true);
    assert.equal(approves(MEGAN), false, 'who made the preview');
    assert.equal(mayApproveStep(dsrCase, waiting, dsrCase.requester.id), false);
    assert.equal(approves(dsrCase.requester.id), false, 'who filed the request');
  });

  it('offers for approval only the waiting previews someone else made, and none on a request the reader filed', () => {
    const dsrCase = withSteps(
      step('delete:crm', 'waiting-approval', { preview: preview(1) }),
      step('delete:bc', 'waiting-approval', { preview: preview(2, ADELE) }),
      step('delete:fo', 'waiting-approval'),
      step('package', 'todo', { destructive: false }),
    );
    assert.deepEqual(
      approvableSteps(dsrCase, ADELE).map((s) => s.id),
      ['delete:crm'],
    );
    assert.deepEqual(
      approvableSteps(dsrCase, MEGAN).map((s) => s.id),
      ['delete:bc'],
    );
    assert.deepEqual(
      approvableSteps(dsrCase).map((s) => s.id),
      ['delete:crm', 'delete:bc'],
    );
    assert.deepEqual(approvableSteps(dsrCase, dsrCase.requester.id).length, 0);
  });

  it('says why one requested approval is refused before the case is asked', () => {
    const dsrCase = withSteps(
      step('delete:crm', 'waiting-approval', { preview: preview(1) }),
      step('delete:bc', 'todo', { preview: preview(2) }),
    );
    const ask = (stepId: string, n: number, actor: string) =>
      bulkApprovalRefusal(dsrCase, { stepId, previewHash: hash(n) }, actor);
    assert.equal(ask('delete:crm', 1, ADELE), undefined);
    assert.equal(ask('delete:crm', 3, ADELE), 'newerPreview');
    assert.equal(ask('delete:crm', 1, MEGAN), 'ownPreview');
    assert.equal(ask('delete:crm', 1, dsrCase.requester.id), 'ownRequest');
    assert.equal(ask('delete:bc', 2, ADELE), 'notWaiting');
    assert.equal(ask('package', 1, ADELE), 'unknown');
  });

  it('starts together only steps approved on their current preview, and leaves an isolation to its own Apply', () => {
    const approval = (n: number) => ({ at: '2026-03-05T10:00:00.000Z', byId: ADELE, previewHash: hash(n) });
    const dsrCase = withSteps(
      step('delete:crm', 'todo', { preview: preview(1), approval: approval(1) }),
      step('delete:bc', 'todo', { preview: preview(2), approval: approval(9) }),
      step('restrict:fo', 'todo', { preview: preview(3, MEGAN, 'restrict'), approval: approval(3) }),
      step('delete:hr', 'done', { preview: preview(4), approval: approval(4) }),
    );
    assert.deepEqual(
      applicableSteps(dsrCase).map((s) => s.id),
      ['delete:crm'],
    );
  });

  it('reads back only the tokens a card of ours writes', () => {
    const request = { stepId: 'delete:crm', previewHash: hash(5) };
    assert.deepEqual(parsePreviewToken(previewToken(request)), request);
    for (const bad of ['delete:crm', `delete:crm#${hash(5)}x`, `#${hash(5)}`, 42, `a#b#${hash(5)}`, `x\n#${hash(5)}`])
      assert.equal(parsePreviewToken(bad), undefined, String(bad));
  });
});

import assert from 'node:assert/strict';
import type { ConnectorInfo, SystemFindings } from '../../dsr/discovery.js';
import { buildPlan, previewHash, remainingSteps } from '../../dsr/plan.js';
import { applyPlanAction } from '../../dsr/planActions.js';
import { sampleCase } from '../support/cases.js';

const now = new Date('2026-03-05T10:00:00Z');
const megan = { id: 'megan', name: 'Megan' };
const api = (id: string, displayName: string): ConnectorInfo => ({
  id,
  displayName,
  capabilities: ['find', 'export', 'rectify', 'restrict', 'delete'],
  manualSteps: {},
});
const manual = (id: string, displayName: string): ConnectorInfo => ({
  id,
  displayName,
  capabilities: [],
  manualSteps: { find: [{ text: 'Search by hand.', link: { title: 'Guide', url: 'https://learn.example/x' } }] },
});
const found = (systemId: string, n: number): SystemFindings => ({
  systemId,
  displayName: systemId,
  status: n > 0 ? 'found' : 'nothing',
  counts: n > 0 ? { contact: n } : {},
  records: n > 0 ? [{ kind: 'contact', id: `${systemId}-1`, fields: {} }] : [],
  queries: [],
  at: now.toISOString(),
  durationMs: 1,
});
const systems = [api('crm', 'CE'), api('bc', 'BC'), manual('social', 'Social'), manual('logs', 'Logs')];
const dsrCase = sampleCase({
  status: 'actions',
  requestTypes: ['access', 'delete', 'rectify'],
  findings: {
    query: { names: [], emails: [], phones: [], customerNumbers: [], employeeIds: [] },
    systems: [found('crm', 3), found('bc', 0)],
    updatedAt: now.toISOString(),
  },
});

describe('the plan of a case', () => {
  const plan = buildPlan(dsrCase, systems, new Set(['crm', 'bc']), now);
  const step = (id: string) => plan.steps.find((s) => s.id === id);

  it('packages the connected systems with data, and guides the rest by hand', () => {
    assert.equal(step('package')?.state, 'todo');
    assert.equal(step('package')?.systemName, 'CE');
    assert.equal(step('access:crm'), undefined);
    assert.equal(step('access:bc')?.state, 'not-applicable');
    assert.equal(step('access:social')?.mode, 'guided');
    assert.match(step('access:logs')!.instructions[0]!.link!.url, /servicetrust/);
  });

  it('lists destructive steps as waiting for approval, and says why logs are not rectified', () => {
    assert.equal(step('delete:crm')?.state, 'waiting-approval');
    assert.equal(step('rectify:crm')?.state, 'waiting-approval');
    assert.equal(step('rectify:logs')?.state, 'not-applicable');
    assert.match(step('rectify:logs')!.reason!, /not supported/);
    assert.equal(step('delete:logs')?.mode, 'guided');
  });

  it('voids an approval when the findings changed after the preview', () => {
    const withPlan = { ...dsrCase, plan };
    const hash = previewHash(withPlan, step('delete:crm')!);
    const changed = { ...withPlan, findings: { ...withPlan.findings!, systems: [found('crm', 4)] } };
    const refused = applyPlanAction(
      changed,
      { kind: 'approveStep', stepId: 'delete:crm', previewHash: hash },
      megan,
      now,
    );
    assert.ok('invalid' in refused);
    const approved = applyPlanAction(
      withPlan,
      { kind: 'approveStep', stepId: 'delete:crm', previewHash: hash },
      megan,
      now,
    );
    assert.ok(!('invalid' in approved));
    assert.equal(approved.next.plan!.steps.find((s) => s.id === 'delete:crm')!.state, 'todo');
  });

  it('refuses to respond while steps are open, and responds once each is done or explained', () => {
    let current = { ...dsrCase, plan };
    const refused = applyPlanAction(current, { kind: 'respond' }, megan, now);
    assert.ok('invalid' in refused && /still open/.test(refused.invalid));
    current = {
      ...current,
      plan: {
        ...plan,
        steps: plan.steps.map((s) => (remainingSteps(plan).includes(s) ? { ...s, state: 'done' as const } : s)),
      },
    };
    const responded = applyPlanAction(current, { kind: 'respond' }, megan, now);
    assert.ok(!('invalid' in responded));
    assert.match(responded.next.response!.summary, /not supported/);
  });
});

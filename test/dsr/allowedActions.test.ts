import assert from 'node:assert/strict';
import type { Actor } from '../../dsr/case.js';
import { allowedActions } from '../../dsr/allowedActions.js';
import type { CaseFindings } from '../../dsr/discovery.js';
import type { CasePlan, PlanStep } from '../../dsr/plan.js';
import { sampleCase } from '../support/cases.js';

const officer: Actor = { id: 'b2e7c0de-0000-4000-8000-000000000002', name: 'Megan Bowen' };
const team = (actor: Actor) => ({ actor, privacyTeam: true });
const requester = sampleCase().requester;
const approved = {
  outcome: 'approved' as const,
  at: '2026-03-03T09:00:00.000Z',
  by: officer,
  reason: null,
  explanation: '',
};
const findings = { query: {}, systems: [], updatedAt: '2026-03-04T09:00:00.000Z' } as unknown as CaseFindings;

function step(state: PlanStep['state'], id = 'delete:crm'): PlanStep {
  return {
    id,
    right: 'delete',
    systemId: 'crm',
    systemName: 'Dynamics 365 Sales',
    mode: 'automated',
    title: 'Erase in Dynamics 365 Sales',
    instructions: [],
    destructive: true,
    state,
    updatedAt: '2026-03-05T09:00:00.000Z',
  };
}
const plan = (...steps: PlanStep[]): CasePlan => ({ createdAt: '2026-03-05T09:00:00.000Z', steps });

describe('what a person may do next on a case', () => {
  it('a new case: the officer verifies the identity first, then approves', () => {
    const fresh = allowedActions(sampleCase(), team(officer));
    assert.equal(fresh.next, 'verifyIdentity');
    assert.ok(
      fresh.actions.includes('approve') && fresh.actions.includes('decline') && fresh.actions.includes('askForProof'),
    );
    const verified = sampleCase({ identityVerified: { at: '2026-03-03T09:00:00.000Z', by: officer } });
    assert.equal(allowedActions(verified, team(officer)).next, 'approve');
    assert.ok(!allowedActions(verified, team(officer)).actions.includes('verifyIdentity'));
  });

  it('the officer who filed the request may neither approve nor decline it (four eyes)', () => {
    const verified = sampleCase({ identityVerified: { at: '2026-03-03T09:00:00.000Z', by: officer } });
    const own = allowedActions(verified, team(requester));
    assert.ok(!own.actions.includes('approve'));
    assert.ok(!own.actions.includes('decline'));
    assert.notEqual(own.next, 'approve');
  });

  it('an employee who is not on the team only refreshes their own case, and sees nothing of another', () => {
    assert.deepEqual(allowedActions(sampleCase(), { actor: requester, privacyTeam: false }), {
      actions: ['addNote', 'refresh'],
    });
    assert.deepEqual(allowedActions(sampleCase(), { actor: officer, privacyTeam: false }), { actions: [] });
  });

  it('after approval the next thing is finding the data, then the findings, then the plan', () => {
    const base = { status: 'approved', decision: approved } as const;
    assert.equal(allowedActions(sampleCase(base), team(officer)).next, 'findData');
    const found = sampleCase({ ...base, status: 'discovery', findings });
    assert.equal(allowedActions(found, team(officer)).next, 'showFindings');
    assert.ok(!allowedActions(found, team(officer)).actions.includes('findData'));
    const planned = sampleCase({ ...base, status: 'actions', findings, plan: plan(step('todo')) });
    assert.equal(allowedActions(planned, team(officer)).next, 'showPlan');
    assert.ok(!allowedActions(planned, team(officer)).actions.includes('respond'));
  });

  it('Respond comes next once every step is settled, and the closing once answered', () => {
    const done = sampleCase({ status: 'actions', decision: approved, findings, plan: plan(step('done')) });
    assert.equal(allowedActions(done, team(officer)).next, 'respond');
    const answered = sampleCase({ ...done, status: 'responded' });
    assert.equal(allowedActions(answered, team(officer)).next, 'close');
    assert.ok(allowedActions(answered, team(officer)).actions.includes('placeHold'));
    assert.equal(allowedActions(sampleCase({ ...done, status: 'closed' }), team(officer)).next, undefined);
  });

  it('a package waiting for release comes before the response', () => {
    const waiting = sampleCase({
      status: 'actions',
      decision: approved,
      findings,
      plan: plan(step('done'), { ...step('done', 'package'), id: 'package', right: 'access', destructive: false }),
    });
    const allowed = allowedActions(waiting, team(officer));
    assert.equal(allowed.next, 'reviewPackage');
    assert.ok(!allowed.actions.includes('respond'));
  });

  it('extending is offered once, while the case is open', () => {
    assert.ok(allowedActions(sampleCase(), team(officer)).actions.includes('extend'));
    const extended = sampleCase({ extension: { at: '2026-03-03T09:00:00.000Z', by: officer, reason: 'Many systems' } });
    assert.ok(!allowedActions(extended, team(officer)).actions.includes('extend'));
  });
});

import assert from 'node:assert/strict';
import { inEnglish } from '../../i18n/index.js';
import { planCard } from '../../cards/planCard.js';
import type { DsrCase } from '../../dsr/case.js';
import type { ConnectorInfo, SystemFindings } from '../../dsr/discovery.js';
import { summarisePreview } from '../../dsr/changePreview.js';
import { buildPlan, findingsHash, remainingSteps } from '../../dsr/plan.js';
import { applyPlanCaseAction } from '../../dsr/planCaseActions.js';
import { sampleCase } from '../support/cases.js';

const now = new Date('2026-03-05T10:00:00Z');
const megan = { id: 'megan', name: 'Megan' };
const adele = { id: 'adele', name: 'Adele' };
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
  records: n > 0 ? [{ kind: 'contact', id: `${systemId}-1`, fields: {}, matchedOn: ['email'] }] : [],
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

  it('binds an approval to the preview, and voids it when the findings or the preview changed', () => {
    const withPlan = { ...dsrCase, plan };
    const made = (targets: string[]) =>
      summarisePreview(
        {
          systemId: 'crm',
          request: { right: 'delete' },
          targets: targets.map((id, order) => ({ kind: 'contact', id, label: id, changes: [], order })),
          retained: [],
          guided: [],
          queries: [],
        },
        findingsHash(withPlan, step('delete:crm')!),
        megan.id,
        now,
      ).summary;
    const first = made(['crm-1']);
    const previewed = applyPlanCaseAction(
      withPlan,
      { kind: 'previewStep', stepId: 'delete:crm', preview: first },
      megan,
      now,
    );
    assert.ok(!('invalid' in previewed));
    const approve = (current: DsrCase, hash: string, by = adele) =>
      applyPlanCaseAction(current, { kind: 'approveStep', stepId: 'delete:crm', previewHash: hash }, by, now);

    const changed = { ...previewed.next, findings: { ...withPlan.findings!, systems: [found('crm', 4)] } };
    const refused = approve(changed, first.hash);
    assert.ok('invalid' in refused && /findings changed/.test(inEnglish(refused.invalid)));

    const second = made(['crm-1', 'crm-2']);
    assert.notEqual(second.hash, first.hash, 'the hash covers the targets');
    const again = applyPlanCaseAction(
      previewed.next,
      { kind: 'previewStep', stepId: 'delete:crm', preview: second },
      megan,
      now,
    );
    assert.ok(!('invalid' in again));
    const stale = approve(again.next, first.hash);
    assert.ok('invalid' in stale && /newer preview/.test(inEnglish(stale.invalid)));

    const own = approve(again.next, second.hash, megan);
    assert.ok(
      'invalid' in own && /another member/.test(inEnglish(own.invalid)),
      'who made the preview does not approve it',
    );
    const approved = approve(again.next, second.hash);
    assert.ok(!('invalid' in approved));
    assert.equal(approved.next.plan!.steps.find((s) => s.id === 'delete:crm')!.state, 'todo');
    // A new preview after the approval voids it.
    const repreviewed = applyPlanCaseAction(
      approved.next,
      { kind: 'previewStep', stepId: 'delete:crm', preview: first },
      megan,
      now,
    );
    assert.ok(!('invalid' in repreviewed));
    assert.equal(repreviewed.next.plan!.steps.find((s) => s.id === 'delete:crm')!.state, 'waiting-approval');
    const started = applyPlanCaseAction(repreviewed.next, { kind: 'startStep', stepId: 'delete:crm' }, megan, now);
    assert.ok('invalid' in started);
  });

  it('refuses to respond while steps are open, and responds once each is done or explained', () => {
    let current = { ...dsrCase, plan };
    const refused = applyPlanCaseAction(current, { kind: 'respond' }, megan, now);
    assert.ok('invalid' in refused && /still open/.test(inEnglish(refused.invalid)));
    current = {
      ...current,
      plan: {
        ...plan,
        steps: plan.steps.map((s) => (remainingSteps(plan).includes(s) ? { ...s, state: 'done' as const } : s)),
      },
    };
    // The package was built: the response waits for its release, and for a link that still opens.
    const unreleased = applyPlanCaseAction(current, { kind: 'respond' }, megan, now);
    assert.ok('invalid' in unreleased && /Release the reviewed package first/.test(inEnglish(unreleased.invalid)));
    // The plan says so before Respond is pressed, and stops saying it once the package is released.
    assert.match(JSON.stringify(planCard(current)), /Release the reviewed package, then the response can go out/);
    const whenReleased = JSON.stringify(planCard(released(current, '2027-01-01T00:00:00Z')));
    assert.match(whenReleased, /Every step is done or explained: the response can go out/);
    assert.doesNotMatch(whenReleased, /Release the reviewed package/);
    // Respond is offered only when the domain would take it: not while the package awaits release.
    const offersRespond = (card: string) => card.includes('"verb":"plan.respond"');
    assert.ok(!offersRespond(JSON.stringify(planCard(current))));
    assert.ok(offersRespond(whenReleased));
    const expired = applyPlanCaseAction(released(current, '2026-03-01T00:00:00Z'), { kind: 'respond' }, megan, now);
    assert.ok('invalid' in expired && /link to the package has expired/.test(inEnglish(expired.invalid)));
    const revoked = released(current, '2027-01-01T00:00:00Z', now.toISOString());
    const refusedRevoked = applyPlanCaseAction(revoked, { kind: 'respond' }, megan, now);
    assert.ok('invalid' in refusedRevoked && /was revoked/.test(inEnglish(refusedRevoked.invalid)));
    const responded = applyPlanCaseAction(released(current, '2027-01-01T00:00:00Z'), { kind: 'respond' }, megan, now);
    assert.ok(!('invalid' in responded));
    assert.match(responded.next.response!.summary, /not supported/);
  });

  it('responds without a release where nothing was found to package', () => {
    const nothing = { ...dsrCase, findings: { ...dsrCase.findings!, systems: [found('crm', 0)] } };
    const empty = buildPlan(nothing, systems, new Set(['crm']), now);
    assert.equal(empty.steps.find((s) => s.id === 'package')!.state, 'not-applicable');
    const current = {
      ...nothing,
      plan: {
        ...empty,
        steps: empty.steps.map((s) => (s.state === 'not-applicable' ? s : { ...s, state: 'done' as const })),
      },
    };
    const responded = applyPlanCaseAction(current, { kind: 'respond' }, megan, now);
    assert.ok(!('invalid' in responded), JSON.stringify(responded));
  });

  it('keeps a system whose search failed on the plan for every right, blocking the response until it is covered with a note', () => {
    const failed: SystemFindings = {
      ...found('bc', 0),
      status: 'failed',
      error: 'Business Central took longer than 30 s in all.',
    };
    const withFailure = {
      ...dsrCase,
      findings: { ...dsrCase.findings!, systems: [found('crm', 3), failed] },
    };
    const blocked = buildPlan(withFailure, systems, new Set(['crm', 'bc']), now);
    const bcSteps = blocked.steps.filter((s) => s.systemId === 'bc');
    assert.deepEqual(
      bcSteps.map((s) => `${s.id}:${s.mode}:${s.state}`),
      ['access:bc:guided:todo', 'rectify:bc:guided:todo', 'delete:bc:guided:todo'],
    );
    assert.ok(bcSteps.every((s) => s.uncovered && /took longer than 30 s/.test(s.uncovered)));
    assert.match(bcSteps[0]!.instructions[0]!.text, /Retry this system on the findings card/);
    assert.equal(blocked.steps.find((s) => s.id === 'package')!.systemName, 'CE', 'the package names what it covers');

    let current: DsrCase = {
      ...withFailure,
      plan: {
        ...blocked,
        steps: blocked.steps.map((s) => (s.systemId === 'bc' ? s : { ...s, state: 'done' as const })),
      },
    };
    const refused = applyPlanCaseAction(current, { kind: 'respond' }, megan, now);
    assert.ok(
      'invalid' in refused && /3 steps are still open/.test(inEnglish(refused.invalid)),
      JSON.stringify(refused),
    );
    const silent = applyPlanCaseAction(current, { kind: 'tickStep', stepIds: ['delete:bc'] }, megan, now);
    assert.ok('invalid' in silent && /say in a note what was done/.test(inEnglish(silent.invalid)));
    for (const id of ['access:bc', 'delete:bc', 'rectify:bc']) {
      const ticked = applyPlanCaseAction(
        current,
        {
          kind: 'tickStep',
          stepIds: [id],
          note: 'Searched and erased by hand in the client',
          // The copy made by hand is evidence the guide asks to keep.
          ...(id.startsWith('access:') ? { link: 'https://contoso.sharepoint.com/dsr/bc-export.xlsx' } : {}),
        },
        megan,
        now,
      );
      assert.ok(!('invalid' in ticked));
      current = ticked.next;
    }
    const responded = applyPlanCaseAction(released(current, '2027-01-01T00:00:00Z'), { kind: 'respond' }, megan, now);
    assert.ok(!('invalid' in responded));
    assert.match(
      responded.next.response!.summary,
      /bc: the search failed \(Business Central took longer than 30 s in all\.\); done by hand: Searched and erased by hand in the client\./,
    );
  });
});

/** The case with its reviewed package released, its link open until `expiresAt` unless revoked. */
function released(current: DsrCase, expiresAt: string, revokedAt?: string): DsrCase {
  const at = '2026-03-04T09:00:00Z';
  return {
    ...current,
    review: {
      snapshotId: 'snapshot-1',
      builtAt: at,
      records: 3,
      exclusions: [],
      redactions: [],
      reviewerIds: ['megan'],
      release: {
        at,
        byId: 'adele',
        packageId: 'package-1',
        records: 3,
        bytes: 1000,
        token: 'token',
        expiresAt,
        ...(revokedAt ? { revokedAt, revokedById: 'adele' } : {}),
      },
    },
  };
}

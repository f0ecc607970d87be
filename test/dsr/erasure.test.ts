import assert from 'node:assert/strict';
import { erasureByHand } from '../../dsr/changePreview.js';
import type { ChangePreview } from '../../dsr/changes.js';
import type { SystemFindings } from '../../dsr/discovery.js';
import { translator, wordsOf } from '../../i18n/index.js';

const findings: SystemFindings = {
  systemId: 'crm',
  displayName: 'CE',
  status: 'found',
  counts: { contact: 1, note: 1, 'activity party': 2, 'marketing interaction': 3, survey: 1 },
  records: [
    { kind: 'contact', id: 'c1', fields: { fullname: 'Maria Garcia' }, matchedOn: ['email'] },
    { kind: 'survey', id: 's1', fields: { title: 'Satisfaction survey' }, via: 'c1' },
  ],
  queries: [],
  at: '2026-03-05T10:00:00Z',
  durationMs: 1,
};

const preview = (overrides: Partial<ChangePreview> = {}): ChangePreview => ({
  systemId: 'crm',
  request: { right: 'delete' },
  targets: [
    { kind: 'contact', id: 'c1', label: 'Maria Garcia', changes: [], order: 1 },
    { kind: 'note', id: 'n1', label: 'Delivery', changes: [], order: 0 },
  ],
  retained: [],
  guided: [],
  queries: [],
  byHand: [
    { kind: 'activity party', id: 'p1', label: 'maria@example.org · 1', reason: 'Remove them from its parties.' },
    { kind: 'activity party', id: 'p2', label: 'maria@example.org · 2', reason: 'Remove them from its parties.' },
  ],
  removedWithOwner: { 'marketing interaction': 'Goes with the contact.' },
  ...overrides,
});

const kindsOf = (p: ChangePreview) => p.targets.map((t) => t.kind);

describe('an erasure accounts for every record found', () => {
  it('names what the API cannot delete, and any kind the preview does not account for, in steps by hand', () => {
    const steps = erasureByHand(preview(), kindsOf(preview()), findings, 'Customer Engagement').map((s) => s.text);
    assert.deepEqual(steps, [
      '2 activity party records the deletion leaves: Remove them from its parties. maria@example.org · 1; maria@example.org · 2.',
      '1 survey record the deletion leaves: Found by the search, but Customer Engagement cannot delete it through the bot: delete it by hand, or note why it is kept. Satisfaction survey.',
    ]);
  });

  it('words each step by hand in the reader’s language, quoting a system’s own reason as written', () => {
    const de = translator('de-DE');
    const fr = translator('fr-FR');
    const steps = erasureByHand(preview(), kindsOf(preview()), findings, 'Customer Engagement');
    assert.deepEqual(
      steps.map((s) => wordsOf(de, s.said!)),
      [
        '2 Datensätze (activity party), die die Löschung zurücklässt: Remove them from its parties. maria@example.org · 1; maria@example.org · 2.',
        '1 Datensatz (survey), den die Löschung zurücklässt: Von der Suche gefunden, aber Customer Engagement kann ihn nicht über den Bot löschen: Löschen Sie ihn von Hand oder vermerken Sie, warum er aufbewahrt wird. Satisfaction survey.',
      ],
    );
    // Past the records it names, a step counts the rest.
    const many = Array.from({ length: 12 }, (_, n) => ({
      kind: 'activity party',
      id: `p${n}`,
      label: `party ${n}`,
      reason: 'Remove them from its parties.',
    }));
    const [first] = erasureByHand(preview({ byHand: many }), kindsOf(preview()), undefined, 'CE');
    assert.match(first!.text, /party 9 and 2 more\.$/);
    assert.match(
      wordsOf(fr, first!.said!),
      /^12 enregistrements \(activity party\) que la suppression laisse : .*party 9 et 2 de plus\.$/,
    );
  });

  it('leaves nothing by hand when every kind is deleted, kept or goes with its owner', () => {
    const all = { ...findings, counts: { contact: 1, note: 1, 'marketing interaction': 3 } };
    assert.deepEqual(erasureByHand(preview({ byHand: [] }), kindsOf(preview()), all, 'CE'), []);
  });

  it('asks nothing of a rectification', () => {
    assert.deepEqual(
      erasureByHand(
        preview({ request: { right: 'rectify', corrections: [] }, byHand: undefined }),
        kindsOf(preview()),
        findings,
        'CE',
      ),
      [],
    );
  });
});

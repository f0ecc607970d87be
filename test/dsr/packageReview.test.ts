import assert from 'node:assert/strict';
import { inEnglish } from '../../i18n/index.js';
import { ConfigError, loadConfig } from '../../app/config.js';
import { applyAction } from '../../dsr/caseActions.js';
import type { DsrCase } from '../../dsr/case.js';
import type { OrgCalendar } from '../../dsr/deadlines.js';
import { composeLetter } from '../../dsr/letters/compose.js';
import { LETTER_LANGUAGES } from '../../dsr/letters/letterKinds.js';
import { exampleRegisterPath, loadProcessingRegister } from '../../dsr/letters/register.js';
import { builtInTemplatesDir, LetterTemplates } from '../../dsr/letters/templates.js';
import { redactedRecord, reviewHash, type PackageReview, type ReviewAction } from '../../dsr/packageReview.js';
import { sampleCase } from '../support/cases.js';

const calendar: OrgCalendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const now = new Date('2026-03-20T10:00:00Z');
const megan = { id: 'megan', name: 'Megan Bowen' };
const adele = { id: 'adele', name: 'Adele Vance' };

function reviewed(review: Partial<PackageReview> = {}): DsrCase {
  return sampleCase({
    status: 'actions',
    review: {
      snapshotId: 'snap-1',
      builtAt: now.toISOString(),
      records: 10,
      exclusions: [],
      redactions: [],
      reviewerIds: [],
      ...review,
    },
  });
}

function act(dsrCase: DsrCase, action: ReviewAction, actor = megan): DsrCase | string {
  const change = applyAction(dsrCase, action, { actor, now, calendar });
  return 'invalid' in change ? inEnglish(change.invalid) : change.next;
}

function refusal(result: DsrCase | string): string {
  if (typeof result !== 'string') assert.fail('the action was applied');
  return result;
}

function must(result: DsrCase | string): DsrCase {
  if (typeof result === 'string') assert.fail(result);
  return result;
}

describe('the review of the package before release', () => {
  it('redacts every occurrence of a passage whatever its case, or a whole value, and leaves other fields alone', () => {
    const record = { notetext: 'Ask NANCY (Sales) or nancy (sales).', subject: 'Call', amount: 12 };
    assert.deepEqual(redactedRecord(record, [{ field: 'notetext', text: 'nancy (sales)' }]), {
      notetext: 'Ask [redacted] or [redacted].',
      subject: 'Call',
      amount: 12,
    });
    assert.deepEqual(
      redactedRecord(record, [
        { field: 'subject', text: null },
        { field: 'amount', text: '12' },
      ]),
      {
        notetext: record.notetext,
        subject: '[redacted]',
        amount: '[redacted]',
      },
    );
    assert.deepEqual(redactedRecord(record, [{ field: 'missing', text: null }]), record);
  });

  it('binds the approval to the set of decisions, whatever their order, and a later change voids it', () => {
    const a = { recordId: 'crm/email/1', ground: 'rights-of-others' as const, note: '', at: '', byId: 'megan' };
    const b = { recordId: 'crm/email/2', ground: 'trade-secrets' as const, note: '', at: '', byId: 'megan' };
    const one = reviewHash({ snapshotId: 's', exclusions: [a, b], redactions: [] });
    assert.equal(reviewHash({ snapshotId: 's', exclusions: [b, a], redactions: [] }), one);
    assert.notEqual(reviewHash({ snapshotId: 's', exclusions: [a], redactions: [] }), one);
    assert.notEqual(reviewHash({ snapshotId: 't', exclusions: [a, b], redactions: [] }), one);

    let dsrCase = must(
      act(reviewed(), { kind: 'excludeRecord', recordId: 'crm/email/1', ground: 'rights-of-others', note: '' }),
    );
    dsrCase = must(act(dsrCase, { kind: 'submitReview' }));
    const hash = dsrCase.review!.submitted!.hash;
    assert.match(refusal(act(dsrCase, { kind: 'approveReview', hash })), /another privacy officer must approve/);
    assert.match(refusal(act(dsrCase, { kind: 'approveReview', hash: '0'.repeat(64) }, adele)), /changed since/);
    dsrCase = must(act(dsrCase, { kind: 'approveReview', hash }, adele));
    assert.equal(dsrCase.review!.approval!.byId, 'adele');
    // Adele changes it after approving: she is a reviewer now, and the approval is gone.
    dsrCase = must(act(dsrCase, { kind: 'redactField', recordId: 'crm/email/3', field: 'subject', text: null }, adele));
    assert.equal(dsrCase.review!.approval, undefined);
    assert.equal(dsrCase.review!.submitted, undefined);
    const release = {
      kind: 'releasePackage' as const,
      packageId: 'p',
      records: 1,
      bytes: 1,
      token: 't',
      expiresAt: now.toISOString(),
    };
    assert.match(refusal(act(dsrCase, release)), /must approve the reviewed package/);
    dsrCase = must(act(dsrCase, { kind: 'submitReview' }, adele));
    assert.match(
      refusal(act(dsrCase, { kind: 'approveReview', hash: dsrCase.review!.submitted!.hash }, megan)),
      /another privacy officer must approve/,
      'Megan withheld a record of this set too',
    );
  });

  it('refuses bad input: a ground not on the list, an overlong note, a record outside the package, an empty passage', () => {
    const base = reviewed();
    const exclude = { kind: 'excludeRecord' as const, recordId: 'crm/email/1', note: '' };
    assert.match(refusal(act(base, { ...exclude, ground: 'dislike' as never })), /Choose a ground/);
    assert.match(refusal(act(base, { ...exclude, ground: 'legal-privilege', note: 'x'.repeat(501) })), /under 500/);
    assert.match(
      refusal(act(base, { ...exclude, ground: 'legal-privilege', recordId: 'crm/email/99' })),
      /not in the package/,
    );
    assert.match(
      refusal(act(base, { ...exclude, ground: 'legal-privilege', recordId: '../etc/1' })),
      /not in the package/,
    );
    assert.match(
      refusal(act(base, { kind: 'redactField', recordId: 'crm/email/1', field: 'subject', text: '  ' })),
      /Give the passage/,
    );
  });
});

describe('the response letter after the review', () => {
  const templates = LetterTemplates.load(builtInTemplatesDir());
  const register = loadProcessingRegister(exampleRegisterPath(), templates.languages);
  const url = 'https://dsr.example.org/subject-package/DSR-2026-0001/abc';
  const words: Record<string, RegExp[]> = {
    en: [
      /Records withheld from your copy: 2/,
      /rights and freedoms of other people/,
      /legal privilege/,
      /passages about other people: 1/,
      /until 3 April 2026/,
    ],
    de: [
      /zurückgehaltene Datensätze: 2/,
      /Rechte und Freiheiten anderer/,
      /Berufsgeheimnis/,
      /andere Personen entfernt haben: 1/,
      /bis zum 3\. April 2026/,
    ],
    fr: [
      /retirés de votre copie : 2/,
      /droits et libertés d'autrui/,
      /secret professionnel/,
      /autres personnes : 1/,
      /jusqu'au 3 avril 2026/,
    ],
    es: [
      /retenidos de su copia: 2/,
      /derechos y libertades de otras personas/,
      /secreto profesional/,
      /otras personas: 1/,
      /hasta el 3 de abril de 2026/,
    ],
  };

  for (const language of LETTER_LANGUAGES) {
    it(`states what was withheld in general terms and carries the link with its expiry, in ${language}`, () => {
      const dsrCase: DsrCase = {
        ...reviewed({
          exclusions: [
            { recordId: 'crm/email/1', ground: 'rights-of-others', note: 'Her neighbour Jorge', at: '', byId: 'megan' },
            { recordId: 'crm/annotation/0', ground: 'legal-privilege', note: '', at: '', byId: 'megan' },
          ],
          redactions: [
            { recordId: 'crm/annotation/1', field: 'notetext', text: 'Nancy Davolio', at: '', byId: 'megan' },
          ],
          release: {
            at: now.toISOString(),
            byId: 'adele',
            packageId: 'p',
            records: 8,
            bytes: 100,
            token: 'abc',
            expiresAt: '2026-04-03T10:00:00Z',
          },
        }),
        language,
      };
      const letter = composeLetter(templates, 'response', dsrCase, register, calendar, now, '', url);
      const text = letter.html.replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;/g, "'");
      for (const expected of words[language]!) assert.match(text, expected);
      assert.ok(letter.html.includes(`href="${url}"`));
      assert.doesNotMatch(text, /Jorge|Nancy|crm\/|annotation|notetext/, 'never which record, field or what it said');
      const plain = composeLetter(
        templates,
        'response',
        { ...dsrCase, review: undefined },
        register,
        calendar,
        now,
        '',
      );
      assert.doesNotMatch(plain.html, /subject-package|\[redacted\]/);
    });
  }
});

describe('DSR_SUBJECT_LINK_DAYS', () => {
  const problems = (value: string): string[] => {
    try {
      loadConfig({ DSR_SUBJECT_LINK_DAYS: value });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };
  it('defaults to 14 days and refuses anything but 1 to 365 whole days, naming the variable', () => {
    assert.equal(loadConfig({}).release.linkDays, 14);
    assert.equal(loadConfig({ DSR_SUBJECT_LINK_DAYS: '30' }).release.linkDays, 30);
    for (const bad of ['0', '-3', '2.5', 'two weeks', '366']) {
      assert.match(problems(bad).join('\n'), /DSR_SUBJECT_LINK_DAYS/, bad);
    }
  });
});

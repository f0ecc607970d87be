import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_NAMES } from '../../connectors/systems/index.js';
import type { DsrCase } from '../../dsr/case.js';
import type { OrgCalendar } from '../../dsr/deadlines.js';
import type { SystemFindings } from '../../dsr/discovery.js';
import { composeLetter, LetterGapError } from '../../dsr/letters/compose.js';
import { LETTER_KINDS, LETTER_LANGUAGES, type LetterKind } from '../../dsr/letters/letterKinds.js';
import { emlOf } from '../../dsr/letters/mime.js';
import { exampleRegisterPath, loadProcessingRegister, RegisterError } from '../../dsr/letters/register.js';
import { builtInTemplatesDir, LetterTemplates, TemplateError } from '../../dsr/letters/templates.js';
import type { PlanStep } from '../../dsr/plan.js';
import { sampleCase } from '../support/cases.js';

const calendar: OrgCalendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };
const now = new Date('2026-03-20T10:00:00Z');
const templates = LetterTemplates.load(builtInTemplatesDir());
const register = loadProcessingRegister(exampleRegisterPath(), templates.languages);

const findings = (
  systemId: keyof typeof SYSTEM_NAMES,
  status: SystemFindings['status'],
  counts: Record<string, number>,
  notMine = 0,
): SystemFindings => ({
  systemId,
  displayName: SYSTEM_NAMES[systemId],
  status,
  counts,
  records: Array.from({ length: notMine }, (_, i) => ({
    kind: 'email',
    id: `${systemId}-x${i}`,
    fields: {},
    notThisPerson: { at: now.toISOString(), byId: 'megan' },
  })),
  queries: [],
  at: now.toISOString(),
  durationMs: 1,
});

const step = (
  right: PlanStep['right'],
  systemId: keyof typeof SYSTEM_NAMES,
  state: PlanStep['state'],
  applied = 0,
  retained = 0,
): PlanStep => ({
  id: `${right}:${systemId}`,
  right,
  systemId,
  systemName: SYSTEM_NAMES[systemId],
  mode: 'automated',
  title: `${right} in ${systemId}`,
  instructions: [],
  destructive: right !== 'access',
  state,
  result: { applied, gone: applied, retained },
  updatedAt: now.toISOString(),
});

interface Outcome {
  name: string;
  case: Partial<DsrCase>;
  /** Systems the response must name, and nothing else of the guide's. */
  systems: Array<keyof typeof SYSTEM_NAMES>;
  /** Record counts as the English letter words them. */
  records: string[];
}

const query = { names: [], emails: [], phones: [], customerNumbers: [], employeeIds: [] };
const outcomes: Outcome[] = [
  {
    name: 'access: two systems with data, one failed, one with nothing',
    case: {
      requestTypes: ['access'],
      findings: {
        query,
        systems: [
          findings('crm', 'found', { contact: 1, email: 3 }, 1),
          findings('bc', 'found', { customer: 1, invoice: 12345 }),
          findings('fno', 'failed', {}),
          findings('hr', 'nothing', {}),
        ],
        updatedAt: now.toISOString(),
      },
      plan: { createdAt: now.toISOString(), steps: [] },
    },
    systems: ['crm', 'bc', 'fno', 'hr'],
    records: ['contact 1', 'email 2', 'customer 1', 'invoice 12,345'],
  },
  {
    name: 'erasure: deleted in one system, invoices kept in another, one failed',
    case: {
      requestTypes: ['delete'],
      plan: {
        createdAt: now.toISOString(),
        steps: [
          step('delete', 'crm', 'done', 4),
          step('delete', 'bc', 'retained', 1, 3),
          step('delete', 'graph', 'failed'),
        ],
      },
      kept: ['inv-1', 'inv-2', 'inv-3'].map((id) => ({
        systemId: 'bc',
        stepId: 'delete:bc',
        kind: 'sales invoice',
        id,
        basis: 'posted-document',
        ends: 'period' as const,
        until: '2034-12-31',
      })),
    },
    systems: ['crm', 'bc', 'graph'],
    records: [
      '4 records erased',
      '1 record erased. 3 records kept',
      'Kept until 31 December 2034, then erased: 3 records',
    ],
  },
  {
    name: 'rectification and restriction',
    case: {
      requestTypes: ['rectify', 'restrict'],
      plan: {
        createdAt: now.toISOString(),
        steps: [step('rectify', 'crm', 'done', 2), step('restrict', 'fno', 'done', 5)],
      },
    },
    systems: ['crm', 'fno'],
    records: ['2 records corrected', '5 records restricted'],
  },
];

function caseFor(outcome: Outcome, language: string, kind: LetterKind): DsrCase {
  return sampleCase({
    subject: {
      name: 'María <b>García</b>',
      emails: ['maria.garcia@example.org'],
      phones: [],
      identifiers: {},
      role: 'customer',
    },
    status: kind === 'refusal' ? 'declined' : 'actions',
    language,
    pause: kind === 'identity' ? { since: now.toISOString(), reason: 'a copy of your ID card' } : null,
    extension:
      kind === 'extension'
        ? { at: now.toISOString(), by: { id: 'megan', name: 'Megan' }, reason: 'Data in twelve systems' }
        : null,
    decision:
      kind === 'refusal'
        ? {
            outcome: 'declined',
            at: now.toISOString(),
            by: { id: 'megan', name: 'Megan' },
            reason: 'manifestly-unfounded',
            explanation: 'internal',
          }
        : null,
    ...outcome.case,
  });
}

const visible = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('letters to the data subject', () => {
  for (const outcome of outcomes) {
    for (const language of LETTER_LANGUAGES) {
      for (const kind of LETTER_KINDS) {
        it(`${kind} in ${language}, ${outcome.name}`, () => {
          const dsrCase = caseFor(outcome, language, kind);
          const letter = composeLetter(templates, kind, dsrCase, register, calendar, now, 'Our own words.');
          const text = visible(letter.html);
          assert.match(letter.subject, /DSR-2026-0001/);
          assert.doesNotMatch(letter.html, /\{\{|undefined|\[object|NaN/);
          assert.match(letter.html, /María &lt;b&gt;García&lt;\/b&gt;/, 'the name is escaped, never markup');
          assert.match(text, /Our own words\./);
          if (kind === 'refusal' || kind === 'extension' || kind === 'response') {
            assert.ok(text.includes(register.supervisoryAuthority.name), 'the right to complain names the authority');
          }
          if (kind === 'refusal') assert.match(text, /GDPR Art\. 12\(5\)/);
          assert.doesNotMatch(text, /internal/, 'the explanation for the record stays internal');
          const named = Object.entries(SYSTEM_NAMES)
            .filter(([, name]) => text.includes(name))
            .map(([id]) => id);
          if (kind !== 'response') {
            assert.deepEqual(named, [], 'only the response names systems');
            return;
          }
          assert.deepEqual(named.sort(), [...outcome.systems].sort());
          if (language === 'en') for (const record of outcome.records) assert.ok(text.includes(record), record);
        });
      }
    }
  }

  it('words every count in its number, and says until when each kept record is kept, in every language', () => {
    const erasure = outcomes[1]!;
    const one = {
      ...erasure,
      case: {
        ...erasure.case,
        kept: [{ ...erasure.case.kept![0]!, id: 'inv-1' }],
        plan: {
          createdAt: now.toISOString(),
          steps: [step('delete', 'crm', 'done', 1), step('delete', 'bc', 'retained', 0, 1)],
        },
      },
    };
    const many = {
      ...erasure,
      case: {
        ...erasure.case,
        plan: { createdAt: now.toISOString(), steps: [step('delete', 'crm', 'done', 1_000_000)] },
      },
    };
    const expected: Record<string, { one: string[]; many: string }> = {
      en: {
        one: ['1 record erased', '1 record kept', 'Kept until 31 December 2034, then erased: 1 record.'],
        many: '1,000,000 records erased',
      },
      de: {
        one: [
          '1 Datensatz gelöscht',
          '1 Datensatz aufbewahrt',
          'Aufbewahrt bis zum 31. Dezember 2034, danach gelöscht: 1 Datensatz.',
        ],
        many: '1.000.000 Datensätze gelöscht',
      },
      fr: {
        one: [
          '1 enregistrement effacé',
          '1 enregistrement conservé',
          'Conservation jusqu’au 31 décembre 2034, puis effacement : 1 enregistrement.',
        ],
        // The narrow spaces French groups digits with read as spaces here.
        many: '1 000 000 d’enregistrements effacés',
      },
      es: {
        one: [
          '1 registro suprimido',
          '1 registro conservado',
          'Conservados hasta el 31 de diciembre de 2034 y suprimidos después: 1 registro.',
        ],
        many: '1.000.000 de registros suprimidos',
      },
    };
    for (const [language, words] of Object.entries(expected)) {
      const single = visible(
        composeLetter(templates, 'response', caseFor(one, language, 'response'), register, calendar, now, '').html,
      );
      for (const phrase of words.one) assert.ok(single.includes(phrase), `${language}: ${phrase} in ${single}`);
      const large = visible(
        composeLetter(templates, 'response', caseFor(many, language, 'response'), register, calendar, now, '').html,
      );
      assert.ok(large.includes(words.many), `${language}: ${words.many} in ${large}`);
    }
  });

  it('writes dates and numbers as each language does', () => {
    const outcome = outcomes[0]!;
    const expected: Record<string, [string, string]> = {
      en: ['2 March 2026', '12,345'],
      de: ['2. März 2026', '12.345'],
      fr: ['2 mars 2026', '12\u202f345'],
      es: ['2 de marzo de 2026', '12.345'],
    };
    for (const [language, [date, number]] of Object.entries(expected)) {
      const letter = composeLetter(
        templates,
        'response',
        caseFor(outcome, language, 'response'),
        register,
        calendar,
        now,
        '',
      );
      assert.ok(letter.html.includes(date), `${language}: ${date}`);
      assert.ok(letter.html.includes(number), `${language}: ${number}`);
    }
  });

  it('builds a MIME message the team can open in its mail client', async () => {
    const letter = composeLetter(
      templates,
      'acknowledgement',
      caseFor(outcomes[0]!, 'es', 'acknowledgement'),
      register,
      calendar,
      now,
      '',
    );
    const eml = (await emlOf(letter, 'privacy@contoso.example', 'maria.garcia@example.org', 'es')).toString('utf8');
    assert.match(eml, /^To: maria\.garcia@example\.org$/m);
    assert.match(eml, /^Subject: Su solicitud DSR-2026-0001: recibida$/m);
    assert.match(eml, /^Content-Type: text\/html; charset=utf-8$/m);
    assert.match(eml, /^X-Unsent: 1$/m);
  });

  describe('bad input stops with the file and the gap, never a half-written letter', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dsr-letters-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('uses the organisation’s own template instead of the built-in one', async () => {
      await mkdir(join(dir, 'en'));
      await writeFile(
        join(dir, 'en', 'acknowledgement.hbs'),
        'Subject: Got it ({{caseId}})\n<p>Hello {{subjectName}}, answered by {{date due}}.</p>\n',
      );
      const own = LetterTemplates.load(builtInTemplatesDir(), dir);
      const letter = composeLetter(
        own,
        'acknowledgement',
        caseFor(outcomes[0]!, 'en', 'acknowledgement'),
        register,
        calendar,
        now,
        '',
      );
      assert.equal(letter.subject, 'Got it (DSR-2026-0001)');
    });

    it('refuses a language folder that lacks a letter, and a template that does not parse', async () => {
      await mkdir(join(dir, 'it'));
      await writeFile(join(dir, 'it', 'acknowledgement.hbs'), 'Subject: Ricevuta\n<p>{{#if}}</p>\n');
      assert.throws(
        () => LetterTemplates.load(builtInTemplatesDir(), dir),
        (error: Error) =>
          error instanceof TemplateError &&
          /it\/identity\.hbs: missing/.test(error.message) &&
          /it\/acknowledgement\.hbs: .*(Parse|Expecting|must pass)/.test(error.message),
      );
    });

    it('refuses a template that names a field no letter has, when it is rendered', async () => {
      await mkdir(join(dir, 'en'));
      await writeFile(join(dir, 'en', 'acknowledgement.hbs'), 'Subject: x\n<p>{{subject.middleName}}</p>\n');
      const own = LetterTemplates.load(builtInTemplatesDir(), dir);
      assert.throws(
        () =>
          composeLetter(
            own,
            'acknowledgement',
            caseFor(outcomes[0]!, 'en', 'acknowledgement'),
            register,
            calendar,
            now,
            '',
          ),
        (error: Error) =>
          error instanceof TemplateError && error.message.includes(join(dir, 'en', 'acknowledgement.hbs')),
      );
    });

    it('refuses a case in a language there are no templates for', () => {
      assert.throws(
        () =>
          composeLetter(templates, 'response', caseFor(outcomes[0]!, 'it', 'response'), register, calendar, now, ''),
        (error: Error) => error instanceof LetterGapError && /no letter templates in "it"/.test(error.message),
      );
    });

    it('refuses a register that is missing, malformed or lacks a language', async () => {
      const missing = join(dir, 'nope.json');
      assert.throws(
        () => loadProcessingRegister(missing, ['en']),
        (e: Error) => e instanceof RegisterError && e.message.includes(missing) && /does not exist/.test(e.message),
      );
      const broken = join(dir, 'broken.json');
      await writeFile(broken, '{ "controller": ');
      assert.throws(() => loadProcessingRegister(broken, ['en']), /not valid JSON/);
      const wrong = join(dir, 'wrong.json');
      await writeFile(wrong, JSON.stringify({ ...register, controller: { name: 'X' } }));
      assert.throws(() => loadProcessingRegister(wrong, ['en']), /controller\.address/);
      const lacking = JSON.parse(await readFile(exampleRegisterPath(), 'utf8')) as typeof register;
      delete lacking.systems.crm!.purposes.es;
      const noSpanish = join(dir, 'no-es.json');
      await writeFile(noSpanish, JSON.stringify(lacking));
      assert.throws(() => loadProcessingRegister(noSpanish, ['en', 'es']), /systems\.crm\.purposes: no text in es/);
    });

    it('refuses a response about a system the register does not describe', () => {
      const { bc: _bc, ...rest } = register.systems;
      assert.throws(
        () =>
          composeLetter(
            templates,
            'response',
            caseFor(outcomes[0]!, 'en', 'response'),
            { ...register, systems: rest },
            calendar,
            now,
            '',
          ),
        (error: Error) =>
          error instanceof LetterGapError && /Dynamics 365 Business Central \(systems\.bc\)/.test(error.message),
      );
    });
  });
});

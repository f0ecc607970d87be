import assert from 'node:assert/strict';
import { CATALOGUES, I18NEXT, PSEUDO_LOCALE, translator } from '../../i18n/index.js';
import { leaves } from '../support/catalogueLeaves.js';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;
/** The keys a caller names: a plural form's key without its suffix. */
const callerKeys = [...new Set([...leaves(CATALOGUES.en).keys()].map((key) => key.replace(PLURAL_SUFFIX, '')))];
const pluralKeys = new Set(
  [...leaves(CATALOGUES.en).keys()]
    .filter((key) => PLURAL_SUFFIX.test(key))
    .map((key) => key.replace(PLURAL_SUFFIX, '')),
);
const namesIn = (text: string) => [...text.matchAll(/\{\{\s*-?\s*(\w+)/g)].map((m) => m[1]!);
const placeholderNames = new Map(
  callerKeys.map((key) => [
    key,
    [
      ...new Set(
        [...leaves(CATALOGUES.en)]
          .filter(([leaf]) => leaf === key || leaf.replace(PLURAL_SUFFIX, '') === key)
          .flatMap(([, text]) => namesIn(text)),
      ),
    ],
  ]),
);

/** Values a person's data may hold: empty, markup, i18next's own syntax, numbers. */
const VALUE_SETS: ((name: string) => string | number)[] = [
  (name) => `‹${name}›`,
  () => '',
  () => '{{caseId}} $t(case.status.open) <b>a/b</b> & "q"',
  () => 0,
  () => 42,
];
const COUNTS = [0, 1, 2, 5, 21, 1.5, -3];
const LOCALES = [undefined, 'en-US', 'en-GB', 'de-DE', 'de-AT', 'fr-FR', 'fr-CA', 'es-ES', 'it-IT', PSEUDO_LOCALE];

function reference(locale: string | undefined, key: string, options: Record<string, unknown>): string {
  const lng = (translator(locale) as unknown as { lng: string }).lng;
  const text = String(I18NEXT.t(key, { ...options, lng }));
  return locale === PSEUDO_LOCALE ? `⟦${text}⟧` : text;
}

describe('translator', () => {
  it('writes every key of every catalogue as i18next does, with any values and counts', () => {
    let compared = 0;
    for (const locale of LOCALES) {
      const t = translator(locale) as unknown as (key: string, options?: Record<string, unknown>) => string;
      for (const key of callerKeys) {
        const names = placeholderNames.get(key)!.filter((name) => name !== 'count');
        const counts = pluralKeys.has(key) || placeholderNames.get(key)!.includes('count') ? COUNTS : [undefined];
        for (const values of VALUE_SETS) {
          for (const count of counts) {
            const options: Record<string, unknown> = Object.fromEntries(names.map((name) => [name, values(name)]));
            if (count !== undefined) options.count = count;
            assert.equal(
              t(key, options),
              reference(locale, key, options),
              `${locale ?? '-'} ${key} ${JSON.stringify(options)}`,
            );
            compared += 1;
          }
        }
        if (names.length === 0 && counts[0] === undefined) {
          assert.equal(t(key), reference(locale, key, {}), `${locale ?? '-'} ${key}`);
        }
      }
    }
    assert.ok(compared > 1000, `only ${compared} comparisons`);
  });

  it('leaves to i18next what is more than filling names: a missing value, a default, a format, an unknown key', () => {
    const t = translator('de-DE') as unknown as (key: string, options?: Record<string, unknown>) => string;
    const cases: [string, Record<string, unknown> | undefined][] = [
      ['caseList.row', { caseId: 'DSR-2026-0001' }],
      ['caseList.row', undefined],
      ['caseList.row', { caseId: 'DSR-2026-0001', subject: undefined }],
      ['caseList.row', { caseId: 'DSR-2026-0001', subject: { name: 'x' } }],
      ['caseList.row', { caseId: 'DSR-2026-0001', subject: 'Maria', context: 'male' }],
      ['no.such.key', { caseId: 'DSR-2026-0001' }],
      ['no.such.key', { defaultValue: 'Fallback {{caseId}}', caseId: 'DSR-2026-0001' }],
      ['case', undefined],
      ['due.title', { date: new Date('2026-03-15T12:00:00Z'), formatParams: { date: { dateStyle: 'long' } } }],
      ['case.due.left', { count: '3' }],
    ];
    for (const [key, options] of cases) {
      assert.equal(t(key, options), I18NEXT.t(key, { ...options, lng: 'de-DE' }), `${key} ${JSON.stringify(options)}`);
    }
    assert.equal(
      t('caseList.row', { caseId: 'DSR-2026-0001', lng: 'fr-FR', subject: 'Maria' }),
      I18NEXT.t('caseList.row', { caseId: 'DSR-2026-0001', lng: 'fr-FR', subject: 'Maria' }),
    );
  });

  it('answers a plain call from the compiled catalogue, without i18next', () => {
    const t = translator('es-ES');
    const expected = [t('caseList.row', { caseId: 'DSR-2026-0007', subject: 'Ana' }), t('case.due.left', { count: 3 })];
    const original = I18NEXT.t;
    I18NEXT.t = (() => {
      throw new Error('i18next was asked');
    }) as unknown as typeof I18NEXT.t;
    try {
      assert.deepEqual(
        [t('caseList.row', { caseId: 'DSR-2026-0007', subject: 'Ana' }), t('case.due.left', { count: 3 })],
        expected,
      );
      assert.throws(() => t('caseList.row', { caseId: 'DSR-2026-0007' }), /i18next was asked/);
    } finally {
      I18NEXT.t = original;
    }
  });
});

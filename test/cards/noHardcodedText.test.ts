import assert from 'node:assert/strict';
import { adaptiveCard, executeAction, textBlock } from '../../cards/adaptive.js';
import { shownAsText } from '../../cards/format.js';
import { PSEUDO_CLOSE, PSEUDO_LOCALE, PSEUDO_OPEN, translator } from '../../i18n/index.js';
import { CASE_VERBS } from '../../cards/verbs.js';
import { readableTexts } from './cardTexts.js';
import { CARD_FIXTURES, type CardFixture } from './fixtures/index.js';

const MARKED = new RegExp(`${PSEUDO_OPEN}[^${PSEUDO_OPEN}${PSEUDO_CLOSE}]*${PSEUDO_CLOSE}`, 'gu');

/** What is left of a text once catalogue text (marked, nested included) and the view model's data are taken out. */
function unexplained(text: string, data: readonly string[]): string {
  let rest = text;
  for (let before = ''; before !== rest;) {
    before = rest;
    rest = rest.replace(MARKED, ' ');
  }
  // Longest first, so a name is not half taken by a shorter value inside it.
  const values = [...data, ...data.map((value) => shownAsText(value))].sort((a, b) => b.length - a.length);
  for (const value of values) if (value) rest = rest.split(value).join(' ');
  return rest;
}

/** The texts on a card, rendered in the pseudo-locale, that hold words from neither the catalogue nor the data. */
function hardCoded(fixture: Pick<CardFixture, 'render' | 'data'>): string[] {
  return readableTexts(fixture.render(PSEUDO_LOCALE))
    .filter(({ text }) => /\p{L}/u.test(unexplained(text, fixture.data)))
    .map(({ path, text }) => `${path}: ${JSON.stringify(text)}`);
}

describe('card text comes from the catalogues', () => {
  for (const fixture of CARD_FIXTURES) {
    it(`${fixture.name}: every text a person reads is catalogue text or data`, () => {
      assert.deepEqual(hardCoded(fixture), []);
      const marked = readableTexts(fixture.render(PSEUDO_LOCALE)).filter(({ text }) => text.includes(PSEUDO_OPEN));
      assert.ok(marked.length > 0, 'the card shows no catalogue text at all');
    });
  }

  it('the check finds a word written into a card, in a text block and on a button', () => {
    const t = translator(PSEUDO_LOCALE);
    const found = hardCoded({
      data: ['Maria Garcia'],
      render: () =>
        adaptiveCard({
          body: [
            textBlock(t('case.header.titleNew', { caseId: 'x' })),
            textBlock('Maria Garcia'),
            textBlock('Due soon'),
          ],
          actions: [executeAction('Refresh', CASE_VERBS.refresh, {})],
        }),
    });
    assert.deepEqual(found, [
      '$.body[2].text: "Due soon"',
      '$.actions[0].title: "Refresh"',
      '$.actions[0].fallback.title: "Refresh"',
    ]);
  });

  it('the pseudo-locale marks catalogue text, and real locales do not', () => {
    assert.equal(translator(PSEUDO_LOCALE)('case.due.today'), `${PSEUDO_OPEN}due today${PSEUDO_CLOSE}`);
    assert.equal(translator('de-DE')('case.due.today'), 'heute fällig');
  });
});

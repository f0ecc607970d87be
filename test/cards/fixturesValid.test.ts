import assert from 'node:assert/strict';
import { UI_LANGUAGES } from '../../i18n/index.js';
import { cardProblems } from '../support/cardRules.js';
import { CARD_FIXTURES } from './fixtures/index.js';

describe('every registered card passes Microsoft’s validator in every language', () => {
  for (const fixture of CARD_FIXTURES)
    it(fixture.name, () => {
      for (const language of UI_LANGUAGES) assert.deepEqual(cardProblems(fixture.render(language)), [], language);
    });
});

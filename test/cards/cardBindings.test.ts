import { said } from '../../i18n/index.js';
import assert from 'node:assert/strict';
import { intakeCard } from '../../cards/intakeCard.js';
import { triageCard } from '../../cards/triageCard.js';
import type { CardJson } from '../../cards/template.js';
import { sampleCase } from '../support/cases.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };

function unboundTexts(card: CardJson): string[] {
  return JSON.stringify(card).match(/\$\{[^}]*\}/g) ?? [];
}

// Seen in the browser: an empty field showed its own binding, "${values.subjectName}", as its value.
describe('cards people see show no template bindings', () => {
  it('a fresh intake form has empty fields, not "${...}"', () => {
    const card = intakeCard({ intakeId: 'b3f1c7d2-1111-4222-8333-944455556666', now: NOW, timeZone: 'Europe/Berlin' });
    assert.deepEqual(unboundTexts(card), []);
  });

  it('an intake form shown again keeps what was typed and leaves the rest empty', () => {
    const card = intakeCard({
      intakeId: 'b3f1c7d2-1111-4222-8333-944455556666',
      now: NOW,
      timeZone: 'Europe/Berlin',
      values: { subjectName: 'Maria Garcia' },
      errors: { requestTypes: said('intake.errors.rights') },
    });
    assert.deepEqual(unboundTexts(card), []);
    assert.match(JSON.stringify(card), /"value":"Maria Garcia"/);
  });

  it('a triage card of a new case', () => {
    assert.deepEqual(unboundTexts(triageCard(sampleCase(), NOW, calendar, [])), []);
  });
});

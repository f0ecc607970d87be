import assert from 'node:assert/strict';
import { describeVerdict, type TrailVerdict } from '../../../dsr/audit.js';
import { said, translator } from '../../../i18n/index.js';
import { snoozedUntil } from '../../../teams/conversation/reminderDialogCommands.js';
import { verdictWords } from '../../../teams/conversation/verdictWords.js';

const head = { seq: 6, hash: 'ab12cd34ef56'.padEnd(64, '0') };
const VERDICTS: TrailVerdict[] = [
  { kind: 'intact', head, headLostAfter: [] },
  { kind: 'intact', head, headLostAfter: [3, 5] },
  { kind: 'edited', at: 4, reason: said('replies.verdict.reason.changed') },
  { kind: 'resealed', at: 4, reason: said('replies.verdict.reason.unknownKey') },
  { kind: 'headMissing', events: 6 },
  { kind: 'truncated', head, events: 3 },
  { kind: 'beyondHead', head, events: 8 },
  { kind: 'headMismatch', head },
  { kind: 'shorterThanWitnessed', witnessed: { seq: 9, hashPrefix: 'ab12cd34' }, events: 6 },
  { kind: 'witnessedNotContained', witnessed: { seq: 4, hashPrefix: 'ab12cd34' } },
];

describe('the audit verdict in words', () => {
  it('reads in English as it always did', () => {
    for (const verdict of VERDICTS) assert.equal(verdictWords(verdict, translator('en-US')), describeVerdict(verdict));
  });

  it('reads in German, French and Spanish, with one event in the singular', () => {
    assert.match(verdictWords(VERDICTS[0]!, translator('de-DE')), /^Das Audit-Protokoll ist unversehrt: 6 Einträge/);
    assert.match(
      verdictWords({ kind: 'intact', head: { ...head, seq: 1 }, headLostAfter: [] }, translator('de-DE')),
      /unversehrt: 1 Eintrag,/,
    );
    assert.match(verdictWords(VERDICTS[5]!, translator('fr-FR')), /ne contient que 3 événements\.$/);
    assert.match(verdictWords(VERDICTS[4]!, translator('es-ES')), /los 6 eventos enlazan/);
    assert.match(verdictWords(VERDICTS[1]!, translator('es-ES')), /después del evento #3, #5:/);
    // What broke the chain is worded in the reader's language too.
    assert.match(
      verdictWords(VERDICTS[2]!, translator('de-DE')),
      /unterbrochen: sein Inhalt wurde nach dem Schreiben geändert\./,
    );
    assert.match(verdictWords(VERDICTS[3]!, translator('fr-FR')), /une clé que ce bot ne détient pas/);
  });
});

describe('the end of a snooze', () => {
  const calendar = { timeZone: 'Europe/Berlin' } as Parameters<typeof snoozedUntil>[1];
  const until = new Date('2026-04-07T12:00:00Z');

  it('is written as a sentence of the reader’s language says it, with the organisation’s zone', () => {
    assert.match(snoozedUntil(until, calendar, 'en-US'), /^Tuesday 7 April 2026, 14:00 \(/);
    assert.match(snoozedUntil(until, calendar, 'de-DE'), /^Dienstag, 7\. April 2026, 14:00 Uhr \(/);
    assert.match(snoozedUntil(until, calendar, 'fr-FR'), /^mardi 7 avril 2026 à 14:00 \(/);
    assert.match(snoozedUntil(until, calendar, 'es-ES'), /^martes 7 de abril de 2026 a las 14:00 \(/);
  });
});

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { translator, UI_LANGUAGES } from '../../i18n/index.js';
import type { AuditEvent } from '../../dsr/audit.js';
import type { DsrCase } from '../../dsr/case.js';
import {
  AUDITED_ACTIONS,
  REFUSABLE_ACTIONS,
  eventSentence,
  eventTime,
  hasWording,
} from '../../teams/conversation/auditWords.js';
import { sampleCase } from '../support/cases.js';

/** The project's sources, beside the compiled tests (dist/test/unit → the repository root). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every action name the code writes to the trail as a literal, by the calls that write one. */
function writtenActions(): Map<string, string> {
  const patterns = [
    /recordAccess\(\s*[^,()]+,\s*[^,()]+,\s*'([\w-]+)'/g,
    /recordSetting\(\s*[^,()]+,\s*'([\w-]+)'/g,
    /recordRefusal\(\s*[^,()]+,\s*'([\w-]+)'/g,
    /this\.draft\(\s*[^,()]+,\s*[^,()]+,\s*'([\w-]+)'/g,
    /allowed\(context, '([\w-]+)'\)/g,
    /\baction: '([\w-]+)'/g,
  ];
  const found = new Map<string, string>();
  for (const file of ['app', 'teams', 'dsr', 'storage', 'connectors'].flatMap(sources)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.set(match[1]!, file);
  }
  return found;
}

const calendar = { timeZone: 'Europe/Berlin', holidays: [], workingDays: [1, 2, 3, 4, 5] };

function event(action: string, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    seq: 3,
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
    at: '2026-03-10T08:15:00.000Z',
    actorId: 'a1e7c0de-0000-4000-8000-000000000003',
    caseId: 'DSR-2026-0001',
    action,
    outcome: 'applied',
    version: 4,
    detail: {},
    ...extra,
  };
}

describe('the audit trail in words', () => {
  it('has words, in every language, for every action the code writes to the trail', () => {
    const written = writtenActions();
    assert.ok(written.size >= 10, `the scan finds the calls that write the trail (${written.size})`);
    for (const [action, file] of written) {
      assert.ok(AUDITED_ACTIONS.includes(action), `${action} (written in ${file}) is not in AUDITED_ACTIONS`);
    }
    for (const language of UI_LANGUAGES) {
      const t = translator(language);
      for (const action of AUDITED_ACTIONS) {
        assert.ok(hasWording(`audit.done.${action}`), `${action} has no wording`);
        assert.notEqual(t(`audit.done.${action}`, { who: 'X', step: 'Y' }), `audit.done.${action}`, language);
      }
      for (const action of REFUSABLE_ACTIONS) {
        assert.ok(hasWording(`audit.attempt.${action}`), `${action} has no wording for a refusal`);
        assert.notEqual(t(`audit.attempt.${action}`, { step: 'Y' }), `audit.attempt.${action}`, language);
      }
    }
  });

  // Only what the words read of a plan: the step's right and its system's name.
  const step = { id: 'delete:bc', right: 'delete', systemId: 'bc', systemName: 'Business Central' };
  const planned = { ...sampleCase({ requestTypes: ['delete'] }), plan: { steps: [step] } } as unknown as DsrCase;
  const names = new Map([['a1e7c0de-0000-4000-8000-000000000003', 'Adele Vance']]);

  it('names the person, the step and the system with a plain verb', () => {
    const approved = event('approveStep', { detail: { stepId: 'delete:bc', right: 'delete', systemId: 'bc' } });
    assert.equal(
      eventSentence(approved, names, planned, translator('en')),
      'Adele Vance approved the erasure in Business Central',
    );
    assert.equal(
      eventSentence(approved, names, planned, translator('de')),
      'Adele Vance hat die Löschung in Business Central freigegeben',
    );
    assert.equal(eventSentence(event('tickStep'), new Map(), undefined, translator('en')).includes('a1e7c0de'), true);
    assert.match(eventSentence(event('tickStep'), new Map(), undefined, translator('en')), /not in the directory/);
  });

  it('says what someone was refused, and why', () => {
    const refused = event('approveStep', { outcome: 'refused', detail: { refusal: 'stale' } });
    assert.equal(
      eventSentence(refused, names, planned, translator('en')),
      'Adele Vance tried to approve a step of the plan, and was refused: the card was out of date.',
    );
    const forged = event('plan.explode', { outcome: 'refused', detail: { refusal: 'invalid-input' } });
    assert.match(eventSentence(forged, names, planned, translator('fr')), /a voulu agir sur le plan/);
  });

  it('shows the time in the organisation’s zone', () => {
    assert.match(eventTime('2026-03-10T08:15:00.000Z', calendar, 'en-GB'), /09:15/);
    assert.match(eventTime('2026-07-10T08:15:00.000Z', calendar, 'de-DE'), /10:15/);
  });
});

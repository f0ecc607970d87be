import assert from 'node:assert/strict';
import type { ChangePreview, ChangeTarget } from '../../dsr/changes.js';
import type { FoundRecord, SystemFindings } from '../../dsr/discovery.js';
import { keepAccountsOfActiveWorkers } from '../../dsr/keptAccounts.js';
import { sampleCase } from '../support/cases.js';

const at = '2026-01-10T10:00:00Z';
const system = (systemId: string, records: FoundRecord[]): SystemFindings => ({
  systemId,
  displayName: systemId,
  status: 'found',
  counts: {},
  records,
  queries: [],
  at,
  durationMs: 1,
});
const worker = (number: string, status: string, extra: Partial<FoundRecord> = {}): FoundRecord => ({
  kind: 'worker',
  id: number,
  fields: { PersonnelNumber: number, Name: 'Someone', WorkerStatus: status },
  matchedOn: ['employeeId'],
  ...extra,
});
const user = (id: string, employeeId: string): FoundRecord => ({
  kind: 'user',
  id,
  fields: { displayName: 'Someone', employeeId },
  matchedOn: ['email'],
});
const target = (id: string): ChangeTarget => ({ kind: 'user', id, label: id, changes: [], order: 1 });

function caseWith(systems: SystemFindings[]) {
  return sampleCase({ findings: { query: { names: [], emails: [] } as never, systems, updatedAt: at } });
}

const deletion = (ids: string[]): ChangePreview => ({
  systemId: 'graph',
  request: { right: 'delete' },
  targets: ids.map(target),
  retained: [],
  guided: [],
  queries: [],
});

describe('Entra accounts of workers who are not terminated', () => {
  const dsrCase = caseWith([
    system('hr', [
      worker('E-1', 'Active'),
      worker('E-2', 'Terminated'),
      // Someone else's record, set aside by a person: it keeps nothing.
      worker('E-3', 'Active', { notThisPerson: { at, byId: 'officer' } }),
      // Found on the name only and never confirmed: a candidate keeps nothing either.
      worker('E-4', 'Active', { matchedOn: ['name'] }),
    ]),
    system('fno', [worker('E-5', '')]),
    system('graph', [user('u1', 'E-1'), user('u2', 'E-2'), user('u3', 'E-3'), user('u4', 'E-4'), user('u5', 'E-5')]),
  ]);

  it('keeps the account of a worker not terminated, tied by employee id, with the reason', () => {
    const kept = keepAccountsOfActiveWorkers(dsrCase, deletion(['u1', 'u2', 'u3', 'u4', 'u5']));
    assert.deepEqual(
      kept.targets.map((t) => t.id),
      ['u2', 'u3', 'u4'],
    );
    assert.deepEqual(
      kept.retained.map((r) => [r.id, r.reason]),
      [
        [
          'u1',
          'The account belongs to worker E-1 in Human Resources, who is not terminated: it is kept until the employment ends.',
        ],
        [
          'u5',
          'The account belongs to worker E-5 in Finance and Operations, who is not terminated: it is kept until the employment ends.',
        ],
      ],
    );
  });

  it('changes nothing for another right or another system', () => {
    const restriction = { ...deletion(['u1']), request: { right: 'restrict' as const, mode: 'flag' as const } };
    assert.deepEqual(keepAccountsOfActiveWorkers(dsrCase, restriction), restriction);
    const crm = { ...deletion(['u1']), systemId: 'crm' };
    assert.deepEqual(keepAccountsOfActiveWorkers(dsrCase, crm), crm);
  });
});

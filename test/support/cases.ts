import type { DsrCase } from '../../dsr/case.js';

/** A case as the store holds it, for tests that work below the case service. */
export function sampleCase(overrides: Partial<DsrCase> = {}): DsrCase {
  return {
    id: 'DSR-2026-0001',
    version: 1,
    status: 'received',
    subject: {
      name: 'Maria Garcia',
      emails: ['maria.garcia@example.org'],
      phones: [],
      identifiers: {},
      role: 'customer',
    },
    requestTypes: ['access'],
    regulation: 'GDPR',
    receivedAt: '2026-03-02T09:00:00.000Z',
    dueAt: '2026-04-02T21:59:59.999Z',
    identityCheck: 'not-yet',
    details: '',
    requester: { id: 'a1e7c0de-0000-4000-8000-000000000001', name: 'Alex Wilber' },
    createdAt: '2026-03-02T09:05:00.000Z',
    updatedAt: '2026-03-02T09:05:00.000Z',
    intakeKey: 'intake-1',
    assignee: null,
    pause: null,
    identityRequests: [],
    extension: null,
    identityVerified: null,
    decision: null,
    notes: [],
    ...overrides,
  };
}

import type { AuditEvent } from '../dsr/audit.js';
import type { DsrCase } from '../dsr/case.js';
import type { CaseStore } from '../dsr/ports/store.js';

/**
 * What moving a deployment between backends needs beyond `CaseStore`: everything read out raw,
 * and written back without re-sealing, so the audit trail keeps its original hashes.
 */
export interface PortableStore extends CaseStore {
  counters(): Promise<Record<string, number>>;
  raiseCounter(year: number, last: number): Promise<void>;
  /** Writes a case as it is, with no audit event: its history arrives through `importAuditEvents`. */
  importCase(dsrCase: DsrCase): Promise<void>;
  /** Appends already sealed events; each must link to the trail's current head. */
  importAuditEvents(events: AuditEvent[]): Promise<void>;
  stateEntries(): AsyncIterable<{ key: string; value: unknown }>;
}

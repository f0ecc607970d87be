import { createHash } from 'node:crypto';

export type AuditOutcome = 'applied' | 'refused' | 'recovered';

/** Values kept in an audit event. No names or emails: the trail outlives the case's personal data. */
export type AuditDetail = Record<string, string | number | boolean | string[] | null>;

export interface AuditDraft {
  at: string;
  actorId: string;
  caseId: string | null;
  action: string;
  outcome: AuditOutcome;
  /** The case version this event produced (applied) or was refused at. */
  version: number | null;
  detail: AuditDetail;
}

export interface AuditEvent extends AuditDraft {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Key order is fixed here so that a hash never depends on how a store happened to serialise the event. */
function canonical(event: Omit<AuditEvent, 'hash'>): string {
  const detailKeys = Object.keys(event.detail).sort();
  const detail: AuditDetail = {};
  for (const key of detailKeys) detail[key] = event.detail[key] ?? null;
  return JSON.stringify([
    event.seq,
    event.prevHash,
    event.at,
    event.actorId,
    event.caseId,
    event.action,
    event.outcome,
    event.version,
    detail,
  ]);
}

export function sealEvent(draft: AuditDraft, seq: number, prevHash: string): AuditEvent {
  const unsealed = { ...draft, seq, prevHash };
  const hash = createHash('sha256').update(canonical(unsealed)).digest('hex');
  return { ...unsealed, hash };
}

export type ChainVerdict =
  | { intact: true; events: number; headHash: string }
  | { intact: false; events: number; brokenAt: number; reason: string };

/** Checks each link in order and stops at the first one that does not hold, so the report points at the edit. */
export async function verifyChain(events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for await (const event of events) {
    count += 1;
    if (event.seq !== expectedSeq) {
      return { intact: false, events: count, brokenAt: event.seq, reason: `expected event #${expectedSeq} here` };
    }
    if (event.prevHash !== prevHash) {
      return { intact: false, events: count, brokenAt: event.seq, reason: 'it does not link to the event before it' };
    }
    const { hash, ...rest } = event;
    const recomputed = sealEvent(rest, rest.seq, rest.prevHash).hash;
    if (recomputed !== hash) {
      return {
        intact: false,
        events: count,
        brokenAt: event.seq,
        reason: 'its content was changed after it was written',
      };
    }
    prevHash = hash;
    expectedSeq += 1;
  }
  return { intact: true, events: count, headHash: prevHash };
}

import { createHash, createHmac } from 'node:crypto';
import { findKey, type AuditKeys } from './auditKeys.js';
import { inEnglish, said, type Said } from '../i18n/index.js';

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
  /** The key that sealed the event (HMAC-SHA256); absent on events from before keys, sealed with plain SHA-256. */
  keyId?: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Recorded when the store finds its head gone at startup, before a new head replaces it. */
export const AUDIT_HEAD_MISSING = 'audit-head-missing';

/** Recorded, sealed with the new key, when a key first seals the trail or replaces the one before. */
export const AUDIT_KEY_INTRODUCED = 'audit-key-introduced';

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
    // Only keyed events carry it, so the hashes of events from before keys stay as they were.
    ...(event.keyId === undefined ? [] : [event.keyId]),
  ]);
}

function plainHash(event: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(canonical(event)).digest('hex');
}

/** With keys, the event is sealed with HMAC-SHA256 under the current key: without it nobody can re-seal the trail. */
export function sealEvent(draft: AuditDraft, seq: number, prevHash: string, keys?: AuditKeys): AuditEvent {
  if (!keys) {
    const unsealed = { ...draft, seq, prevHash };
    return { ...unsealed, hash: plainHash(unsealed) };
  }
  const unsealed = { ...draft, seq, prevHash, keyId: keys.current.id };
  const hash = createHmac('sha256', keys.current.secret).update(canonical(unsealed)).digest('hex');
  return { ...unsealed, hash };
}

/** Whether a store must record a key before its next event: no event yet under the current key ends the trail. */
export function needsKeyIntroduction(last: AuditEvent | undefined, keys: AuditKeys | undefined): boolean {
  return keys !== undefined && last?.keyId !== keys.current.id;
}

export function keyIntroduction(last: AuditEvent | undefined, keys: AuditKeys, at: Date): AuditDraft {
  return {
    at: at.toISOString(),
    actorId: 'system',
    caseId: null,
    action: AUDIT_KEY_INTRODUCED,
    outcome: 'applied',
    version: null,
    detail: { keyId: keys.current.id, previousKeyId: last?.keyId ?? null, afterSeq: last?.seq ?? 0 },
  };
}

export type ChainVerdict =
  | { intact: true; events: number; headHash: string }
  | { intact: false; events: number; brokenAt: number; reason: Said; resealed?: boolean };

/** Checks each link in order and stops at the first one that does not hold, so the report points at the edit. */
export async function verifyChain(
  events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>,
  keys?: AuditKeys,
): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let keyed = false;
  for await (const event of events) {
    count += 1;
    if (event.seq !== expectedSeq) {
      return {
        intact: false,
        events: count,
        brokenAt: event.seq,
        reason: said('replies.verdict.reason.sequence', { seq: expectedSeq }),
      };
    }
    if (event.prevHash !== prevHash) {
      return { intact: false, events: count, brokenAt: event.seq, reason: said('replies.verdict.reason.link') };
    }
    const { hash, ...rest } = event;
    const broken = (reason: Said, resealed = false): ChainVerdict => ({
      intact: false,
      events: count,
      brokenAt: event.seq,
      reason,
      resealed,
    });
    if (rest.keyId === undefined) {
      const matches = plainHash(rest) === hash;
      // Once a key seals the trail, an event without one was sealed by someone who lacks the key.
      if (matches && keyed) return broken(said('replies.verdict.reason.unkeyed'), true);
      if (!matches) return broken(said('replies.verdict.reason.changed'));
    } else {
      keyed = true;
      const key = keys ? findKey(keys, rest.keyId) : undefined;
      if (!key) return broken(said('replies.verdict.reason.unknownKey'));
      if (createHmac('sha256', key.secret).update(canonical(rest)).digest('hex') !== hash) {
        return plainHash(rest) === hash
          ? broken(said('replies.verdict.reason.unkeyed'), true)
          : broken(said('replies.verdict.reason.changed'));
      }
    }
    prevHash = hash;
    expectedSeq += 1;
  }
  // A bot that holds a key always records one on the trail before its first event.
  if (keys && count > 0 && !keyed) {
    return {
      intact: false,
      events: count,
      brokenAt: 1,
      reason: said('replies.verdict.reason.noneKeyed'),
      resealed: true,
    };
  }
  return { intact: true, events: count, headHash: prevHash };
}

/** The trail's last sequence and hash, kept outside the chain so that cutting events off the end shows. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** What a reader saw earlier (in the digest or a previous "verify audit"): a sequence and a hash prefix. */
export interface WitnessedHead {
  seq: number;
  hashPrefix: string;
}

/** Enough of a hash to recognise it in a message, short enough to read aloud. */
export const SHORT_HASH = 8;

export function shortHead(head: AuditHead): string {
  return `#${head.seq} ${head.hash.slice(0, SHORT_HASH)}`;
}

export type TrailVerdict =
  | { kind: 'intact'; head: AuditHead; headLostAfter: number[] }
  | { kind: 'edited'; at: number; reason: Said }
  | { kind: 'resealed'; at: number; reason: Said }
  | { kind: 'headMissing'; events: number }
  | { kind: 'truncated'; head: AuditHead; events: number }
  | { kind: 'beyondHead'; head: AuditHead; events: number }
  | { kind: 'headMismatch'; head: AuditHead }
  | { kind: 'shorterThanWitnessed'; witnessed: WitnessedHead; events: number }
  | { kind: 'witnessedNotContained'; witnessed: WitnessedHead };

/**
 * Checks the chain, then holds it against the head kept beside it and, when given, a head a reader
 * saw earlier: a chain alone cannot show that its last events were cut off. The head is read
 * before the events and once more if the chain ran past it, so an append while the trail is being
 * read is not mistaken for tampering.
 */
export async function verifyTrail(
  events: AsyncIterable<AuditEvent> | Iterable<AuditEvent>,
  readHead: () => Promise<AuditHead | undefined>,
  witnessed?: WitnessedHead,
  keys?: AuditKeys,
): Promise<TrailVerdict> {
  let head = await readHead();
  let witnessedHash: string | undefined;
  const headLostAfter: number[] = [];
  const watched = (async function* () {
    for await (const event of events) {
      if (witnessed && event.seq === witnessed.seq) witnessedHash = event.hash;
      if (event.action === AUDIT_HEAD_MISSING) headLostAfter.push(Number(event.detail.lastSeq));
      yield event;
    }
  })();
  const chain = await verifyChain(watched, keys);
  if (!chain.intact) {
    return { kind: chain.resealed ? 'resealed' : 'edited', at: chain.brokenAt, reason: chain.reason };
  }
  if (witnessed) {
    if (chain.events < witnessed.seq) return { kind: 'shorterThanWitnessed', witnessed, events: chain.events };
    if (witnessed.seq > 0 && !witnessedHash?.startsWith(witnessed.hashPrefix.toLowerCase())) {
      return { kind: 'witnessedNotContained', witnessed };
    }
  }
  if (head && head.seq < chain.events) head = await readHead();
  // An empty trail needs no head: nothing was written that could have been cut off.
  if (!head)
    return chain.events === 0
      ? { kind: 'intact', head: { seq: 0, hash: GENESIS_HASH }, headLostAfter }
      : { kind: 'headMissing', events: chain.events };
  if (head.seq > chain.events) return { kind: 'truncated', head, events: chain.events };
  if (head.seq < chain.events) return { kind: 'beyondHead', head, events: chain.events };
  if (head.hash !== chain.headHash) return { kind: 'headMismatch', head };
  return { kind: 'intact', head, headLostAfter };
}

/** The verdict as the privacy team reads it in "verify audit". */
export function describeVerdict(verdict: TrailVerdict): string {
  switch (verdict.kind) {
    case 'intact': {
      const lost = verdict.headLostAfter.map((seq) => `#${seq}`).join(', ');
      const caveat = lost
        ? ` But the head record was found missing at a restart after event ${lost}: events removed before then would not show.`
        : '';
      return `The audit trail is intact: ${verdict.head.seq} events, each linked to the one before. Its head is ${shortHead(verdict.head)} (a later "verify audit ${verdict.head.seq} ${verdict.head.hash.slice(0, SHORT_HASH)}" shows whether anything was cut off since).${caveat}`;
    }
    case 'edited':
      return `The audit trail is broken at event #${verdict.at}: ${inEnglish(verdict.reason)}. Everything before it checks out; treat that event and what follows as suspect.`;
    case 'resealed':
      return `The audit trail was re-sealed from event #${verdict.at} on: ${inEnglish(verdict.reason)}. The chain links up, but not under the bot's key; treat that event and what follows as forged.`;
    case 'headMissing':
      return `The audit trail's head record is missing: the ${verdict.events} events link up, but nothing shows whether events were removed at the end.`;
    case 'truncated':
      return `Events were removed at the end of the audit trail: the head records ${shortHead(verdict.head)}, the trail holds only ${verdict.events} events.`;
    case 'beyondHead':
      return `The audit trail holds ${verdict.events} events, more than its head records (${shortHead(verdict.head)}): events were added outside the bot.`;
    case 'headMismatch':
      return `The audit trail was rewritten: its last event does not match the head ${shortHead(verdict.head)}.`;
    case 'shorterThanWitnessed':
      return `The audit trail is shorter than the head you saw (#${verdict.witnessed.seq}): it holds only ${verdict.events} events, so events were removed.`;
    case 'witnessedNotContained':
      return `The audit trail does not contain the head you saw (#${verdict.witnessed.seq} ${verdict.witnessed.hashPrefix}): event #${verdict.witnessed.seq} was rewritten since.`;
  }
}

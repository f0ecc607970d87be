import type { FoundRecord, IdentifierKind, SystemFindings } from './findings.js';

/**
 * Whether a record is the data subject's. An identifier that names one person (an exact email, a
 * customer or employee number) is strong; one that many people share (a name, a phone number) is
 * weak. A record matched on weak identifiers only is a candidate: a namesake until a member of the
 * privacy team confirms it is the person, and until then never exported, changed or counted.
 */
export const IDENTIFIER_STRENGTH: Record<IdentifierKind, 'strong' | 'weak'> = {
  email: 'strong',
  customerNumber: 'strong',
  employeeId: 'strong',
  name: 'weak',
  phone: 'weak',
};

export const IDENTIFIER_LABELS: Record<IdentifierKind, string> = {
  email: 'email',
  customerNumber: 'customer number',
  employeeId: 'employee id',
  name: 'name',
  phone: 'phone',
};

export function isStrongMatch(matchedOn: readonly IdentifierKind[]): boolean {
  return matchedOn.some((identifier) => IDENTIFIER_STRENGTH[identifier] === 'strong');
}

/** `finding`: the person's; `candidate`: waits for a person's decision; `rejected`: someone else's. */
export type Standing = 'finding' | 'candidate' | 'rejected';

function ownerOf(findings: SystemFindings, record: FoundRecord): FoundRecord | undefined {
  return record.via === undefined ? undefined : findings.records.find((r) => r.id === record.via && !r.via);
}

/** Whether the search alone, before anyone decided, tied the record to the person by a strong identifier. */
export function strongAtSearch(findings: SystemFindings, record: FoundRecord): boolean {
  if (record.via === undefined) return isStrongMatch(record.matchedOn ?? []);
  const owner = ownerOf(findings, record);
  // A record whose owner is not on the case cannot show how it was found: a person decides.
  return owner !== undefined && isStrongMatch(owner.matchedOn ?? []);
}

/** A related record (a note on a contact) stands as the record it belongs to, unless marked itself. */
export function standingOf(findings: SystemFindings, record: FoundRecord): Standing {
  if (record.notThisPerson) return 'rejected';
  const main = record.via === undefined ? record : ownerOf(findings, record);
  if (!main) return 'candidate';
  if (main.notThisPerson) return 'rejected';
  if (main.confirmed || isStrongMatch(main.matchedOn ?? [])) return 'finding';
  return 'candidate';
}

/** The identifiers a record was found by, in words, for the cards. */
export function matchedOnText(findings: SystemFindings, record: FoundRecord): string {
  const main = record.via === undefined ? record : ownerOf(findings, record);
  const on = (main?.matchedOn ?? []).map((identifier) => IDENTIFIER_LABELS[identifier]);
  const words = on.length > 0 ? on.join(' and ') : 'nothing the bot could confirm';
  return record.via === undefined ? `matched on ${words}` : `through a ${main?.kind ?? 'record'} matched on ${words}`;
}

/**
 * The records of each kind that are the person's: the search's strong matches, less those marked
 * someone else's, plus the candidates a person confirmed (with what belongs to them).
 */
export function personCounts(findings: SystemFindings): Record<string, number> {
  const counts: Record<string, number> = { ...findings.counts };
  for (const record of findings.records) {
    const strong = strongAtSearch(findings, record);
    const standing = standingOf(findings, record);
    if (strong && standing === 'rejected') counts[record.kind] = (counts[record.kind] ?? 0) - 1;
    if (!strong && standing === 'finding') counts[record.kind] = (counts[record.kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

/** The candidates still waiting for a person's decision, the records they were found with excluded. */
export function openCandidates(findings: SystemFindings): FoundRecord[] {
  return findings.records.filter((record) => record.via === undefined && standingOf(findings, record) === 'candidate');
}

/**
 * Which records of one system a package, a preview or a change may reach: decided here, from the
 * identifiers each record matched on and the team's decisions, and applied by the connector to
 * what it reads again.
 */
export interface RecordSelection {
  /** A record found directly, by the identifiers it matched on. */
  admits(id: string, matchedOn: readonly IdentifierKind[]): boolean;
  /** A record found through one the selection admitted (a note on a contact): out only when marked someone else's. */
  admitsRelated(id: string): boolean;
}

/** Every record, for a search that checks what is still there after a deletion. */
export const EVERY_RECORD: RecordSelection = { admits: () => true, admitsRelated: () => true };

export function selectionOf(findings: SystemFindings | undefined): RecordSelection {
  const rejected = new Set((findings?.records ?? []).filter((r) => r.notThisPerson).map((r) => r.id));
  const confirmed = new Set((findings?.records ?? []).filter((r) => r.confirmed && !r.via).map((r) => r.id));
  return {
    admits: (id, matchedOn) => !rejected.has(id) && (isStrongMatch(matchedOn) || confirmed.has(id)),
    admitsRelated: (id) => !rejected.has(id),
  };
}

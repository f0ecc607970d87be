/**
 * What discovery records on a case: the systems, the identifiers searched, the records found.
 * A leaf of the domain (it imports only the type of catalogue words from the i18n leaf), so the
 * case, the plan and the change steps can name findings without importing the search itself.
 */
import type { Said } from '../i18n/index.js';

/** What a system lets the bot do for a data subject, in the order of the guide. */
export const CAPABILITIES = ['find', 'export', 'rectify', 'restrict', 'delete'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface GuideLink {
  /** The page's title in English, as Microsoft's documentation names it. */
  title: string;
  /** The title in the catalogue's words, for the reader's language; the address stays the same. */
  said?: Said;
  url: string;
}

/** A step a person takes by hand where the bot has no API, with the guide's page for it. */
export interface ManualStep {
  /** In English, as the guide writes it: the response letter and the audit trail read it. */
  text: string;
  /** The same in the catalogue's words, for the reader's language; steps kept before it existed have none. */
  said?: Said;
  link?: GuideLink;
}

export interface ConnectorInfo {
  id: string;
  displayName: string;
  capabilities: Capability[];
  /** For each capability the system lacks (or every one, when it has no API), what to do instead. */
  manualSteps: Partial<Record<Capability, ManualStep[]>>;
}

/** The identifiers a search uses; taken from the case, plus any the privacy team added. */
export interface SearchQuery {
  names: string[];
  emails: string[];
  phones: string[];
  customerNumbers: string[];
  employeeIds: string[];
}

/** The kinds of identifier a record can be matched on; how much each proves is decided in matching.ts. */
export const IDENTIFIER_KINDS = ['email', 'name', 'phone', 'customerNumber', 'employeeId'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export const FINDING_STATUSES = ['found', 'nothing', 'failed', 'not-connected'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** One record found, reduced to what identifies it: never the whole record. */
export interface FoundRecord {
  kind: string;
  id: string;
  fields: Record<string, string>;
  /** The identifiers of the person the record itself matched on; absent for a record found through another. */
  matchedOn?: IdentifierKind[];
  /** The id of the record this one was found through (the contact a note is on). */
  via?: string;
  /** Set when a privacy team member judged the record to be someone else's. */
  notThisPerson?: { at: string; byId: string };
  /** Set when a privacy team member confirmed a record matched on weak identifiers only is the person's. */
  confirmed?: { at: string; byId: string };
}

export interface SystemFindings {
  systemId: string;
  displayName: string;
  status: FindingStatus;
  /**
   * Records by kind that a strong identifier ties to the person, e.g. { contact: 1, email: 2 };
   * candidates (weak identifiers only) are not counted until a person confirms them.
   */
  counts: Record<string, number>;
  /** Records by kind found on weak identifiers only (or through such a record), as the search saw them. */
  candidateCounts?: Record<string, number>;
  /** The records found, every candidate among them, for the team to review; bounded by RECORDS_KEPT. */
  records: FoundRecord[];
  /** How many records were found beyond those kept on the case. */
  recordsLeftOut?: number;
  /** The requests the connector made, so a later reader can repeat the search. */
  queries: string[];
  /**
   * Per record kind, the label of each shown field as the system's own screens name it (from its
   * published metadata); absent on findings recorded before labels were kept.
   */
  labels?: Record<string, Record<string, string>>;
  at: string;
  durationMs: number;
  /** Why a search failed, in words a privacy team member can act on. */
  error?: string;
  manualSteps?: ManualStep[];
}

export interface CaseFindings {
  query: SearchQuery;
  /** One entry per system, the latest search of each. */
  systems: SystemFindings[];
  updatedAt: string;
}

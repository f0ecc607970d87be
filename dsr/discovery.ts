import type { DataSubject } from './case.js';
import type { ChangeConnector } from './changes.js';
import { personCounts, type RecordSelection } from './matching.js';
import { CAPABILITIES, type ConnectorInfo, type SearchQuery, type SystemFindings } from './findings.js';

// The records discovery keeps, where the rest of the code has always imported them.
export { CAPABILITIES, IDENTIFIER_KINDS, FINDING_STATUSES } from './findings.js';
export type {
  Capability,
  GuideLink,
  ManualStep,
  ConnectorInfo,
  SearchQuery,
  IdentifierKind,
  FindingStatus,
  FoundRecord,
  SystemFindings,
  CaseFindings,
} from './findings.js';

/** The domain's view of a searchable system; implemented under connectors/. */
export interface Connector {
  readonly info: ConnectorInfo;
  /** False for a system the deployment has not configured (or that has no API). */
  readonly connected: boolean;
  find(query: SearchQuery, signal?: AbortSignal): Promise<SystemFindings>;
  /**
   * Every record of the person, per kind, read page by page when iterated; only records the
   * selection admits (strong matches, confirmed candidates, never those marked someone else's) are
   * read. Absent where the system cannot export.
   */
  exportRecords?(query: SearchQuery, selection: RecordSelection, signal?: AbortSignal): Promise<ExportedKind[]>;
  /** Rectify, restrict and delete; absent where the system cannot change data through its API. */
  readonly changes?: ChangeConnector;
}

/** One record kind of one system, streamed when iterated so a large history never sits in memory. */
export interface ExportedKind {
  kind: string;
  records: () => AsyncIterable<Record<string, unknown>>;
  /** Each column's label as the system shows it (from its published metadata), for the package's readers. */
  labels?: Record<string, string>;
  /** The categories of personal data the kind holds (connectors/dataCategories.ts). */
  categories?: string[];
}

const unique = (values: readonly (string | undefined)[]): string[] => [
  ...new Set(values.map((value) => value?.trim() ?? '').filter((value) => value !== '')),
];

export function searchQueryFor(subject: DataSubject, extra: Partial<SearchQuery> = {}): SearchQuery {
  return {
    names: unique([subject.name, ...(extra.names ?? [])]),
    emails: unique([...subject.emails, ...(extra.emails ?? [])].map((email) => email.toLowerCase())),
    phones: unique([...subject.phones, ...(extra.phones ?? [])]),
    customerNumbers: unique([subject.identifiers.customerNumber, ...(extra.customerNumbers ?? [])]),
    employeeIds: unique([subject.identifiers.employeeId, ...(extra.employeeIds ?? [])]),
  };
}

export function mergeQueries(a: SearchQuery, b: Partial<SearchQuery>): SearchQuery {
  return {
    names: unique([...a.names, ...(b.names ?? [])]),
    emails: unique([...a.emails, ...(b.emails ?? [])].map((email) => email.toLowerCase())),
    phones: unique([...a.phones, ...(b.phones ?? [])]),
    customerNumbers: unique([...a.customerNumbers, ...(b.customerNumbers ?? [])]),
    employeeIds: unique([...a.employeeIds, ...(b.employeeIds ?? [])]),
  };
}

/** Findings of a system that is not configured, so it never reads as "nothing found". */
export function notConnectedFindings(info: ConnectorInfo, now: Date): SystemFindings {
  const steps = CAPABILITIES.flatMap((capability) => info.manualSteps[capability] ?? []);
  return {
    systemId: info.id,
    displayName: info.displayName,
    status: 'not-connected',
    counts: {},
    records: [],
    queries: [],
    at: now.toISOString(),
    durationMs: 0,
    manualSteps: steps,
  };
}

/** How many records of a system are the person's: strong matches and confirmed candidates. */
export function confirmedCount(findings: SystemFindings): number {
  return Object.values(personCounts(findings)).reduce((sum, n) => sum + n, 0);
}

/** At most this many records per system are kept on the case for review; the counts stay whole. */
export const RECORDS_KEPT = 1000;

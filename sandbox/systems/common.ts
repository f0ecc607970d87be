import type { Reply, SystemId, SystemRequest } from '../http.js';
import type { JsonRecord } from '../odata/filter.js';
import type { VersionClock } from '../odata/store.js';

/** Synthetic records for benchmarks, generated from their index when read. */
export interface BulkOption {
  system: 'crm' | 'fno' | 'bc' | 'hr';
  /** crm: activitypointers, annotations or contacts; fno: CustomersV3; bc: contacts or customers; hr: Workers. */
  entitySet: string;
  count: number;
  /** The row the generated activities or notes are about; Maria Garcia's contact by default. */
  regardingId?: string;
  /** F&O company of generated customers; the default company otherwise. */
  dataAreaId?: string;
  /** Business Central company of generated rows; the first seeded company otherwise. */
  companyId?: string;
  /** bc and hr: one email on every generated row, so that one person has them all; a distinct email each otherwise. */
  email?: string;
}

export interface SandboxCore {
  /** `https://localhost:PORT`, no trailing slash. */
  baseUrl: string;
  tenantId: string;
  tenantDomain: string;
  clock: VersionClock;
  bulk: readonly BulkOption[];
  fnoDefaultCompany: string;
  bcEnvironment: string;
  /** The optional solutions (Marketing, Project Service Automation...) a system has installed; `all` by default. */
  solutions(system: SystemId): ReadonlySet<string> | 'all';
}

/** Codes a system uses for the answers the server gives on its behalf (auth, throttling, faults). */
export interface SystemCodes {
  unauthorized: string;
  throttled: string;
  throttledMessage: string;
  internal: string;
  unavailable: string;
  notFound: string;
  badRequest: string;
}

export interface SystemService {
  id: SystemId;
  /** Path prefix under the sandbox root, such as `/crm`. */
  prefix: string;
  /** Token audience the system accepts. */
  resource: string;
  codes: SystemCodes;
  handle(request: SystemRequest): Reply | Promise<Reply>;
  reset(): void;
}

/** A GUID whose last 12 hex digits carry the index, so a key maps back to its generated row. */
export function bulkGuid(prefix: string, spec: number, index: number): string {
  return `${prefix}${spec.toString(16).padStart(8 - prefix.length, '0')}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

export function bulkGuidIndex(prefix: string, spec: number, key: string): number | undefined {
  const head = `${prefix}${spec.toString(16).padStart(8 - prefix.length, '0')}-0000-4000-8000-`;
  if (!key.startsWith(head) || key.length !== head.length + 12) return undefined;
  const index = Number.parseInt(key.slice(head.length), 16);
  return Number.isNaN(index) ? undefined : index;
}

export function isoFromIndex(base: number, index: number, stepSeconds: number): string {
  return new Date(base - index * stepSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function withoutKeys(record: JsonRecord, keys: readonly string[]): JsonRecord {
  const copy = { ...record };
  for (const key of keys) delete copy[key];
  return copy;
}

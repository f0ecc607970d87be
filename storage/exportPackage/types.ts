import type { Writable } from 'node:stream';

export type ExportFormat = 'json' | 'csv' | 'xml';

/** One record kind from one system, read lazily; the package never asks for it twice. */
export interface RecordSource {
  /** Stable system key, e.g. `dataverse`; used in file paths. */
  system: string;
  /** What the data subject reads, e.g. "Dynamics 365 Customer Engagement". */
  systemName: string;
  /** Record kind, e.g. `contact` or `activity`; one file per kind and format. */
  kind: string;
  /** Data categories the kind holds (keys of connectors/dataCategories.ts), shown in the summary in words. */
  categories?: string[];
  /** The label of each column as the system shows it; columns without one are named from their key. */
  labels?: Record<string, string>;
  records: () => AsyncIterable<Record<string, unknown>>;
}

/** Something the package does not contain, and why (a system not connected, guided manual steps, retained records). */
export interface Exclusion {
  system: string;
  reason: string;
}

export interface ExportPackageOptions {
  caseId: string;
  /** How the summary names the data subject; the caller decides how much of the name goes in. */
  subjectLabel: string;
  sources: RecordSource[];
  exclusions?: Exclusion[];
  /** Defaults to JSON and CSV. */
  formats?: ExportFormat[];
  extractedAt: Date;
  /** A path is written atomically (temporary name, renamed when complete); a stream is piped into and ended. */
  out: Writable | string;
  /** The data subject's language (en, de, fr, es) for the README, the summary and the column list; English otherwise. */
  language?: string;
  /** The organisation's time zone, for the local times beside each ISO time; UTC otherwise. */
  timeZone?: string;
  /** Where extra formats are spooled while the first one streams into the ZIP; defaults to the OS temp directory. */
  spoolDir?: string;
  /**
   * Told as each system's part is written (the files of its last source), in the order of the
   * sources, so a long package can show how far it has come. Awaited: a callback that throws fails
   * the package.
   */
  onSystemWritten?: (system: string) => void | Promise<void>;
}

export interface ManifestFile {
  path: string;
  format: ExportFormat;
  records: number;
}

export interface ManifestKind {
  kind: string;
  categories: string[];
  records: number;
  files: ManifestFile[];
}

export interface ManifestSystem {
  system: string;
  systemName: string;
  records: number;
  kinds: ManifestKind[];
}

export interface ExportManifest {
  packageFormat: 'dsr-export/1';
  caseId: string;
  subject: string;
  extractedAt: string;
  formats: ExportFormat[];
  complete: true;
  totalRecords: number;
  systems: ManifestSystem[];
  exclusions: Exclusion[];
  conventions: {
    json: string;
    csv: string;
    xml: string;
  };
}

export interface ExportPackageResult {
  manifest: ExportManifest;
  /** Size of the ZIP in bytes. */
  bytes: number;
}

export { writeExportPackage, ExportPackageError } from './writer.js';
export { CSV_ADDITIONAL_FIELDS, CSV_HEADER_SAMPLE } from './csv.js';
export type {
  Exclusion,
  ExportFormat,
  ExportManifest,
  ExportPackageOptions,
  ExportPackageResult,
  ManifestFile,
  ManifestKind,
  ManifestSystem,
  RecordSource,
} from './types.js';

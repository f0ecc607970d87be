import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Microsoft's published descriptions of the APIs the product calls, trimmed to what it uses and kept
 * in `connectors/metadata/` with their source, commit, date and licence (`scripts/refreshMetadata.ts`
 * rebuilds them). The sandbox is built from them and the conformance test holds every connector
 * description to them: they, not the sandbox, say what a real tenant accepts.
 */

/** The services that publish one description each; F&O and Human Resources share one. */
export const METADATA_SERVICES = ['graph', 'bc', 'dataverse', 'fno'] as const;
export type MetadataService = (typeof METADATA_SERVICES)[number];

/** The format this code reads; a file of an older format must be refreshed. */
export const METADATA_FORMAT = 1;

const operationsSchema = z.object({ insert: z.boolean(), update: z.boolean(), delete: z.boolean() }).strict();

export const entitySetMetaSchema = z
  .object({
    /** Qualified type name, as the service names it in messages. */
    type: z.string().min(1),
    key: z.array(z.string().min(1)).min(1),
    /** Property name to Edm type (`unknown` where the source does not give it). */
    properties: z.record(z.string(), z.string()),
    /**
     * Property name to the label the service's own user interface shows for it (English), from the
     * published source the file names (CDM displayName, the API page's Caption); absent where the
     * source has none (Graph's CSDL), see `fieldLabels.ts`.
     */
    labels: z.record(z.string(), z.string()).optional(),
    /** Properties the service refuses in a write. */
    readOnly: z.array(z.string()).optional(),
    /** Property name to the optional solution that adds it. */
    solutions: z.record(z.string(), z.string()).optional(),
    navigation: z.record(z.string(), z.object({ target: z.string(), collection: z.boolean() }).strict()).optional(),
    operations: operationsSchema,
    operationsSource: z.string().optional(),
    /** Reached only through a navigation of another entity, never as a top-level set. */
    contained: z.boolean().optional(),
    /** What the service returns when no `$select` is sent, where that is not every property. */
    defaultSelect: z.array(z.string()).optional(),
    actions: z.array(z.string()).optional(),
    /** Dataverse activity types: the `activitytypecode` whose records this set holds. */
    activityTypeCode: z.string().optional(),
  })
  .strict();

export type EntitySetMeta = z.infer<typeof entitySetMetaSchema>;

export const metadataFileSchema = z
  .object({
    format: z.number().int(),
    service: z.enum(METADATA_SERVICES),
    title: z.string(),
    source: z
      .object({
        repository: z.string().url(),
        commit: z.string().min(1),
        committed: z.string(),
        paths: z.array(z.string()).min(1),
        licence: z.string().min(1),
        retrieved: z.string(),
      })
      .strict(),
    notes: z.array(z.string()),
    entitySets: z.record(z.string(), entitySetMetaSchema),
  })
  .strict();

export type MetadataFile = z.infer<typeof metadataFileSchema>;

/** A metadata file that is missing, malformed or older than what the code needs. */
export class MetadataError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'MetadataError';
  }
}

/** The compiler does not copy JSON data files, so code running from dist/ reads them in the source tree. */
function metadataDir(): string {
  const candidates = ['./metadata/', '../../connectors/metadata/'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(`${dir}graph.json`)) ?? candidates[1]!;
}

export const METADATA_DIR = metadataDir();

export function metadataPath(service: MetadataService, dir = METADATA_DIR): string {
  return `${dir}${dir.endsWith('/') ? '' : '/'}${service}.json`;
}

/**
 * Reads and checks one metadata file; `needs` names entity sets (with properties) the caller relies
 * on, so a file older than the descriptions that use it is refused naming what it lacks.
 */
export function readMetadata(
  service: MetadataService,
  options: { dir?: string; needs?: Record<string, readonly string[]> } = {},
): MetadataFile {
  const path = metadataPath(service, options.dir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new MetadataError(path, 'the metadata file is missing; run scripts/refreshMetadata to rebuild it');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new MetadataError(path, `not valid JSON (${error instanceof Error ? error.message : 'unreadable'})`);
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format < METADATA_FORMAT) {
    throw new MetadataError(path, `format ${format} is older than ${METADATA_FORMAT}; refresh it`);
  }
  const parsed = metadataFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MetadataError(path, `malformed at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  if (parsed.data.service !== service) {
    throw new MetadataError(path, `describes '${parsed.data.service}', not '${service}'`);
  }
  for (const [set, properties] of Object.entries(options.needs ?? {})) {
    const meta = parsed.data.entitySets[set];
    if (!meta) throw new MetadataError(path, `has no entity set '${set}', which is needed; refresh it`);
    const missing = properties.filter((p) => !(p in meta.properties));
    if (missing.length > 0) {
      throw new MetadataError(path, `entity set '${set}' lacks ${missing.join(', ')}, which is needed; refresh it`);
    }
  }
  return parsed.data;
}

const cache = new Map<string, MetadataFile>();

/** The metadata of one service, read once per process from the repository's files. */
export function metadataOf(service: MetadataService): MetadataFile {
  let file = cache.get(service);
  if (!file) {
    file = readMetadata(service);
    cache.set(service, file);
  }
  return file;
}

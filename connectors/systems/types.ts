import type { ChangeRight } from '../../dsr/changes.js';
import type { ManualStep } from '../../dsr/discovery.js';
import type { ChangeHook } from '../changeEngine.js';
import type { DataCategory } from '../dataCategories.js';
import type { EntityDescription, EntityInput } from '../describe.js';
import type { ExtraLookup, Source } from '../engine.js';
import type { HttpClient } from '../http.js';
import type { MetadataService } from '../metadata.js';
import type { FilterDialect } from '../odata.js';

/** What a system's own parts are built from once it is configured. */
export interface SystemConnection {
  http: HttpClient;
  /** The service root, ending in `/`. */
  serviceRoot: string;
  pageSize: number;
  /** Customer Engagement only: the deployment still has Marketing. */
  marketing: boolean;
}

/** A system the guide walks through by hand only: it has no API. */
export interface ManualSystem<Id extends string = string> {
  id: Id;
  name: string;
  /** What to do by hand; from the guide. */
  manualSteps: ManualStep[];
}

/**
 * Everything about one system with an API: its entities, the guide's steps, its OData dialect and
 * the parts that only it has. The registry builds every system from this alone.
 */
export interface ApiSystem<Id extends string = string> extends ManualSystem {
  id: Id;
  /** The entities searched and changed unless a deployment leaves them out (`builtIn: false`). */
  entities: EntityInput[];
  /** Which published metadata file describes its service (connectors/metadata/). */
  metadata: MetadataService;
  /** The categories of personal data each of its kinds holds (connectors/dataCategories.ts says from what). */
  categories: Readonly<Record<string, readonly DataCategory[]>>;
  /** Labels of columns no metadata file carries, with their source. */
  labels?: Readonly<Record<string, string>>;
  dialect: FilterDialect;
  /** Headers every request carries. */
  headers?: Record<string, string>;
  /** Query options every search and every record address carries. */
  query?: Record<string, string>;
  /** Its own way of reading records, where plain OData does not do. */
  source?: (connection: SystemConnection, dialect: FilterDialect) => Source;
  /** A problem with the organisation's own entities that only this system has, if any. */
  entityProblem?: (entities: EntityDescription[]) => string | undefined;
  /** What a person does by hand around an automated change, per right; from the guide. */
  guidance: Partial<Record<ChangeRight | 'isolate', ManualStep[]>>;
  /** Kinds a deletion reads but the API cannot delete, and what a person does instead (in English and the catalogue's words). */
  deleteByHand?: Record<string, ManualStep>;
  /** Kinds removed together with the record they belong to, with why. */
  removedWithOwner?: Record<string, string>;
  /** Changes beyond the described entities (e.g. a user's licences). */
  changeHooks?: (connection: SystemConnection) => ChangeHook[];
  /** Lookups beyond the described entities (e.g. Marketing interactions). */
  extras?: (connection: SystemConnection) => ExtraLookup[];
  /** A restriction may extract and then delete the records. */
  isolateDeletes?: boolean;
  /** Deletes carry the record's ETag in If-Match. */
  deleteIfMatch?: boolean;
}

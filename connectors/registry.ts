import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Capability, Connector, ConnectorInfo } from '../dsr/discovery.js';
import type { GroupMembership } from '../dsr/groupRoles.js';
import {
  API_SYSTEM_BY_ID,
  API_SYSTEMS,
  KIND_CATEGORIES,
  MANUAL_SYSTEMS,
  SYSTEM_NAMES,
  type ApiSystemId,
} from './systems/index.js';
import type { SystemConnection } from './systems/types.js';
import { entitySchema, entitySetProblems, type EntityDescription } from './describe.js';
import { DescribedChanges, type ChangeSystem, type RecordRef } from './changeEngine.js';
import { DescribedConnector, keyFields } from './engine.js';
import { agentTrusting, DEFAULT_RETRY, HttpClient, type RetryPolicy } from './http.js';
import { ManualConnector } from './manual.js';
import { guidLiteral, isGuid, property, stringLiteral, withQuery } from './odata.js';
import type { LetterMailer } from '../dsr/letters/letterService.js';
import { GraphLetterMailer } from './graphMail.js';
import { GraphInboxReader } from './graphInbox.js';
import { GraphSource, groupMemberIds, managerIdOf, ODataSource } from './sources.js';
import { MsalApp, type AppCredentials } from './tokens.js';
import { checkConformance } from './conformance.js';
import { entitySetsOfCsdl, withoutField } from './liveMetadata.js';
import { metadataOf, type EntitySetMeta } from './metadata.js';

const httpsUrl = z
  .url()
  .refine((value) => value.startsWith('https://'), 'must be an https URL')
  .transform((value) => (value.endsWith('/') ? value : `${value}/`));

export const systemConfigSchema = z
  .object({
    /** The service root, e.g. `https://contoso.crm4.dynamics.com/api/data/v9.2/`. */
    url: httpsUrl,
    /** The token audience; a scope is `${resource}/.default`. */
    resource: z.url(),
    pageSize: z.number().int().min(1).max(5000).default(500),
    requestTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
    /** The whole search of the system. */
    timeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
    maxConcurrency: z.number().int().min(1).max(50).default(4),
    /** Customer Engagement only: also look up outbound Marketing interactions of the contacts found. */
    marketing: z.boolean().default(false),
    /** False leaves out the built-in entities, for a deployment that describes all its own. */
    builtIn: z.boolean().default(true),
    /** An organisation's own tables, searched like the built-in ones. */
    entities: z.array(z.unknown()).default([]),
  })
  .strict();

export const connectorFileSchema = z
  .object({
    systems: z.partialRecord(z.enum(API_SYSTEMS), systemConfigSchema).default({}),
  })
  .strict();

/** The outline only, so one wrong system does not hide the problems of the others. */
const outlineSchema = z.object({ systems: z.partialRecord(z.enum(API_SYSTEMS), z.unknown()).default({}) }).strict();

export type SystemConfigInput = z.input<typeof systemConfigSchema>;
export type ConnectorFileInput = z.input<typeof connectorFileSchema>;

export class ConnectorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The connector configuration has ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}

export interface RegistryOptions {
  /** Where the configuration came from, named in every problem reported. */
  source: string;
  credentials?: AppCredentials;
  /** PEM of an extra CA to trust (a private CA, or the local sandbox). */
  caPem?: string;
  retry?: RetryPolicy;
  random?: () => number;
  now?: () => Date;
}

interface ResolvedSystem {
  id: ApiSystemId;
  config: z.output<typeof systemConfigSchema>;
  entities: EntityDescription[];
  /** How many of `entities`, from the start, are built in; the rest are the organisation's own. */
  builtIn: number;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** Validates the whole configuration and names the file, the entry and the reason of every mistake in it. */
export function parseConnectorConfig(raw: unknown, source: string): ResolvedSystem[] {
  const problems: string[] = [];
  const file = outlineSchema.safeParse(raw);
  if (!file.success) {
    throw new ConnectorConfigError(
      file.error.issues.map((i) => `${source}: ${pathOf(i.path) || '(top)'}: ${i.message}`),
    );
  }
  const systems: ResolvedSystem[] = [];
  for (const id of API_SYSTEMS) {
    if (file.data.systems[id] === undefined) continue;
    const parsedSystem = systemConfigSchema.safeParse(file.data.systems[id]);
    if (!parsedSystem.success) {
      for (const issue of parsedSystem.error.issues) {
        problems.push(`${source}: ${pathOf(['systems', id, ...issue.path])}: ${issue.message}`);
      }
      continue;
    }
    const config = parsedSystem.data;
    const entities: EntityDescription[] = [];
    const system = API_SYSTEM_BY_ID[id];
    const builtIn = config.builtIn ? system.entities.map((e) => entitySchema.parse(e)) : [];
    config.entities.forEach((entry, index) => {
      const parsed = entitySchema.safeParse(entry);
      const label = (entry as { kind?: unknown } | null)?.kind;
      const where = `${source}: systems.${id}.entities[${index}]${typeof label === 'string' ? ` (${label})` : ''}`;
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          problems.push(`${where}: ${pathOf(issue.path) || 'entry'}: ${issue.message}`);
      } else entities.push(parsed.data);
    });
    const all = [...builtIn, ...entities];
    for (const problem of entitySetProblems(all)) {
      const custom = problem.index - builtIn.length;
      const where =
        custom >= 0 ? `systems.${id}.entities[${custom}]` : `systems.${id} (built-in '${all[problem.index]!.kind}')`;
      problems.push(`${source}: ${where}: ${problem.reason}`);
    }
    const own = system.entityProblem?.(entities);
    if (own) problems.push(`${source}: systems.${id}.entities: ${own}`);
    systems.push({ id, config, entities: all, builtIn: builtIn.length });
  }
  if (problems.length > 0) throw new ConnectorConfigError(problems);
  return systems;
}

export function loadConnectorFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConnectorConfigError([`${path}: the file cannot be read`]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConnectorConfigError([`${path}: not valid JSON (${error instanceof Error ? error.message : ''})`]);
  }
}

function capabilitiesOf(entities: EntityDescription[]): Capability[] {
  const caps: Capability[] = ['find'];
  for (const op of ['export', 'rectify', 'restrict', 'delete'] as const) {
    if (entities.some((e) => e.operations[op])) caps.push(op);
  }
  return caps;
}

/** One record's address: `set(guid)`, `set('text')` or, for a composite key, `set(a='x',b='y')`. */
function recordUrl(ref: RecordRef, extra: Record<string, string>): string {
  const fields = keyFields(ref.entity);
  const key =
    fields.length === 1
      ? isGuid(ref.key)
        ? guidLiteral(ref.key)
        : stringLiteral(ref.key)
      : fields.map((field, i) => `${property(field)}=${stringLiteral(ref.key.split('/')[i] ?? '')}`).join(',');
  return withQuery(`${ref.scope}${property(ref.entity.entitySet)}(${key})`, extra);
}

/** Every system of the guide, connected where configured, and guided by hand otherwise. */
export class ConnectorRegistry {
  private readonly connectors: Connector[];
  private graph: GraphSource | undefined;
  private graphHttp: { http: HttpClient; serviceRoot: string } | undefined;
  /** The connected systems with what a live `$metadata` check needs. */
  private readonly live: { system: ResolvedSystem; http: HttpClient }[] = [];
  /** Each system's live `$metadata`, read once. */
  private readonly liveSets = new Map<ApiSystemId, Record<string, EntitySetMeta>>();
  private readonly source: string;

  constructor(systems: ResolvedSystem[], options: RegistryOptions) {
    this.source = options.source;
    const dispatcher = agentTrusting(options.caPem);
    const msal = options.credentials ? new MsalApp(options.credentials, dispatcher) : undefined;
    const configured = new Map(systems.map((s) => [s.id, s]));
    const apiConnectors = API_SYSTEMS.map((id): Connector => {
      const system = configured.get(id);
      if (!system || !msal) return new ManualConnector(id, options.now);
      const { config } = system;
      const described = API_SYSTEM_BY_ID[id];
      const http = new HttpClient({
        system: described.name,
        tokens: msal.tokensFor(config.resource),
        dispatcher,
        origin: new URL(config.url).origin,
        requestTimeoutMs: config.requestTimeoutMs,
        maxConcurrency: config.maxConcurrency,
        retry: options.retry ?? DEFAULT_RETRY,
        random: options.random,
        headers: described.headers ?? {},
      });
      this.live.push({ system, http });
      const connection: SystemConnection = {
        http,
        serviceRoot: config.url,
        pageSize: config.pageSize,
        marketing: config.marketing,
      };
      const query = described.query ?? {};
      const source =
        described.source?.(connection, described.dialect) ??
        new ODataSource(http, config.url, described.dialect, config.pageSize, query);
      // The directory's own services (groups, managers, mail) need Graph's way of reading.
      if (source instanceof GraphSource) {
        this.graph = source;
        this.graphHttp = { http, serviceRoot: config.url };
      }
      const capabilities = capabilitiesOf(system.entities);
      const info: ConnectorInfo = {
        id,
        displayName: described.name,
        capabilities,
        manualSteps: Object.fromEntries(
          (['export', 'rectify', 'restrict', 'delete'] as const)
            .filter((c) => !capabilities.includes(c))
            .map((c) => [c, described.manualSteps]),
        ),
      };
      const changing = system.entities.some(
        (e) => e.operations.rectify || e.operations.restrict || e.operations.delete,
      );
      const changes: ChangeSystem = {
        systemId: id,
        root: config.url,
        entities: system.entities,
        source,
        http,
        recordUrl: (ref) => recordUrl(ref, query),
        guided: described.guidance,
        byHand: described.deleteByHand ?? {},
        removedWithOwner: described.removedWithOwner ?? {},
        ...(described.changeHooks ? { hooks: described.changeHooks(connection) } : {}),
        ...(described.isolateDeletes ? { isolateDeletes: true } : {}),
        ...(described.deleteIfMatch ? { deleteIfMatch: true } : {}),
      };
      const extras = described.extras?.(connection) ?? [];
      return new DescribedConnector({
        info,
        entities: system.entities,
        source,
        metadata: described.metadata,
        categories: KIND_CATEGORIES,
        ...(described.labels ? { labels: described.labels } : {}),
        timeoutMs: config.timeoutMs,
        ...(changing ? { changes: new DescribedChanges(changes) } : {}),
        ...(extras.length > 0 ? { extras } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
    });
    this.connectors = [...apiConnectors, ...MANUAL_SYSTEMS.map((id) => new ManualConnector(id, options.now))];
  }

  static fromConfig(raw: unknown, options: RegistryOptions): ConnectorRegistry {
    return new ConnectorRegistry(parseConnectorConfig(raw, options.source), options);
  }

  static fromFile(path: string, options: Omit<RegistryOptions, 'source'>): ConnectorRegistry {
    return ConnectorRegistry.fromConfig(loadConnectorFile(path), { ...options, source: path });
  }

  /**
   * Holds every connected system's descriptions to the live service's `$metadata`, read once per
   * system and kept. An organisation's own entity naming something the service lacks is a problem
   * that stops the start (file, entry, reason). A column of an optional solution the environment
   * does not have (the metadata files say which, e.g. `msdyn_gdproptout` of the CDM's Project
   * Service Automation) is left out of searches and changes with one warning, so a restriction then
   * relies on the other flags. A service that cannot be reached is warned about and not checked:
   * its searches fail on their own and stay on the plan.
   */
  async checkLiveMetadata(warn: (message: string) => void, timeoutMs = 30_000): Promise<void> {
    const problems: string[] = [];
    // Every service's document is asked for at once, so a slow one does not hold up the others.
    const documents = await Promise.all(
      this.live.map(async ({ system, http }) => {
        const { id, config } = system;
        const cached = this.liveSets.get(id);
        if (cached) return cached;
        try {
          const answer = await http.send('GET', `${config.url}$metadata`, {
            headers: { Accept: 'application/xml' },
            signal: AbortSignal.timeout(timeoutMs),
          });
          const sets = entitySetsOfCsdl(answer.text);
          this.liveSets.set(id, sets);
          return sets;
        } catch (error) {
          warn(
            `${SYSTEM_NAMES[id]}: its $metadata could not be read (${error instanceof Error ? error.message : 'unknown error'}), so its descriptions are not checked against the live service`,
          );
          return undefined;
        }
      }),
    );
    for (const [at, { system }] of this.live.entries()) {
      const { id, entities, builtIn } = system;
      const sets = documents[at];
      if (!sets) continue;
      const published = metadataOf(API_SYSTEM_BY_ID[id].metadata).entitySets;
      const leftOut = new Set<string>();
      for (const problem of checkConformance(entities, sets).problems) {
        const index = entities.findIndex((e) => e.kind === problem.kind && e.entitySet === problem.entitySet);
        const entity = entities[index]!;
        const solution = problem.field ? published[problem.entitySet]?.solutions?.[problem.field] : undefined;
        if (solution) {
          // A column used several ways (shown and written) is left out, and warned about, once.
          const left = `${index}|${problem.field}`;
          if (leftOut.has(left)) continue;
          leftOut.add(left);
          withoutField(entity, problem.field);
          warn(
            `${SYSTEM_NAMES[id]}: '${problem.field}' of ${problem.entitySet} comes with the optional solution '${solution}', which this environment does not have; it is left out of searches and changes`,
          );
          continue;
        }
        const reason = `${problem.field ? `${problem.field}: ` : ''}${problem.reason} (in the live service's $metadata)`;
        if (index >= builtIn)
          problems.push(`${this.source}: systems.${id}.entities[${index - builtIn}] (${entity.kind}): ${reason}`);
        else warn(`${SYSTEM_NAMES[id]}: built-in '${entity.kind}': ${reason}`);
      }
    }
    if (problems.length > 0) throw new ConnectorConfigError(problems);
  }

  /** Entra group membership through the Graph connection, when Graph is connected. */
  groupMembership(): GroupMembership | undefined {
    const graph = this.graph;
    if (!graph) return undefined;
    return { memberIds: (groupId) => groupMemberIds(graph, groupId, AbortSignal.timeout(30_000)) };
  }

  /** Who a user reports to, through the Graph connection, when Graph is connected. */
  managerLookup(): ((userId: string) => Promise<{ id: string; name?: string } | undefined>) | undefined {
    const graph = this.graph;
    if (!graph) return undefined;
    return (userId) => managerIdOf(graph, userId, AbortSignal.timeout(30_000));
  }

  /**
   * Reads a Graph path (relative to the service root) as the app, when Graph is connected: the
   * outbox uses it to look for a message a crash cut short (see teams/outbox/readBack.ts).
   */
  graphGet(): ((path: string) => Promise<unknown>) | undefined {
    const graph = this.graphHttp;
    if (!graph) return undefined;
    const root = graph.serviceRoot.endsWith('/') ? graph.serviceRoot : `${graph.serviceRoot}/`;
    return async (path) =>
      (await graph.http.getJson<unknown>(new URL(path, root).toString(), { signal: AbortSignal.timeout(10_000) })).body;
  }

  /** Reads the inbox of `mailbox` through the Graph connection, when Graph is connected. */
  inboxReader(mailbox: string): GraphInboxReader | undefined {
    return this.graphHttp ? new GraphInboxReader(this.graphHttp.http, this.graphHttp.serviceRoot, mailbox) : undefined;
  }

  /** Sends letters from `mailbox` through the Graph connection, when Graph is connected. */
  letterMailer(mailbox: string): LetterMailer | undefined {
    return this.graphHttp ? new GraphLetterMailer(this.graphHttp.http, this.graphHttp.serviceRoot, mailbox) : undefined;
  }

  all(): Connector[] {
    return [...this.connectors];
  }

  get(id: string): Connector | undefined {
    return this.connectors.find((c) => c.info.id === id);
  }
}

import { Client, type Context, type GraphRequest, type Middleware } from '@microsoft/microsoft-graph-client';
import type { Row, Source } from './engine.js';
import { needsAdvancedQuery } from './graphAdvancedQuery.js';
import { ConnectorHttpError, type HttpClient } from './http.js';
import { guidLiteral, property, withQuery, type FilterDialect } from './odata.js';

/** Dataverse, Finance and Operations and Human Resources: one service root, OData v4 collections. */
export class ODataSource implements Source {
  constructor(
    private readonly http: HttpClient,
    private readonly serviceRoot: string,
    readonly dialect: FilterDialect,
    private readonly pageSize: number,
    /** Options every request carries, such as F&O's `cross-company=true`. */
    private readonly extra: Record<string, string> = {},
  ) {}

  scopes(_signal: AbortSignal): Promise<string[]> {
    return Promise.resolve([this.serviceRoot]);
  }

  collection(
    scope: string,
    entitySet: string,
    filter: string,
    select: string[],
    signal: AbortSignal,
  ): AsyncIterable<Row[]> {
    const url = withQuery(`${scope}${property(entitySet)}`, {
      ...this.extra,
      $filter: filter,
      $select: select.length > 0 ? select.map(property).join(',') : undefined,
    });
    return this.http.pages(url, this.pageSize, { signal });
  }

  async *navigation(
    scope: string,
    entitySet: string,
    id: string,
    nav: string,
    select: string[],
    signal: AbortSignal,
  ): AsyncIterable<Row[]> {
    const url = withQuery(`${scope}${property(entitySet)}(${guidLiteral(id)})/${property(nav)}`, {
      $select: select.length > 0 ? select.map(property).join(',') : undefined,
    });
    yield* this.http.pages(url, this.pageSize, { signal });
  }
}

/** Business Central: the same collections under each company of the environment. */
export class BusinessCentralSource extends ODataSource {
  constructor(
    private readonly client: HttpClient,
    private readonly root: string,
    dialect: FilterDialect,
    pageSize: number,
  ) {
    super(client, root, dialect, pageSize);
  }

  override async scopes(signal: AbortSignal): Promise<string[]> {
    const scopes: string[] = [];
    for await (const page of this.client.pages(withQuery(`${this.root}companies`, { $select: 'id' }), 100, {
      signal,
    })) {
      for (const company of page) scopes.push(`${this.root}companies(${guidLiteral(String(company.id))})/`);
    }
    return scopes;
  }
}

/** The last link of the Graph client's chain: the shared client's retries, timeouts, tokens and CA trust. */
class SharedTransport implements Middleware {
  constructor(private readonly http: HttpClient) {}

  async execute(context: Context): Promise<void> {
    const request = context.request as string | Request;
    const url = typeof request === 'string' ? request : request.url;
    const headers: Record<string, string> = {};
    new Headers(context.options?.headers).forEach((value, name) => {
      // The shared client adds its own token.
      if (name.toLowerCase() !== 'authorization') headers[name] = value;
    });
    const body = context.options?.body;
    const signal = (context.options as { signal?: AbortSignal } | undefined)?.signal ?? undefined;
    const response = await this.http.send(context.options?.method ?? 'GET', url, {
      headers,
      body: typeof body === 'string' ? body : undefined,
      signal,
      allow: [404],
    });
    const noBody = response.status === 204 || response.status === 304;
    context.response = new Response(noBody ? null : response.text, {
      status: response.status,
      headers: new Headers(response.headers),
    });
  }
}

interface GraphPage {
  value?: Row[];
  '@odata.nextLink'?: string;
}

/** Microsoft Graph through its SDK; the SDK builds the requests, the shared client sends them. */
export class GraphSource implements Source {
  readonly dialect: FilterDialect = { wildcardEq: false, tolower: false };
  private readonly client: Client;
  private readonly version: string;

  constructor(
    http: HttpClient,
    private readonly serviceRoot: string,
    private readonly pageSize: number,
  ) {
    const url = new URL(serviceRoot);
    const segments = url.pathname.split('/').filter((s) => s !== '');
    this.version = segments.pop() ?? 'v1.0';
    this.client = Client.initWithMiddleware({
      baseUrl: `${url.origin}/${segments.map((s) => `${s}/`).join('')}`,
      defaultVersion: this.version,
      customHosts: new Set([url.hostname]),
      middleware: new SharedTransport(http),
    });
  }

  scopes(): Promise<string[]> {
    return Promise.resolve([this.serviceRoot]);
  }

  async *collection(
    _scope: string,
    entitySet: string,
    filter: string,
    select: string[],
    signal: AbortSignal,
  ): AsyncIterable<Row[]> {
    // The advanced query parameters only where the filter needs them (graphAdvancedQuery.ts): the
    // answer of an advanced query is only eventually consistent, and the searches by mail, UPN,
    // otherMails and employeeId work without them.
    // The query string is written here, every value percent-encoded, rather than by the SDK's
    // `.filter()`, which leaves `%` as it is: `'50%41'` would reach Graph as `'50A'`.
    const advanced = needsAdvancedQuery(filter);
    const url = withQuery(`${this.serviceRoot}${property(entitySet)}`, {
      $filter: filter,
      $select: select.length > 0 ? select.map(property).join(',') : undefined,
      $top: String(this.pageSize),
      $count: advanced ? 'true' : undefined,
    });
    const get = (target: string) => {
      const request = this.client.api(target).option('signal', signal);
      return (advanced ? request.header('ConsistencyLevel', 'eventual') : request).get() as Promise<GraphPage>;
    };
    let page = await graphCall<GraphPage>(() => get(url));
    yield page.value ?? [];
    while (page['@odata.nextLink']) {
      const next = page['@odata.nextLink'];
      page = await graphCall<GraphPage>(() => get(next));
      yield page.value ?? [];
    }
  }

  async *navigation(
    _scope: string,
    entitySet: string,
    id: string,
    nav: string,
    select: string[],
    signal: AbortSignal,
  ): AsyncIterable<Row[]> {
    const path = `/${property(entitySet)}/${guidLiteral(id)}/${property(nav)}`;
    let page = await graphCall<(GraphPage & Row) | undefined>(
      () => withSelect(this.client.api(path), select).option('signal', signal).get(),
      // No manager is a 404, which is an answer, not a failure.
      true,
    );
    if (!page) return;
    if (!Array.isArray(page.value)) {
      yield [page];
      return;
    }
    yield page.value;
    while (page?.['@odata.nextLink']) {
      const next: string = page['@odata.nextLink'];
      page = await graphCall<GraphPage & Row>(() => this.client.api(next).option('signal', signal).get());
      yield page.value ?? [];
    }
  }
}

/** Members of an Entra group, nested groups included, through the same Graph transport as discovery. */
export async function groupMemberIds(source: GraphSource, groupId: string, signal: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of source.navigation('', 'groups', groupId, 'transitiveMembers', ['id'], signal)) {
    for (const row of page) if (typeof row.id === 'string') ids.push(row.id);
  }
  return ids;
}

/**
 * A user's manager (`/users/{id}/manager`) with the name the directory shows for them, so an
 * escalation or the digest can name them; none is an answer, not a failure.
 */
export async function managerIdOf(
  source: GraphSource,
  userId: string,
  signal: AbortSignal,
): Promise<{ id: string; name?: string } | undefined> {
  for await (const page of source.navigation('', 'users', userId, 'manager', ['id', 'displayName'], signal)) {
    const { id, displayName } = page[0] ?? {};
    if (typeof id === 'string') return typeof displayName === 'string' ? { id, name: displayName } : { id };
  }
  return undefined;
}

/** The SDK wraps every failure in its own error; this keeps the shared client's words for the card. */
async function graphCall<T>(call: () => Promise<unknown>, notFoundIsEmpty = false): Promise<T> {
  try {
    return (await call()) as T;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (notFoundIsEmpty && status === 404) return undefined as T;
    if (error instanceof ConnectorHttpError) throw error;
    const message = error instanceof Error && error.message ? error.message : 'Microsoft Graph failed.';
    throw new ConnectorHttpError('rejected', message, status);
  }
}

/** An export asks for every field, which Graph gives when no `$select` is sent. */
function withSelect(request: GraphRequest, select: string[]): GraphRequest {
  return select.length > 0 ? request.select(select.map(property)) : request;
}

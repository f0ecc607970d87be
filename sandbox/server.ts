import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { normaliseResource, TokenIssuer } from './auth.js';
import { readSandboxCertificate, SANDBOX_CA_CERT_PATH } from './certs.js';
import { header, ServiceError, SYSTEM_IDS, type Reply, type SystemId, type SystemRequest } from './http.js';
import { ODataQueryError } from './odata/lexer.js';
import { csdlDocument } from './odata/csdl.js';
import { metadataOf } from '../connectors/metadata.js';
import { SYSTEM_METADATA } from '../connectors/systems/index.js';
import { VersionClock } from './odata/store.js';
import {
  BC_ENVIRONMENT,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  FNO_DEFAULT_COMPANY,
  TENANT_DOMAIN,
  TENANT_ID,
} from './seed.js';
import { SwitchBoard, switchesBodySchema, type SwitchesUpdate, type SystemSwitches } from './switches.js';
import { createBusinessCentral, BUSINESS_CENTRAL_PREFIX } from './systems/bc.js';
import type { BulkOption, SandboxCore, SystemService } from './systems/common.js';
import { DATAVERSE_API_PATH, DATAVERSE_PREFIX, createDataverse } from './systems/crm.js';
import { createEntra, type RegisteredClient } from './systems/entra.js';
import { createFinanceOperations, FINANCE_OPERATIONS_PREFIX, HUMAN_RESOURCES_PREFIX } from './systems/fno.js';
import { createGraph, GRAPH_PREFIX } from './systems/graph.js';
import type { SandboxInbox } from './systems/graphInbox.js';

/** Where each OData service answers `$metadata`, below its prefix. */
const METADATA_PATHS: Partial<Record<SystemId, RegExp>> = {
  crm: /^\/api\/data\/v9\.[0-2]\/\$metadata$/,
  bc: /^\/v2\.0\/[^/]+\/[^/]+\/api\/v2\.0\/\$metadata$/,
  fno: /^\/data\/\$metadata$/,
  hr: /^\/data\/\$metadata$/,
  graph: /^\/\$metadata$/,
};

export {
  DATAVERSE_PREFIX,
  DATAVERSE_API_PATH,
  BUSINESS_CENTRAL_PREFIX,
  FINANCE_OPERATIONS_PREFIX,
  HUMAN_RESOURCES_PREFIX,
  GRAPH_PREFIX,
};
export const ADMIN_PREFIX = '/_sandbox';

const deliveredMailSchema = z
  .object({
    subject: z.string().max(1000).optional(),
    body: z.string().max(5_000_000),
    contentType: z.enum(['text', 'html']).optional(),
    from: z.object({ name: z.string().max(300).optional(), address: z.string().max(300).optional() }).optional(),
    receivedDateTime: z.iso.datetime().optional(),
    conversationId: z.string().max(300).optional(),
  })
  .strict();
export type { BulkOption, RegisteredClient, SystemId, SystemSwitches, SwitchesUpdate };

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  tenantId?: string;
  tenantDomain?: string;
  /** Applications allowed to get tokens; one demo client by default. */
  clients?: RegisteredClient[];
  tokenLifetimeSeconds?: number;
  switches?: SwitchesUpdate;
  bulk?: BulkOption[];
  fnoDefaultCompany?: string;
  bcEnvironment?: string;
  /** How many requests the log keeps; counts per system are kept regardless. */
  logLimit?: number;
}

export interface RequestLogEntry {
  seq: number;
  system: SystemId | 'admin' | 'unknown';
  method: string;
  path: string;
  query: string;
  /** Milliseconds since the epoch when the request arrived. */
  at: number;
  status?: number;
  outcome: 'answered' | 'throttled' | 'failed' | 'hung' | 'disconnected' | 'pending';
}

export interface SandboxEndpoints {
  /** Service roots, with trailing slash, as a client's base URL. */
  dataverse: string;
  businessCentral: string;
  financeOperations: string;
  humanResources: string;
  graph: string;
  token: string;
}

export interface Sandbox {
  /** `https://localhost:PORT`, no trailing slash. */
  url: string;
  port: number;
  caCertPem: string;
  caCertPath: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** MSAL `auth.authority`. */
  authority: string;
  /** MSAL `auth.knownAuthorities` entry. */
  knownAuthority: string;
  /** MSAL `auth.authorityMetadata`, so MSAL makes no discovery call. */
  authorityMetadata: string;
  /** Token audiences; a scope is `${resource}/.default`. */
  resources: {
    dataverse: string;
    businessCentral: string;
    financeOperations: string;
    humanResources: string;
    graph: string;
  };
  endpoints: SandboxEndpoints;
  /** The inbox of the privacy mailbox: deliver mail, break it, forget its sync state. */
  inbox: SandboxInbox;
  setSwitches(update: SwitchesUpdate): void;
  clearSwitches(): void;
  requests(system?: SystemId): RequestLogEntry[];
  requestCounts(): Record<SystemId, number>;
  clearRequests(): void;
  /** Restores the seed data and clears switches and the request log. */
  reset(): void;
  /** Mints a token directly, e.g. an expired one or one for another audience. */
  issueToken(options: { resource: string; lifetimeSeconds?: number; clientId?: string }): string;
  close(): Promise<void>;
}

function odataHeaders(system: SystemId): Record<string, string> {
  if (system === 'entra') return { 'Content-Type': 'application/json; charset=utf-8' };
  return {
    'Content-Type':
      'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
    'OData-Version': '4.0',
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { cert, key } = readSandboxCertificate();
  const hung = new Set<ServerResponse>();
  let dispatch: (req: IncomingMessage, res: ServerResponse) => Promise<void> = () => Promise.resolve();
  const server: Server = createServer({ cert, key }, (req, res) => {
    void dispatch(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `https://localhost:${port}`;
  const tenantId = (options.tenantId ?? TENANT_ID).toLowerCase();
  const core: SandboxCore = {
    baseUrl,
    tenantId,
    tenantDomain: (options.tenantDomain ?? TENANT_DOMAIN).toLowerCase(),
    clock: new VersionClock(),
    bulk: options.bulk ?? [],
    fnoDefaultCompany: options.fnoDefaultCompany ?? FNO_DEFAULT_COMPANY,
    bcEnvironment: options.bcEnvironment ?? BC_ENVIRONMENT,
    solutions: (system) => {
      const installed = switches.current()[system]?.solutions;
      return installed ? new Set(installed) : 'all';
    },
  };
  const issuer = new TokenIssuer();
  const clients = options.clients ?? [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET }];
  const graph = createGraph(core);
  const apis: SystemService[] = [
    createDataverse(core),
    createBusinessCentral(core),
    createFinanceOperations(core, 'fno'),
    createFinanceOperations(core, 'hr'),
    graph,
  ];
  const audiences = new Map(apis.map((api) => [normaliseResource(api.resource), api.resource]));
  const entra = createEntra(core, {
    clients,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    issuer,
    resources: () => audiences,
  });
  const switches = new SwitchBoard();
  if (options.switches) switches.apply(options.switches);
  const logLimit = options.logLimit ?? 10_000;
  let log: RequestLogEntry[] = [];
  let seq = 0;
  const counts = Object.fromEntries(SYSTEM_IDS.map((id) => [id, 0])) as Record<SystemId, number>;

  const route = (path: string): SystemService => {
    for (const api of apis) if (path === api.prefix || path.startsWith(`${api.prefix}/`)) return api;
    return entra;
  };

  const errorBody = (system: SystemService, code: string, message: string): unknown => {
    const error: Record<string, unknown> = { code, message };
    if (system.id === 'graph') {
      error.innerError = {
        date: new Date().toISOString().replace(/\.\d+Z$/, ''),
        'request-id': randomUUID(),
        'client-request-id': randomUUID(),
      };
    }
    return { error };
  };

  const errorReply = (
    system: SystemService,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ): Reply => {
    if (system.id === 'entra') {
      return { status, headers, body: { error: code, error_description: message } };
    }
    return { status, headers, body: errorBody(system, code, message) };
  };

  /** The service's CSDL, from its published metadata file and the solutions its switch says are installed. */
  const metadataReply = (id: SystemId, request: SystemRequest): Reply | undefined => {
    const path = METADATA_PATHS[id];
    if (!path?.test(request.path) || request.method !== 'GET') return undefined;
    const service = SYSTEM_METADATA[id as keyof typeof SYSTEM_METADATA];
    return {
      status: 200,
      headers: { 'Content-Type': 'application/xml' },
      body: csdlDocument(metadataOf(service), core.solutions(id)),
    };
  };

  const authenticate = (system: SystemService, request: SystemRequest): Reply | undefined => {
    const challenge = (description: string): Reply =>
      errorReply(system, 401, system.codes.unauthorized, description, {
        'WWW-Authenticate': `Bearer authorization_uri="${baseUrl}/${tenantId}/oauth2/authorize", resource_id="${system.resource}", error="invalid_token", error_description="${description}"`,
      });
    const authorization = header(request.headers, 'authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!bearer) return challenge(system.id === 'graph' ? 'Access token is empty.' : 'Bearer token is missing.');
    const check = issuer.check(bearer[1]!, Math.floor(Date.now() / 1000));
    if (!check.ok)
      return challenge(system.id === 'graph' ? `Access token validation failure. ${check.reason}` : check.reason);
    if (normaliseResource(check.claims.aud) !== normaliseResource(system.resource)) {
      return challenge(
        `IDX10214: Audience validation failed. Audiences: '${check.claims.aud}'. Did not match: validationParameters.ValidAudience: '${system.resource}'.`,
      );
    }
    if (check.claims.tid !== tenantId) return challenge('The token was issued for another tenant.');
    request.claims = check.claims;
    return undefined;
  };

  const readBody = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 10 * 1024 * 1024) {
          reject(new ServiceError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const send = (res: ServerResponse, system: SystemId, reply: Reply, entry: RequestLogEntry): void => {
    entry.status = reply.status;
    if (entry.outcome === 'pending') entry.outcome = 'answered';
    const headers: Record<string, string> = {
      ...(reply.body === undefined ? {} : odataHeaders(system)),
      ...reply.headers,
    };
    if (system === 'graph') headers['request-id'] = randomUUID();
    const payload =
      reply.body === undefined ? undefined : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, headers);
    res.end(payload);
  };

  const admin = async (req: IncomingMessage, url: URL): Promise<Reply> => {
    const path = url.pathname.slice(ADMIN_PREFIX.length);
    if (path === '/switches' && req.method === 'POST') {
      const body = await readBody(req);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return { status: 400, body: { error: { code: 'BadRequest', message: 'The body is not JSON.' } } };
      }
      const result = switchesBodySchema.safeParse(parsed);
      if (!result.success)
        return { status: 400, body: { error: { code: 'BadRequest', message: z.prettifyError(result.error) } } };
      switches.apply(parsed as SwitchesUpdate);
      return { status: 200, body: switches.current() };
    }
    if (path === '/switches' && req.method === 'GET') return { status: 200, body: switches.current() };
    if (path === '/requests' && req.method === 'GET') {
      const system = url.searchParams.get('system');
      return { status: 200, body: { counts, requests: system ? log.filter((entry) => entry.system === system) : log } };
    }
    if (path === '/requests' && req.method === 'DELETE') {
      sandbox.clearRequests();
      return { status: 204 };
    }
    // A mail arrives in the privacy mailbox (the local demo's "send a request by mail").
    if (path === '/inbox' && req.method === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
      } catch {
        return { status: 400, body: { error: { code: 'BadRequest', message: 'The body is not JSON.' } } };
      }
      const parsed = deliveredMailSchema.safeParse(body);
      if (!parsed.success)
        return { status: 400, body: { error: { code: 'BadRequest', message: z.prettifyError(parsed.error) } } };
      const message = graph.inbox.deliver(parsed.data);
      return { status: 201, body: { id: message.id } };
    }
    if (path === '/reset' && req.method === 'POST') {
      sandbox.reset();
      return { status: 204 };
    }
    return {
      status: 404,
      body: { error: { code: 'NotFound', message: `No sandbox admin endpoint ${req.method ?? ''} ${path}.` } },
    };
  };

  dispatch = async (req, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      const reply = await admin(req, url).catch((error: unknown) => ({
        status: 500,
        body: { error: { code: 'InternalError', message: String(error) } },
      }));
      res.writeHead(
        reply.status,
        reply.body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
      );
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
      return;
    }
    const system = route(url.pathname);
    counts[system.id]++;
    const entry: RequestLogEntry = {
      seq: ++seq,
      system: system.id,
      method,
      path: url.pathname,
      query: url.search,
      at: Date.now(),
      outcome: 'pending',
    };
    log.push(entry);
    if (log.length > logLimit) log = log.slice(-logLimit);

    const verdict = switches.decide(system.id, entry.at, method);
    if (verdict.kind === 'disconnect') {
      entry.outcome = 'disconnected';
      req.socket.destroy();
      return;
    }
    if (verdict.kind === 'hang') {
      entry.outcome = 'hung';
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (verdict.latencyMs > 0) await sleep(verdict.latencyMs);
    if (verdict.kind === 'throttle') {
      entry.outcome = 'throttled';
      const seconds = String(verdict.retryAfterSeconds);
      send(
        res,
        system.id,
        errorReply(system, 429, system.codes.throttled, system.codes.throttledMessage, { 'Retry-After': seconds }),
        entry,
      );
      return;
    }
    if (verdict.kind === 'fail') {
      entry.outcome = 'failed';
      const code = verdict.status === 503 ? system.codes.unavailable : system.codes.internal;
      send(
        res,
        system.id,
        errorReply(
          system,
          verdict.status,
          code,
          'The service failed to process the request (injected by the sandbox).',
        ),
        entry,
      );
      return;
    }
    let reply: Reply;
    try {
      const body = await readBody(req);
      const request: SystemRequest = {
        method,
        url,
        path: url.pathname.slice(system.prefix.length),
        headers: req.headers,
        body,
      };
      reply =
        (system.id === 'entra' ? undefined : authenticate(system, request)) ??
        metadataReply(system.id, request) ??
        (await system.handle(request));
    } catch (error) {
      if (error instanceof ServiceError) {
        reply = errorReply(system, error.status, error.code, error.message, error.headers);
      } else if (error instanceof ODataQueryError) {
        reply = errorReply(system, 400, system.codes.badRequest, error.message);
      } else {
        reply = errorReply(system, 500, system.codes.internal, error instanceof Error ? error.message : String(error));
      }
    }
    send(res, system.id, reply, entry);
  };

  const caCertPem = cert;
  const host = `localhost:${port}`;
  const authority = `${baseUrl}/${tenantId}`;
  const resource = (id: SystemId): string => apis.find((api) => api.id === id)!.resource;

  const sandbox: Sandbox = {
    url: baseUrl,
    port,
    caCertPem,
    caCertPath: SANDBOX_CA_CERT_PATH,
    tenantId,
    clientId: clients[0]?.clientId ?? DEMO_CLIENT_ID,
    clientSecret: clients[0]?.clientSecret ?? DEMO_CLIENT_SECRET,
    authority,
    knownAuthority: host,
    authorityMetadata: JSON.stringify({
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      issuer: `${authority}/v2.0`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      jwks_uri: `${authority}/discovery/v2.0/keys`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    }),
    resources: {
      dataverse: resource('crm'),
      businessCentral: resource('bc'),
      financeOperations: resource('fno'),
      humanResources: resource('hr'),
      graph: resource('graph'),
    },
    endpoints: {
      dataverse: `${baseUrl}${DATAVERSE_PREFIX}${DATAVERSE_API_PATH}/`,
      businessCentral: `${baseUrl}${BUSINESS_CENTRAL_PREFIX}/v2.0/${tenantId}/${core.bcEnvironment}/api/v2.0/`,
      financeOperations: `${baseUrl}${FINANCE_OPERATIONS_PREFIX}/data/`,
      humanResources: `${baseUrl}${HUMAN_RESOURCES_PREFIX}/data/`,
      graph: `${baseUrl}${GRAPH_PREFIX}/`,
      token: `${authority}/oauth2/v2.0/token`,
    },
    inbox: graph.inbox,
    setSwitches: (update) => switches.apply(update),
    clearSwitches: () => switches.clear(),
    requests: (system) => (system ? log.filter((entry) => entry.system === system) : [...log]),
    requestCounts: () => ({ ...counts }),
    clearRequests: () => {
      log = [];
      for (const id of SYSTEM_IDS) counts[id] = 0;
    },
    reset: () => {
      for (const api of apis) api.reset();
      switches.clear();
      sandbox.clearRequests();
    },
    issueToken: ({ resource: audience, lifetimeSeconds = 3599, clientId = DEMO_CLIENT_ID }) => {
      const now = Math.floor(Date.now() / 1000);
      return issuer.issue({
        aud: audience,
        iss: `${baseUrl}/${tenantId}/`,
        iat: now - 1,
        nbf: Math.min(now - 1, now + lifetimeSeconds),
        exp: now + lifetimeSeconds,
        tid: tenantId,
        appid: clientId,
        azp: clientId,
        oid: clientId,
        sub: clientId,
        idtyp: 'app',
        ver: '1.0',
        roles: [],
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const res of hung) res.destroy();
        hung.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return sandbox;
}

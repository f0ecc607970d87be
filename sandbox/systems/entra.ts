import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { normaliseResource, type TokenIssuer } from '../auth.js';
import { header, json, type Reply, type SystemRequest } from '../http.js';
import type { SandboxCore, SystemService } from './common.js';

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  /** App roles put in the token's `roles` claim. */
  roles?: string[];
}

/** Entra ID answers token errors in its OAuth shape, not the `{ error: { code } }` of the APIs. */
function aadError(status: number, error: string, code: number, description: string): Reply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return json(
    status,
    {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
    { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
  );
}

const tokenForm = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
});

export interface EntraOptions {
  clients: readonly RegisteredClient[];
  tokenLifetimeSeconds: number;
  issuer: TokenIssuer;
  /** Token audiences the sandbox knows, normalised, mapped to the spelling put in `aud`. */
  resources: () => Map<string, string>;
}

export function createEntra(core: SandboxCore, options: EntraOptions): SystemService {
  const issuerUrl = `${core.baseUrl}/${core.tenantId}/v2.0`;
  const knownTenant = (tenant: string): boolean => [core.tenantId, core.tenantDomain].includes(tenant.toLowerCase());

  const openidConfiguration = (tenant: string): Reply =>
    json(200, {
      token_endpoint: `${core.baseUrl}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      jwks_uri: `${core.baseUrl}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: issuerUrl,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${core.baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${core.baseUrl}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${core.baseUrl}/${tenant}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${core.baseUrl}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'localhost',
    });

  const token = (request: SystemRequest, tenant: string): Reply => {
    if (!knownTenant(tenant)) {
      return aadError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    const contentType = header(request.headers, 'content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return aadError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    const form = tokenForm.parse(Object.fromEntries(new URLSearchParams(request.body.toString('utf8'))));
    let { client_id: clientId, client_secret: clientSecret } = form;
    const basic = /^Basic\s+(.+)$/i.exec(header(request.headers, 'authorization') ?? '');
    if (basic) {
      const [id = '', secret = ''] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      clientId ??= decodeURIComponent(id);
      clientSecret ??= decodeURIComponent(secret);
    }
    if (!form.grant_type) {
      return aadError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    if (form.grant_type !== 'client_credentials') {
      return aadError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${form.grant_type}'.`,
      );
    }
    if (!clientId) {
      return aadError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    }
    const client = options.clients.find((candidate) => candidate.clientId.toLowerCase() === clientId.toLowerCase());
    if (!client) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${core.tenantDomain}'.`,
      );
    }
    if (!clientSecret) {
      return aadError(
        401,
        'invalid_client',
        7000216,
        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
      );
    }
    if (clientSecret !== client.clientSecret) {
      return aadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
      );
    }
    const scopes = (form.scope ?? '').split(/\s+/).filter((scope) => scope !== '');
    const defaults = scopes.filter((scope) => scope.endsWith('/.default'));
    const others = scopes.filter(
      (scope) => !scope.endsWith('/.default') && !['openid', 'profile', 'offline_access'].includes(scope),
    );
    if (defaults.length !== 1 || others.length > 0) {
      return aadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const requested = defaults[0]!.slice(0, -'/.default'.length);
    const audience = options.resources().get(normaliseResource(requested));
    if (!audience) {
      return aadError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${requested} was not found in the tenant named ${core.tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const lifetime = options.tokenLifetimeSeconds;
    const accessToken = options.issuer.issue({
      aud: audience,
      iss: `${core.baseUrl}/${core.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      tid: core.tenantId,
      appid: client.clientId,
      azp: client.clientId,
      oid: client.clientId,
      sub: client.clientId,
      idtyp: 'app',
      ver: '1.0',
      roles: client.roles ?? [],
    });
    return json(
      200,
      { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken },
      { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    );
  };

  const handle = (request: SystemRequest): Reply => {
    const path = request.path;
    const instance = /^\/common\/discovery\/instance$/.exec(path);
    if (instance) {
      const host = new URL(core.baseUrl).host;
      return json(200, {
        tenant_discovery_endpoint: `${core.baseUrl}/${core.tenantId}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
    }
    const match =
      /^\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys)$/.exec(
        path,
      );
    if (!match) return aadError(404, 'invalid_request', 90002, 'The requested endpoint does not exist.');
    const tenant = decodeURIComponent(match[1]!);
    const endpoint = match[2]!;
    if (endpoint === 'oauth2/v2.0/token') {
      if (request.method !== 'POST')
        return aadError(405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
      return token(request, tenant);
    }
    if (endpoint.startsWith('discovery')) return json(200, options.issuer.jwks());
    if (!knownTenant(tenant)) return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
    return openidConfiguration(tenant);
  };

  return {
    id: 'entra',
    prefix: '',
    resource: '',
    codes: {
      unauthorized: 'invalid_client',
      throttled: 'temporarily_unavailable',
      throttledMessage: 'AADSTS50196: The server terminated an operation because it encountered a client request loop.',
      internal: 'server_error',
      unavailable: 'temporarily_unavailable',
      notFound: 'invalid_request',
      badRequest: 'invalid_request',
    },
    handle,
    reset: () => undefined,
  };
}

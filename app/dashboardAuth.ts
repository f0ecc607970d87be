import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Actor } from '../dsr/case.js';
import type { RoleDirectory } from '../dsr/roles.js';

/** The scope the app registration exposes for Teams single sign-on. */
export const SSO_SCOPE = 'access_as_user';
export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

export type DashboardAccess = { ok: true; user: Actor } | { ok: false; status: 401 | 403 | 503; message: string };

export interface SsoSettings {
  appId: string;
  tenantId: string;
  /**
   * The app's Application ID URI. For an app with a bot and a tab Microsoft Learn gives the form
   * api://<host>/botid-<app id> ("Register your tab app in Microsoft Entra ID", Expose an API).
   */
  appIdUri: string;
  /** Where Entra ID publishes its keys and issues tokens; another value only for sovereign clouds and tests. */
  authority: string;
}

const refused = (message: string): DashboardAccess => ({ ok: false, status: 401, message });

/** Errors that mean "we could not check" (keys unreachable), as opposed to "this token is not acceptable". */
function couldNotCheck(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout) return true;
  if (!(error instanceof errors.JOSEError)) return true;
  // jose reports a key set that did not answer 200 with its base error class.
  return error.constructor === errors.JOSEError;
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header?.trim() ?? '');
  return match?.[1];
}

/**
 * Who is asking, from the token in the Authorization header, and whether they are on the privacy
 * team. In Teams the token is the one `authentication.getAuthToken()` returns; locally it is one
 * this process signed for a sample person.
 */
export interface DashboardAuth {
  readonly mode: 'teams' | 'local';
  check(authorization: string | undefined): Promise<DashboardAccess>;
}

async function teamMember(roles: RoleDirectory, user: Actor): Promise<DashboardAccess> {
  if (!(await roles.isPrivacyTeam(user.id))) {
    return { ok: false, status: 403, message: 'The dashboard is for the privacy team; you are not on it.' };
  }
  return { ok: true, user };
}

/**
 * Teams single sign-on, validated as Microsoft Learn describes for tokens an API receives
 * ("Access token claims reference", learn.microsoft.com/entra/identity-platform/access-token-claims-reference;
 * "Add code to enable SSO" for tabs, learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/tab-sso-code):
 * - signature: RS256 against the tenant's published keys, {authority}/{tenant}/discovery/v2.0/keys;
 * - issuer: v2.0 tokens https://login.microsoftonline.com/{tenant}/v2.0, v1.0 tokens https://sts.windows.net/{tenant}/;
 * - audience: v2.0 tokens carry the app's client id, v1.0 tokens its Application ID URI (api://<host>/botid-<app id>);
 * - `tid` the organisation's tenant, `exp`/`nbf` in force, and the `access_as_user` scope the tab asks for.
 */
export class TeamsSsoAuth implements DashboardAuth {
  readonly mode = 'teams';
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly issuers: string[];

  constructor(
    private readonly settings: SsoSettings,
    private readonly roles: RoleDirectory,
  ) {
    const { authority, tenantId } = settings;
    this.keys = createRemoteJWKSet(new URL(`${authority}/${tenantId}/discovery/v2.0/keys`), { timeoutDuration: 5000 });
    this.issuers = [`${authority}/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`];
  }

  async check(authorization: string | undefined): Promise<DashboardAccess> {
    const token = bearer(authorization);
    if (!token) return refused('Sign in: the request carries no Teams token.');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        issuer: this.issuers,
        audience: [this.settings.appId, this.settings.appIdUri],
        requiredClaims: ['exp', 'tid', 'oid'],
        clockTolerance: 60,
      }));
    } catch (error) {
      if (couldNotCheck(error)) {
        return { ok: false, status: 503, message: 'Your sign-in cannot be checked just now; try again shortly.' };
      }
      return refused(error instanceof errors.JWTExpired ? 'Your sign-in has expired.' : 'Your sign-in is not valid.');
    }
    if (claims.tid !== this.settings.tenantId) return refused('Your sign-in is from another organisation.');
    const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ') : [];
    if (!scopes.includes(SSO_SCOPE)) return refused('Your sign-in was not issued for the dashboard.');
    const name = typeof claims.name === 'string' ? claims.name : '';
    return teamMember(this.roles, { id: String(claims.oid), name });
  }
}

const LOCAL_ISSUER = 'dsr-assistant-local';
const LOCAL_AUDIENCE = 'dsr-assistant-dashboard';
const LOCAL_SESSION = '8h';

/**
 * A local run's sign-in: the person picks one of the sample people and this process signs a
 * short-lived token with a key that exists only in its memory. Only built without an App ID.
 */
export class LocalSignIn implements DashboardAuth {
  readonly mode = 'local';
  private readonly secret = randomBytes(32);

  constructor(
    readonly people: readonly Actor[],
    private readonly roles: RoleDirectory,
  ) {}

  async signIn(personId: string): Promise<{ token: string; user: Actor } | undefined> {
    const person = this.people.find((candidate) => candidate.id === personId);
    if (!person) return undefined;
    const token = await new SignJWT({ name: person.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(person.id)
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(LOCAL_SESSION)
      .sign(this.secret);
    return { token, user: person };
  }

  async check(authorization: string | undefined): Promise<DashboardAccess> {
    const token = bearer(authorization);
    if (!token) return refused('Sign in: pick who you are on the dashboard page.');
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
      });
      const person = this.people.find((candidate) => candidate.id === payload.sub);
      if (!person) return refused('Your sign-in is not valid.');
      return await teamMember(this.roles, person);
    } catch (error) {
      return refused(error instanceof errors.JWTExpired ? 'Your sign-in has expired.' : 'Your sign-in is not valid.');
    }
  }
}

/** A registered bot whose dashboard is not set up yet: every request is told what is missing. */
class UnconfiguredSso implements DashboardAuth {
  readonly mode = 'teams';

  constructor(private readonly missing: string) {}

  check(): Promise<DashboardAccess> {
    return Promise.resolve({ ok: false, status: 503, message: `The dashboard is not set up: ${this.missing}.` });
  }
}

export interface DashboardAuthSettings {
  /** No App ID: a local run, with the local sign-in. */
  local: boolean;
  appId: string | undefined;
  tenantId: string | undefined;
  publicUrl: string | undefined;
  authority: string;
  localPeople: readonly Actor[];
}

/** Teams single sign-on for a registered bot; the local sign-in exists only when no App ID is set. */
export function dashboardAuthFor(settings: DashboardAuthSettings, roles: RoleDirectory): DashboardAuth {
  if (settings.local || !settings.appId) return new LocalSignIn(settings.localPeople, roles);
  if (!settings.tenantId) return new UnconfiguredSso("set MicrosoftAppTenantId to the organisation's tenant id");
  if (!settings.publicUrl) return new UnconfiguredSso('set DSR_PUBLIC_URL to the https address of the bot');
  const host = new URL(settings.publicUrl).host;
  return new TeamsSsoAuth(
    {
      appId: settings.appId,
      tenantId: settings.tenantId,
      appIdUri: `api://${host}/botid-${settings.appId}`,
      authority: settings.authority,
    },
    roles,
  );
}

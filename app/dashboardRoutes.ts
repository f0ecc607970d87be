import { InboundRefusal, readJsonBody } from '../teams/inboundActivity.js';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import type { ConversationReference } from 'botbuilder';
import type { Next, Request, Response, Server } from 'restify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { dashboardHtml } from '../dashboard/html.js';
import { CASE_STATUS_LABELS, CASE_STATUSES, REQUEST_TYPE_LABELS, REQUEST_TYPES, type Actor } from '../dsr/case.js';
import type { CaseService } from '../dsr/caseService.js';
import type { Clock } from '../dsr/clock.js';
import { REGULATIONS } from '../dsr/deadlines.js';
import { registerCsv } from '../dsr/register/csv.js';
import { parseQuery, registerQuerySchema } from '../dsr/register/query.js';
import type { CaseStore } from '../dsr/ports/store.js';
import type { TeamDirectory } from '../teams/team.js';
import type { DashboardAuth, LocalSignIn } from './dashboardAuth.js';
import { threadKey } from '../teams/proactiveNotifier.js';
import type { RegisterFeed } from './registerFeed.js';
import { threadDeepLink } from '../teams/teamsLinks.js';

export interface DashboardDeps {
  auth: DashboardAuth;
  feed: RegisterFeed;
  cases: CaseService;
  store: Pick<CaseStore, 'getCase' | 'state'>;
  team: TeamDirectory;
  clock: Clock;
  log: Logger;
}

const ASSETS_DIR = fileURLToPath(new URL('../dashboard/assets/', import.meta.url));
/** What the bundler writes: the page's script and style, and the chunks it loads on demand. */
const ASSET = /^(dashboard|chunk-[A-Z0-9]+)\.(js|css)$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

const exportQuerySchema = registerQuerySchema
  .omit({ page: true, pageSize: true })
  .extend({ names: z.enum(['true', 'false'], { error: 'true or false' }).default('false') });

// The page's own scripts and styles only. The Teams SDK fetches the list of Teams' own domains from
// res.cdn.office.net when it runs inside Teams. Teams frames the tab, so no frame-ancestors rule here.
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' https://res.cdn.office.net",
  'x-content-type-options': 'nosniff',
};

/** Answers 400 with every problem when a request has parameters it should not. */
function noParameters(req: Request, res: Response): boolean {
  const names = Object.keys((req.query ?? {}) as Record<string, unknown>);
  if (names.length === 0) return true;
  res.send(400, { error: 'This request takes no parameters.', problems: names.map((n) => `unknown parameter: ${n}`) });
  return false;
}

/**
 * The privacy dashboard: a page Teams shows as a tab, and the API it reads. Every API call names
 * its caller with a token and is answered only for the privacy team.
 */
export function registerDashboardRoutes(server: Server, deps: DashboardDeps): void {
  const page = (mode: 'content' | 'configure') => (_req: Request, res: Response, next: Next) => {
    res.writeHead(200, PAGE_HEADERS);
    res.end(dashboardHtml(mode));
    next();
  };
  server.get('/dashboard', page('content'));
  server.get('/dashboard/configure', page('configure'));

  server.get('/dashboard/assets/:file', async (req, res) => {
    const param: unknown = (req.params as Record<string, unknown>).file;
    const file = typeof param === 'string' ? param : '';
    const type = TYPES[ASSET.exec(file)?.[2] ?? ''];
    const body = type ? await readFile(`${ASSETS_DIR}${file}`).catch(() => undefined) : undefined;
    if (!type || !body) {
      res.send(404, { error: 'No such file.' });
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(body);
  });

  /** How the page signs in: Teams single sign-on, or (a local run only) one of the sample people. */
  server.get('/api/dashboard/session', (req, res, next) => {
    if (noParameters(req, res)) {
      const local = deps.auth.mode === 'local' ? (deps.auth as LocalSignIn) : undefined;
      res.send(200, { mode: deps.auth.mode, ...(local ? { people: local.people } : {}) });
    }
    next();
  });

  if (deps.auth.mode === 'local') {
    const local = deps.auth as LocalSignIn;
    const body = z.strictObject({ personId: z.string().min(1).max(128) });
    server.post('/api/dashboard/local-sign-in', async (req, res) => {
      let sent: unknown;
      try {
        sent = await readJsonBody(req, 4096);
      } catch (error) {
        if (!(error instanceof InboundRefusal)) throw error;
        res.send(error.status, { error: error.message });
        return;
      }
      const parsed = body.safeParse(sent);
      const signed = parsed.success ? await local.signIn(parsed.data.personId) : undefined;
      if (!signed) {
        res.send(400, { error: 'Pick one of the sample people.' });
        return;
      }
      res.send(200, signed);
    });
  }

  /** The caller, or an answer already sent: 401 without a valid token, 403 off the privacy team. */
  const caller = async (req: Request, res: Response): Promise<Actor | undefined> => {
    const access = await deps.auth.check(req.header('authorization'));
    if (access.ok) return access.user;
    res.send(access.status, { error: access.message });
    return undefined;
  };

  server.get('/api/dashboard/options', async (req, res) => {
    if (!(await caller(req, res)) || !noParameters(req, res)) return;
    const index = await deps.feed.index();
    res.send(200, {
      statuses: CASE_STATUSES.map((value) => ({ value, label: CASE_STATUS_LABELS[value] })),
      rights: REQUEST_TYPES.map((value) => ({ value, label: REQUEST_TYPE_LABELS[value] })),
      regulations: REGULATIONS.map((value) => ({ value, label: value })),
      systems: index
        .charts(deps.clock.now())
        .volumeBySystem.map(({ systemId, name }) => ({ value: systemId, label: name })),
      assignees: (await deps.team.members()).map((member) => ({ value: member.id, label: member.name })),
    });
  });

  server.get('/api/dashboard/register', async (req, res) => {
    if (!(await caller(req, res))) return;
    const query = parseQuery(registerQuerySchema, (req.query ?? {}) as Record<string, unknown>);
    if (!query.ok) {
      res.send(400, { error: 'The register cannot be read with these parameters.', problems: query.problems });
      return;
    }
    const index = await deps.feed.index();
    const result = index.page(query.value, deps.clock.now());
    const keys = result.rows.map((row) => threadKey(row.id));
    const threads = keys.length > 0 ? await deps.store.state.read(keys) : {};
    res.send(200, {
      ...result,
      rows: result.rows.map((row) => ({
        ...row,
        threadUrl:
          threadDeepLink(threads[threadKey(row.id)]?.value as Partial<ConversationReference> | undefined) ?? null,
      })),
    });
  });

  server.get('/api/dashboard/charts', async (req, res) => {
    if (!(await caller(req, res)) || !noParameters(req, res)) return;
    const index = await deps.feed.index();
    res.send(200, index.charts(deps.clock.now()));
  });

  server.get('/api/dashboard/export.csv', async (req, res) => {
    const actor = await caller(req, res);
    if (!actor) return;
    const query = parseQuery(exportQuerySchema, (req.query ?? {}) as Record<string, unknown>);
    if (!query.ok) {
      res.send(400, { error: 'The register cannot be exported with these parameters.', problems: query.problems });
      return;
    }
    const { names, ...filters } = query.value;
    const index = await deps.feed.index();
    const rows = [...index.select({ ...filters, page: 1, pageSize: 1 }, deps.clock.now())];
    const withNames = names === 'true';
    // Written before the first line leaves: an export with names is never unaccounted for.
    await deps.cases.recordAccess(actor, null, 'exportRegister', {
      rows: rows.length,
      withNames,
      filters: Object.entries(req.query as Record<string, string>)
        .filter(([key]) => key !== 'names')
        .map(([key, value]) => `${key}=${value}`),
    });
    deps.log.info({ rows: rows.length, withNames }, 'register exported');
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="dsr-register${withNames ? '-with-names' : ''}.csv"`,
      'cache-control': 'no-store',
    });
    const lookup = withNames ? async (caseId: string) => (await deps.store.getCase(caseId))?.subject.name : undefined;
    Readable.from(registerCsv(rows, lookup)).pipe(res);
  });
}

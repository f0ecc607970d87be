import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { AuthenticationError } from 'botframework-connector';
import type { Logger } from 'pino';
import type { ChannelAdapter } from '../teams/authentication.js';
import type { DsrBot } from '../teams/dsrBot.js';
import type { Foreground } from './foreground.js';
import { InboundRefusal, readActivity, type ServiceUrlPolicy } from '../teams/inboundActivity.js';

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** The interface to listen on; loopback unless said otherwise. */
  host?: string;
  serviceUrls?: ServiceUrlPolicy;
  /** Told of every request, so that background work gives way while one is answered. */
  foreground?: Pick<Foreground, 'track'>;
}

/** A health check answers within this, whatever it waits for, so a load balancer's probe never hangs. */
export const HEALTH_TIMEOUT_MS = 1500;
/** Time for a client to send a whole request; a slow sender cannot hold a connection longer. */
export const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;

const LOCAL_SERVICE_URLS: ServiceUrlPolicy = { httpsHosts: [], origins: [], loopback: true };

/** The bot's HTTP endpoint: Bot Framework activities in, plus a health check for load balancers. */
export async function startHttpServer(
  port: number,
  adapter: ChannelAdapter,
  bot: DsrBot,
  health: () => Promise<Record<string, unknown>>,
  log: Logger,
  routes: (server: restify.Server) => void = () => undefined,
  options: ServerOptions = {},
): Promise<HttpServer> {
  const server = restify.createServer({ name: 'dsr-assistant', handleUncaughtExceptions: false });
  // No body parser for every route: /api/messages reads its own body, bounded, and the other
  // routes take none.
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.server.headersTimeout = HEADERS_TIMEOUT_MS;
  const { foreground } = options;
  if (foreground) server.server.on('request', (_request, response) => foreground.track(response));
  const serviceUrls = options.serviceUrls ?? LOCAL_SERVICE_URLS;

  server.post('/api/messages', async (req, res) => {
    let activity;
    try {
      activity = await readActivity(req, serviceUrls);
    } catch (error) {
      if (!(error instanceof InboundRefusal)) throw error;
      // What was left unread of the body is not read: the connection ends with the answer.
      if (!req.complete) res.header('connection', 'close');
      res.send(error.status, { error: error.message });
      return;
    }
    const authHeader = req.headers.authorization ?? '';
    try {
      const invoke = await adapter.handle(authHeader, activity, (context) => bot.run(context));
      res.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) res.send(invoke.body);
      res.end();
    } catch (error) {
      if (error instanceof AuthenticationError) {
        res.send(401, { error: 'the request does not carry a valid Bot Framework token' });
        return;
      }
      log.error({ err: error, activityType: activity.type }, 'activity failed');
      res.send(500, { error: 'the activity could not be handled' });
    }
  });

  routes(server);

  server.get('/healthz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('The health check did not finish in time')), HEALTH_TIMEOUT_MS);
    });
    try {
      res.send(200, { status: 'ok', ...(await Promise.race([health(), late])) });
    } catch (error) {
      log.error({ err: error }, 'health check failed');
      // The health check's own message names what is down, never anything a person entered.
      res.send(503, { status: 'unavailable', problem: error instanceof Error ? error.message : 'unknown' });
    } finally {
      clearTimeout(timer);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address: AddressInfo = server.address();
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

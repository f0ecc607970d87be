import type { AddressInfo } from 'node:net';
import restify from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { Logger } from 'pino';
import type { DsrBot } from './dsrBot.js';

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The bot's HTTP endpoint: Bot Framework activities in, plus a health check for load balancers. */
export async function startHttpServer(
  port: number,
  adapter: CloudAdapter,
  bot: DsrBot,
  health: () => Promise<Record<string, unknown>>,
  log: Logger,
  routes: (server: restify.Server) => void = () => undefined,
): Promise<HttpServer> {
  const server = restify.createServer({ name: 'dsr-assistant', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024 }));
  server.use(restify.plugins.queryParser({ mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });

  routes(server);

  server.get('/healthz', async (_req, res) => {
    try {
      res.send(200, { status: 'ok', ...(await health()) });
    } catch (error) {
      log.error({ err: error }, 'health check failed');
      // The health check's own message names what is down, never anything a person entered.
      res.send(503, { status: 'unavailable', problem: error instanceof Error ? error.message : 'unknown' });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
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

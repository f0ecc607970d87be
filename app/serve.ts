import { ConnectorConfigError } from '../connectors/registry.js';
import { startApp, type AppOverrides } from './app.js';
import type { AppConfig } from './config.js';
import { createLogger } from './logger.js';

/** Runs the bot until SIGINT or SIGTERM, for `npm start` and for the production entry point alike. */
export async function serve(config: AppConfig, overrides: AppOverrides = {}): Promise<void> {
  const log = createLogger(config.logLevel);
  let app;
  try {
    app = await startApp(config, log, overrides);
  } catch (error) {
    // A wrong connector file is the operator's to fix: name every problem, without a stack trace.
    if (!(error instanceof ConnectorConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  log.info(
    { port: app.port, local: config.local },
    config.local
      ? `DSR Assistant runs locally without authentication on http://localhost:${app.port}/api/messages; talk to it from the Microsoft 365 Agents Playground or any Bot Framework client`
      : `DSR Assistant listens on port ${app.port} for Microsoft Teams`,
  );

  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

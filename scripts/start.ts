/**
 * `npm start`: with a Microsoft App ID this is the bot for Teams; without one it is the local demo,
 * the bot plus the Microsoft 365 Agents Playground with an employee's view and two privacy officers'.
 */
import { createLogger } from '../app/logger.js';
import { serve } from '../app/serve.js';
import { PlaygroundError } from '../local/playground.js';
import { startLocalRun } from '../local/localRun.js';
import { localConfigOrExit } from '../local/demo.js';
import { SandboxSystems } from '../local/sandboxSystems.js';

const config = await localConfigOrExit();

if (!config.local || process.env.DSR_PLAYGROUND === 'off') {
  await serve(config, { localSystems: new SandboxSystems() });
} else {
  const log = createLogger(config.logLevel);
  const portSetting = process.env.DSR_PLAYGROUND_PORT?.trim();
  const port = portSetting ? Number(portSetting) : 56150;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`DSR_PLAYGROUND_PORT: expected a port number (got "${portSetting}")`);
    process.exit(1);
  }
  let run;
  try {
    run = await startLocalRun(config, log, { playgroundPort: port });
  } catch (error) {
    console.error(
      `\nThe local demo could not start: ${error instanceof PlaygroundError || error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
  const local = run;
  const [employee, privacy, second] = local.playgrounds;
  console.log(
    [
      '',
      'DSR Assistant runs locally with the Microsoft 365 Agents Playground. Open in your browser:',
      '',
      ...local.playgrounds.map((playground) => `  ${playground.view.title.padEnd(34)} ${playground.url}`),
      `  ${'Privacy dashboard'.padEnd(34)} http://localhost:${local.app.port}/dashboard`,
      '',
      'The dashboard (in Teams, a tab) asks who you are: Megan Bowen and Adele Vance see it; Alex Wilber is refused.',
      employee && privacy
        ? `In the employee view type "new request" in the chat with ${employee.view.config.bot.name}. In the privacy team view open\nteam ${privacy.view.config.team.name}, channel "${privacy.view.config.team.channels[0]?.name}", @mention the bot and write "use this channel": new\nrequests then arrive there. Each page keeps its history only until it is reloaded.`
        : '',
      second
        ? `${second.view.config.currentUser.name} approves the steps ${privacy?.view.config.currentUser.name ?? 'the first officer'} previews: in her view write "status DSR-…" in the chat\nwith the bot, then "Show the plan".`
        : '',
      `The bot: http://localhost:${local.app.port}/api/messages, data in ${config.dataDir}/. Stop everything with Ctrl-C.`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    local.stop().then(
      () => process.exit(code),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  void local.failure.then((reason) => {
    console.error(`\nThe local demo stopped: ${reason}`);
    shutdown('playground-exit', 1);
  });
}

import { join } from 'node:path';
import type { Logger } from 'pino';
import { startApp, type RunningApp } from '../app/app.js';
import type { AppConfig } from '../app/config.js';
import { Playground, playgroundCli } from './playground.js';
import { views, type PlaygroundView } from './playgroundViews.js';
import { SandboxSystems } from './sandboxSystems.js';

export interface LocalRunOptions {
  /** First Playground port; each further view takes the next one. */
  playgroundPort?: number;
  /** Folder under which each view keeps its configuration and logs. */
  workDir?: string;
  views?: readonly PlaygroundView[];
}

export interface LocalRun {
  readonly app: RunningApp;
  /** The sandbox standing in for the systems discovery searches. */
  readonly systems: SandboxSystems;
  readonly playgrounds: readonly Playground[];
  /** Resolves with a reason when a Playground ends by itself. */
  readonly failure: Promise<string>;
  stop(): Promise<void>;
}

/**
 * The bot without authentication plus one Playground per view, all pointed at it. Whatever
 * fails to start is stopped again, so a failed start leaves nothing running.
 */
export async function startLocalRun(config: AppConfig, log: Logger, options: LocalRunOptions = {}): Promise<LocalRun> {
  if (!config.local) throw new Error('a local run is for a bot without a Microsoft App ID');
  const cli = playgroundCli();
  if (!cli) {
    throw new Error(
      'The Microsoft 365 Agents Playground is not installed; it is a dev dependency: run npm install (without --omit=dev).',
    );
  }
  const systems = new SandboxSystems();
  const app = await startApp(config, log, { localSystems: systems });
  // The bot listens on loopback IPv4 only (see DSR_HOST); `localhost` may resolve to ::1 first.
  const endpoint = `http://127.0.0.1:${app.port}/api/messages`;
  const firstPort = options.playgroundPort ?? 56150;
  const workDir = options.workDir ?? join('devTools', 'playground');
  const playgrounds = (options.views ?? views).map(
    (view, index) =>
      new Playground({
        view,
        endpoint,
        port: firstPort === 0 ? 0 : firstPort + index,
        workDir: join(workDir, view.key),
      }),
  );

  let stopping = false;
  const stop = async () => {
    stopping = true;
    await Promise.all(playgrounds.map((playground) => playground.stop()));
    await app.stop();
  };
  try {
    // One after the other: started together, both would pick the same free port when the first is busy.
    for (const playground of playgrounds) await playground.start(cli);
  } catch (error) {
    await stop();
    throw error;
  }
  const failure = Promise.race(
    playgrounds.map((playground) =>
      playground.whenExited().then((reason) => (stopping ? new Promise<string>(() => undefined) : reason)),
    ),
  );
  return { app, systems, playgrounds, failure, stop };
}

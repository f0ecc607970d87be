import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { playgroundYaml, type PlaygroundView } from './playgroundViews.js';

export class PlaygroundError extends Error {
  override name = 'PlaygroundError';
}

/** Where the Playground's command line lives, or undefined when dev dependencies were not installed. */
export function playgroundCli(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const cli = join(dirname(require.resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');
    return existsSync(cli) ? cli : undefined;
  } catch {
    return undefined;
  }
}

export interface PlaygroundOptions {
  view: PlaygroundView;
  /** The bot's messaging endpoint. */
  endpoint: string;
  /** Preferred port; the Playground takes another free one when it is busy. */
  port: number;
  /** Folder for the view's configuration and logs. */
  workDir: string;
  /** Called with each line the Playground prints, for a caller that wants to show them. */
  onOutput?: (line: string) => void;
}

/** One Microsoft 365 Agents Playground instance: a Teams-like page in the browser for one current user. */
export class Playground {
  readonly configPath: string;
  readonly logPath: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  port = 0;

  constructor(private readonly options: PlaygroundOptions) {
    this.configPath = join(resolve(options.workDir), '.m365agentsplayground.yml');
    this.logPath = join(resolve(options.workDir), 'm365agentsplayground.log');
  }

  get url(): string {
    return `http://localhost:${this.port}`;
  }

  get view(): PlaygroundView {
    return this.options.view;
  }

  /** Resolves once the page answers; rejects with the Playground's own reason when it gives up. */
  async start(cli: string): Promise<void> {
    const dir = resolve(this.options.workDir);
    await mkdir(dir, { recursive: true });
    await writeFile(this.configPath, playgroundYaml(this.options.view.config));
    // A stale log would show an old failure as if it were this run's.
    await rm(this.logPath, { force: true });

    const child = spawn(
      process.execPath,
      [cli, '-e', this.options.endpoint, '-c', 'msteams', '--disable-telemetry', '-p', String(this.options.port)],
      {
        cwd: dir,
        env: {
          ...process.env,
          M365_AGENTS_PLAYGROUND_CONFIG_PATH: this.configPath,
          M365_AGENTS_PLAYGROUND_LOGFILE: this.logPath,
          // We print the addresses ourselves; two browser tabs popping up at once only confuse.
          TEAMSAPPTESTER_BROWSER: 'none',
        },
        // Standard input closed: the Playground otherwise waits on a terminal it does not need.
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: Ctrl-C reaches only us, and we stop it after the bot has said so.
        detached: true,
      },
    );
    this.child = child;
    // Whatever way this process ends, the Playground does not outlive it.
    const orphanGuard = () => child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    child.once('exit', () => process.removeListener('exit', orphanGuard));
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    let output = '';
    const remember = (line: string) => {
      output = `${output}${line}\n`.slice(-4000);
      this.options.onOutput?.(line);
    };
    createInterface({ input: child.stderr }).on('line', remember);

    const listening = new Promise<number>((resolvePort) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        remember(line);
        const match = /Listening on (\d+)/.exec(line);
        if (match) resolvePort(Number(match[1]));
      });
    });
    const failed = this.exited.then(async (code) => {
      throw new PlaygroundError(await this.failureReason(code, output));
    });
    this.port = await Promise.race([listening, failed]);
    // It says "Listening" before it reads its configuration; a bad one ends the process right after.
    await Promise.race([this.waitForPage(), failed]);
  }

  private async waitForPage(): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const response = await fetch(this.url);
        await response.arrayBuffer();
        if (response.ok) {
          // The configuration is read when the page first loads the backend; give a bad one time to fail.
          await Promise.race([this.exited, new Promise((done) => setTimeout(done, 500))]);
          if (this.child?.exitCode === null) return;
        }
      } catch {
        // not up yet
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new PlaygroundError(`the ${this.view.title} did not answer on ${this.url}`);
  }

  private async failureReason(code: number | null, output: string): Promise<string> {
    let reasons: string[] = [];
    try {
      const log = await readFile(this.logPath, 'utf8');
      reasons = log
        .split('\n')
        .filter((line) => line.startsWith('error '))
        .map((line) => line.slice('error '.length));
    } catch {
      // no log written
    }
    const why = reasons.length > 0 ? reasons.join('\n  ') : output.trim() || 'no reason given';
    return `the ${this.view.title} stopped (exit code ${code}); configuration ${this.configPath}, log ${this.logPath}:\n  ${why}`;
  }

  /** Whether it still runs; an unexpected exit is reported through `exitedEarly`. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the reason when the Playground ends on its own. */
  async whenExited(): Promise<string> {
    const code = await this.exited;
    return this.failureReason(code ?? null, '');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = this.exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

import { deploymentSettings } from './deployment.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The bot as its own process, started the way `npm start` does, so a test can kill it hard. */
export class BotProcess {
  private child: ChildProcess | undefined;
  port = 0;

  /** The running process's id, to read its memory from outside. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['dist/app/index.js'], {
      env: {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: 'info',
        ...deploymentSettings(this.env),
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const lines = createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`bot exited with ${code}: ${stderr}`)));
      lines.on('line', (line) => {
        const match = /"port":(\d+)/.exec(line);
        if (match) resolve(Number(match[1]));
      });
    });
  }

  /** SIGKILL: no chance to flush or clean up, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

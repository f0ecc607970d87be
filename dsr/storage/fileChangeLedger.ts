import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChangeTarget } from '../changes.js';
import {
  emptyTally,
  type ChangeLedger,
  type LedgerKey,
  type LedgerOutcome,
  type LedgerTally,
  type RestoredTarget,
} from '../changeLedger.js';
import { Mutex } from './mutex.js';

interface OutcomeLine {
  id: string;
  outcome: LedgerOutcome;
}

const safe = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);

async function* lines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (line.trim()) yield line;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The ledger as files in the data folder, for deployments on the embedded store: one append-only
 * file of targets per preview (written sorted, since a preview arrives whole), one append-only
 * file of outcomes where the latest line of a target counts, and a small lease file per step.
 * The data folder belongs to one process (its lock), so leases are serialised in memory.
 */
export class FileChangeLedger implements ChangeLedger {
  private readonly mutex = new Mutex();

  constructor(private readonly dir: string) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private stepDir(caseId: string, stepId: string): string {
    return join(this.dir, safe(caseId), safe(stepId));
  }

  private previewDir(key: LedgerKey): string {
    return join(this.stepDir(key.caseId, key.stepId), safe(key.previewHash));
  }

  async writeTargets(key: LedgerKey, targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>): Promise<number> {
    const dir = this.previewDir(key);
    const all: ChangeTarget[] = [];
    for await (const target of targets) all.push(target);
    if (await stat(join(dir, 'targets.jsonl')).catch(() => undefined)) return all.length;
    await mkdir(dir, { recursive: true });
    // The key in full beside the targets: folder names are escaped, and a copy must find the key again.
    await writeFile(join(dir, 'key.json'), JSON.stringify(key));
    all.sort((a, b) => a.order - b.order);
    const temp = join(dir, '.targets.jsonl');
    const handle = await open(temp, 'w');
    try {
      // Written in chunks so a long list never becomes one string.
      for (let i = 0; i < all.length; i += 1000) {
        await handle.write(
          all
            .slice(i, i + 1000)
            .map((t) => `${JSON.stringify(t)}\n`)
            .join(''),
        );
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, 'targets.jsonl'));
    return all.length;
  }

  async *targets(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    for await (const line of lines(join(this.previewDir(key), 'targets.jsonl'))) yield JSON.parse(line) as ChangeTarget;
  }

  private async latest(key: LedgerKey): Promise<Map<string, LedgerOutcome>> {
    const outcomes = new Map<string, LedgerOutcome>();
    for await (const line of lines(join(this.previewDir(key), 'outcomes.jsonl'))) {
      try {
        const parsed = JSON.parse(line) as OutcomeLine;
        outcomes.set(parsed.id, parsed.outcome);
      } catch {
        // A line cut short by a crash was never acknowledged; its target is simply pending again.
      }
    }
    return outcomes;
  }

  async *pending(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    const outcomes = await this.latest(key);
    for await (const target of this.targets(key)) {
      const status = outcomes.get(target.id)?.status;
      if (status !== 'applied' && status !== 'gone' && status !== 'lifted') yield target;
    }
  }

  async recordOutcome(key: LedgerKey, targetId: string, outcome: LedgerOutcome): Promise<void> {
    await appendFile(join(this.previewDir(key), 'outcomes.jsonl'), `${JSON.stringify({ id: targetId, outcome })}\n`);
  }

  async *restorable(key: LedgerKey): AsyncGenerator<RestoredTarget> {
    const outcomes = await this.latest(key);
    for await (const target of this.targets(key)) {
      const outcome = outcomes.get(target.id);
      if (outcome?.status === 'applied' && outcome.before) yield { target, before: outcome.before };
    }
  }

  async *applied(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    const outcomes = await this.latest(key);
    for await (const target of this.targets(key)) {
      if (outcomes.get(target.id)?.status === 'applied') yield target;
    }
  }

  async tally(key: LedgerKey): Promise<LedgerTally> {
    const outcomes = await this.latest(key);
    const tally = emptyTally();
    for await (const target of this.targets(key)) {
      tally.total += 1;
      const status = outcomes.get(target.id)?.status;
      if (status) tally[status] += 1;
    }
    return tally;
  }

  async *keys(): AsyncGenerator<LedgerKey> {
    const children = async (path: string) =>
      (await readdir(path, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const caseDir of await children(this.dir)) {
      for (const stepDir of await children(join(this.dir, caseDir))) {
        for (const previewDir of await children(join(this.dir, caseDir, stepDir))) {
          const text = await readFile(join(this.dir, caseDir, stepDir, previewDir, 'key.json'), 'utf8').catch(
            () => undefined,
          );
          if (text) yield JSON.parse(text) as LedgerKey;
        }
      }
    }
  }

  async *outcomes(key: LedgerKey): AsyncGenerator<{ targetId: string; outcome: LedgerOutcome }> {
    for (const [targetId, outcome] of await this.latest(key)) yield { targetId, outcome };
  }

  private leasePath(caseId: string, stepId: string): string {
    return join(this.stepDir(caseId, stepId), 'lease.json');
  }

  async lease(caseId: string, stepId: string): Promise<{ holder: string; until: string } | undefined> {
    const text = await readFile(this.leasePath(caseId, stepId), 'utf8').catch(() => undefined);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as { holder: string; until: string };
    } catch {
      return undefined;
    }
  }

  claimLease(caseId: string, stepId: string, holder: string, now: Date, until: Date): Promise<boolean> {
    return this.mutex.run(async () => {
      const current = await this.lease(caseId, stepId);
      if (current && current.holder !== holder && new Date(current.until) > now) return false;
      await mkdir(this.stepDir(caseId, stepId), { recursive: true });
      const path = this.leasePath(caseId, stepId);
      await writeFile(`${path}.tmp`, JSON.stringify({ holder, until: until.toISOString() }));
      await rename(`${path}.tmp`, path);
      return true;
    });
  }

  releaseLease(caseId: string, stepId: string, holder: string): Promise<void> {
    return this.mutex.run(async () => {
      const current = await this.lease(caseId, stepId);
      if (current?.holder === holder) await rm(this.leasePath(caseId, stepId), { force: true });
    });
  }

  forgetCase(caseId: string): Promise<void> {
    return this.mutex.run(() => rm(join(this.dir, safe(caseId)), { recursive: true, force: true }));
  }
}

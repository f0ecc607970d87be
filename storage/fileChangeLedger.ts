import { randomUUID } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChangeTarget } from '../dsr/changes.js';
import {
  emptyTally,
  inRunOrder,
  type ChangeLedger,
  type LedgerKey,
  type LedgerOutcome,
  type LedgerTally,
  type RestoredTarget,
} from '../dsr/ports/changeLedger.js';
import { Mutex } from './mutex.js';

/** One outcome as written: `seq` is the target's line in the targets file (absent in older lines). */
interface OutcomeLine {
  seq?: number;
  id: string;
  outcome: LedgerOutcome;
}

const STATUS_CODES: Record<LedgerOutcome['status'], number> = {
  applied: 1,
  gone: 2,
  conflict: 3,
  failed: 4,
  lifted: 5,
};
const STATUSES = ['', 'applied', 'gone', 'conflict', 'failed', 'lifted'] as const;

/**
 * The latest outcome of each target, held compactly: a status code per target line (a million
 * targets take a few megabytes), full outcomes only when asked for, and outcomes of lines written
 * before they carried their position, by id.
 */
interface Latest {
  codes: number[];
  full: Map<number, LedgerOutcome>;
  byId: Map<string, LedgerOutcome>;
}

/** How many outcome files stay open for appending at once. */
const OPEN_OUTCOME_FILES = 16;

/** How many recently read targets keep their position at hand, for the outcome recorded next. */
const RECENT = 10_000;

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
 * file of targets per preview (streamed in, in run order), one append-only file of outcomes where
 * the latest line of a target counts, and a small lease file per step. Nothing holds a preview
 * whole: targets are read as a stream, outcomes as one status code per target.
 * The data folder belongs to one process (its lock), so leases are serialised in memory.
 */
export class FileChangeLedger implements ChangeLedger {
  private readonly mutex = new Mutex();
  /** Where recently read targets stand in their file, by preview folder and id. */
  private readonly recent = new Map<string, number>();
  /** The outcome files being written, kept open by path. */
  private readonly appending = new Map<string, number>();

  constructor(private readonly dir: string) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  close(): Promise<void> {
    this.closeAppending();
    return Promise.resolve();
  }

  private stepDir(caseId: string, stepId: string): string {
    return join(this.dir, safe(caseId), safe(stepId));
  }

  private previewDir(key: LedgerKey): string {
    return join(this.stepDir(key.caseId, key.stepId), safe(key.previewHash));
  }

  async writeTargets(key: LedgerKey, targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>): Promise<number> {
    return (await this.writePreview(key, targets, () => key.previewHash)).count;
  }

  async writePreview(
    step: { caseId: string; stepId: string },
    targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>,
    sealed: () => string,
  ): Promise<{ key: LedgerKey; count: number }> {
    const stepDir = this.stepDir(step.caseId, step.stepId);
    await mkdir(stepDir, { recursive: true });
    // Written aside under a name of its own: the hash that names the preview is known at the end.
    const temp = join(stepDir, `.preview-${randomUUID()}.jsonl`);
    let count = 0;
    try {
      const handle = await open(temp, 'w');
      try {
        let chunk: string[] = [];
        for await (const target of inRunOrder(targets)) {
          chunk.push(`${JSON.stringify(target)}\n`);
          count += 1;
          // Written in chunks so a long list never becomes one string.
          if (chunk.length === 1000) {
            await handle.write(chunk.join(''));
            chunk = [];
          }
        }
        if (chunk.length > 0) await handle.write(chunk.join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
      const key = { caseId: step.caseId, stepId: step.stepId, previewHash: sealed() };
      const dir = this.previewDir(key);
      if (await stat(join(dir, 'targets.jsonl')).catch(() => undefined)) return { key, count };
      await mkdir(dir, { recursive: true });
      // The key in full beside the targets: folder names are escaped, and a copy must find the key again.
      await writeFile(join(dir, 'key.json'), JSON.stringify(key));
      await rename(temp, join(dir, 'targets.jsonl'));
      return { key, count };
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** The targets with their line numbers, remembering where each stands for the outcome that follows. */
  private async *numbered(key: LedgerKey): AsyncGenerator<{ seq: number; target: ChangeTarget }> {
    const dir = this.previewDir(key);
    let seq = 0;
    for await (const line of lines(join(dir, 'targets.jsonl'))) {
      const target = JSON.parse(line) as ChangeTarget;
      if (this.recent.size >= RECENT) this.recent.clear();
      this.recent.set(`${dir}\n${target.id}`, seq);
      yield { seq: seq++, target };
    }
  }

  async *targets(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    for await (const { target } of this.numbered(key)) yield target;
  }

  private async latest(key: LedgerKey, full = false): Promise<Latest> {
    const latest: Latest = { codes: [], full: new Map(), byId: new Map() };
    for await (const line of lines(join(this.previewDir(key), 'outcomes.jsonl'))) {
      let parsed: OutcomeLine;
      try {
        parsed = JSON.parse(line) as OutcomeLine;
      } catch {
        // A line cut short by a crash was never acknowledged; its target is simply pending again.
        continue;
      }
      if (typeof parsed.seq !== 'number') {
        latest.byId.set(parsed.id, parsed.outcome);
        continue;
      }
      latest.codes[parsed.seq] = STATUS_CODES[parsed.outcome.status];
      if (full) latest.full.set(parsed.seq, parsed.outcome);
    }
    return latest;
  }

  /** The latest status of a target, and its full outcome when the reading kept them. */
  private static outcomeOf(
    latest: Latest,
    seq: number,
    id: string,
  ): { status: LedgerOutcome['status'] | undefined; outcome: LedgerOutcome | undefined } {
    const code = latest.codes[seq];
    if (code) return { status: STATUSES[code] as LedgerOutcome['status'], outcome: latest.full.get(seq) };
    const old = latest.byId.get(id);
    return { status: old?.status, outcome: old };
  }

  async *pending(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    const latest = await this.latest(key);
    for await (const { seq, target } of this.numbered(key)) {
      const { status } = FileChangeLedger.outcomeOf(latest, seq, target.id);
      if (status !== 'applied' && status !== 'gone' && status !== 'lifted') yield target;
    }
  }

  /** Where a target stands in its file: at hand when it was read lately, else looked up. */
  private async seqOf(key: LedgerKey, targetId: string): Promise<number | undefined> {
    const dir = this.previewDir(key);
    const known = this.recent.get(`${dir}\n${targetId}`);
    if (known !== undefined) return known;
    let seq = 0;
    for await (const line of lines(join(dir, 'targets.jsonl'))) {
      if ((JSON.parse(line) as ChangeTarget).id === targetId) return seq;
      seq += 1;
    }
    return undefined;
  }

  async recordOutcome(key: LedgerKey, targetId: string, outcome: LedgerOutcome): Promise<void> {
    const seq = await this.seqOf(key, targetId);
    const line: OutcomeLine = { ...(seq === undefined ? {} : { seq }), id: targetId, outcome };
    const path = join(this.previewDir(key), 'outcomes.jsonl');
    let fd = this.appending.get(path);
    if (fd === undefined) {
      await mkdir(this.previewDir(key), { recursive: true });
      fd = openSync(path, 'a');
      if (this.appending.size >= OPEN_OUTCOME_FILES) this.closeAppending();
      this.appending.set(path, fd);
    }
    // One small write to a file kept open, without a round through the thread pool: a run records
    // a million outcomes one by one, and opening the file for each cost far more than the record.
    // The line is in the file (the system's cache) when this returns, as an append would leave it.
    writeSync(fd, `${JSON.stringify(line)}\n`);
  }

  private closeAppending(): void {
    for (const fd of this.appending.values()) closeSync(fd);
    this.appending.clear();
  }

  async *restorable(key: LedgerKey): AsyncGenerator<RestoredTarget> {
    const latest = await this.latest(key, true);
    for await (const { seq, target } of this.numbered(key)) {
      const { outcome } = FileChangeLedger.outcomeOf(latest, seq, target.id);
      if (outcome?.status === 'applied' && outcome.before) yield { target, before: outcome.before };
    }
  }

  async *applied(key: LedgerKey): AsyncGenerator<ChangeTarget> {
    const latest = await this.latest(key);
    for await (const { seq, target } of this.numbered(key)) {
      if (FileChangeLedger.outcomeOf(latest, seq, target.id).status === 'applied') yield target;
    }
  }

  async tally(key: LedgerKey): Promise<LedgerTally> {
    const latest = await this.latest(key);
    const tally = emptyTally();
    for await (const { seq, target } of this.numbered(key)) {
      tally.total += 1;
      const { status } = FileChangeLedger.outcomeOf(latest, seq, target.id);
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
    const latest = await this.latest(key, true);
    for await (const { seq, target } of this.numbered(key)) {
      const { outcome } = FileChangeLedger.outcomeOf(latest, seq, target.id);
      if (outcome) yield { targetId: target.id, outcome };
    }
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
    this.closeAppending();
    return this.mutex.run(() => rm(join(this.dir, safe(caseId)), { recursive: true, force: true }));
  }
}

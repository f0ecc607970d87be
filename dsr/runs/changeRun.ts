import { counted } from '../counted.js';
import { LOCAL_KEPT_PERIODS, parseKeptPeriods, type KeptPeriods } from '../keptRecords.js';
import { randomUUID } from 'node:crypto';
import { activeWorkerAccounts } from '../keptAccounts.js';
import type { IsolatedCopy } from '../isolatedCopies.js';
import type { ActResult, CaseAction, CaseService } from '../caseService.js';
import type { Actor, DsrCase } from '../case.js';
import { inRunOrder, type ChangeLedger, type LedgerKey, type LedgerOutcome } from '../ports/changeLedger.js';
import { erasureByHand, PreviewDigest, PreviewHasher, summaryOf, type StepPreview } from '../changePreview.js';
import type { ApplyOutcome, ChangeConnector, ChangeRequest, ChangeTarget } from '../changes.js';
import type { Clock } from '../clock.js';
import { searchQueryFor, type Connector } from '../discovery.js';
import { selectionOf } from '../matching.js';
import { findingsHash, type PlanStep, type StepResult } from '../plan.js';
import {
  applicableSteps,
  bulkApprovalRefusal,
  type BulkApprovalRefusal,
  type StepApprovalRequest,
} from '../bulkSteps.js';
import { RunLease, stepLease } from './runLease.js';
import { PROGRESS_EVERY_MS, ProgressPace, tellProgress, type OnProgress } from './runProgress.js';
import { said, type Said } from '../../i18n/index.js';

/** What the runner writes to the logs: case and step ids and counts, never record contents. */
export interface RunLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ChangeRunOptions {
  /** How long a lease lasts unless renewed; a process that died holds a step no longer than this. */
  leaseMs: number;
  /** Progress is written to the case after this many records, or this much time, whichever comes first. */
  progressEvery: { records: number; ms: number };
  /** A system that does not answer one record within this long is treated as failing. */
  targetTimeoutMs: number;
  /** How long each legal reason keeps a record (DSR_KEPT_PERIODS), for the end date it carries. */
  keptPeriods: KeptPeriods;
}

export const DEFAULT_RUN_OPTIONS: ChangeRunOptions = {
  leaseMs: 60_000,
  progressEvery: { records: 200, ms: PROGRESS_EVERY_MS },
  targetTimeoutMs: 30_000,
  keptPeriods: parseKeptPeriods(LOCAL_KEPT_PERIODS).periods,
};

/** Told whenever the step's state on the case changed, so its card can be updated in place. */
export type StepObserver = OnProgress<DsrCase>;

export type StartResult = ActResult | { ok: false; refusal: 'busy'; message: string; case?: DsrCase };

/** What "Approve all" did: the steps approved, and each one left out with why; the case as it now is. */
export interface BulkApproval {
  case: DsrCase;
  approved: PlanStep[];
  refused: Array<{ stepId: string; step?: PlanStep; refusal: BulkApprovalRefusal }>;
}

/** What "Apply all approved" started, and each step it could not start with what the case said. */
export interface BulkStart {
  case: DsrCase;
  started: PlanStep[];
  /** `connector`: the system cannot be changed through the bot; otherwise the start's own refusal. */
  notStarted: Array<{ step: PlanStep; message: string; said?: Said; refusal?: string }>;
}

export function ledgerKey(caseId: string, step: PlanStep): LedgerKey | undefined {
  const hash = step.approval?.previewHash;
  return hash ? { caseId, stepId: step.id, previewHash: hash } : undefined;
}

/** The connector that changes data in a step's system, or why there is none. */
export function changeConnectorFor(connectors: readonly Connector[], step: PlanStep): ChangeConnector | string {
  const connector = connectors.find((c) => c.info.id === step.systemId);
  if (!connector?.connected) return `${step.systemName} is not connected; do this step by hand.`;
  if (!connector.changes) return `${step.systemName} cannot change data through the bot; do this step by hand.`;
  return connector.changes;
}

/**
 * Runs the steps that change data. A preview stores its full target list in the ledger and a
 * bounded summary on the case; a run claims the step's lease, applies the pending targets in order,
 * records each outcome, and ends the step done, retained or failed, never done early. A run that
 * stops midway (failure, conflict, a process that died) is continued by the next one from the ledger.
 */
export class ChangeRunner {
  /** This process, as the holder of the leases it takes. */
  readonly holder = randomUUID();
  private readonly runs = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly cases: CaseService,
    private readonly ledger: ChangeLedger,
    private readonly clock: Clock,
    private readonly log: RunLog,
    private readonly options: ChangeRunOptions = DEFAULT_RUN_OPTIONS,
  ) {}

  /** Asks the system what the step would change, records it in the ledger and on the case. */
  async preview(
    actor: Actor,
    dsrCase: DsrCase,
    step: PlanStep,
    request: ChangeRequest,
    changes: ChangeConnector,
    override?: { recordId: string; kind: string; reason: string },
  ): Promise<ActResult> {
    const overrides = new Set([
      ...(step.overrides ?? []).map((o) => o.recordId),
      ...(override ? [override.recordId] : []),
    ]);
    const findings = dsrCase.findings?.systems.find((s) => s.systemId === step.systemId);
    const query = dsrCase.findings?.query ?? searchQueryFor(dsrCase.subject);
    const asked =
      step.keptTargets && changes.previewRecords
        ? changes.previewRecords(request, step.keptTargets, AbortSignal.timeout(120_000))
        : changes.previewChange(request, query, selectionOf(findings), AbortSignal.timeout(120_000), { overrides });
    const preview = await asked;
    // The targets stream from the system through the digest into the ledger: a million records
    // are never held together; the case keeps the counts, a few samples and the hash.
    const keeps = activeWorkerAccounts(dsrCase, preview, overrides);
    const retained = [...preview.retained];
    async function* notKept(): AsyncGenerator<ChangeTarget> {
      for await (const target of inRunOrder(preview.targets)) {
        const kept = keeps?.(target);
        if (kept) retained.push(kept);
        else yield target;
      }
    }
    const digest = new PreviewDigest(findingsHash(dsrCase, step), request);
    const { key, count } = await this.ledger.writePreview(
      { caseId: dsrCase.id, stepId: step.id },
      digest.through(notKept()),
      () => digest.hash(),
    );
    const { targets: _streamed, ...rest } = { ...preview, request, retained };
    // Nothing the search found may vanish between the findings and the response: what the deletion
    // leaves is named in a guided step.
    const guided = [...erasureByHand(rest, Object.keys(digest.counts), findings, step.systemName), ...preview.guided];
    const summary = summaryOf(digest, key.previewHash, { ...rest, guided }, actor.id, this.clock.now(), {
      periods: this.options.keptPeriods,
      stepId: step.id,
    });
    this.log.info({ caseId: dsrCase.id, stepId: step.id, targets: count }, 'preview recorded');
    return this.cases.act(actor, dsrCase.id, dsrCase.version, {
      kind: 'previewStep',
      stepId: step.id,
      preview: summary,
      ...(override ? { override } : {}),
    });
  }

  /**
   * Approves a step's preview, but only while the ledger still holds exactly the records it showed:
   * the hash is taken again over the stored targets, a page at a time, so an approval can never
   * set off a list other than the one previewed.
   */
  async approve(actor: Actor, dsrCase: DsrCase, stepId: string, previewHash: string): Promise<ActResult> {
    const step = dsrCase.plan?.steps.find((s) => s.id === stepId);
    const preview = step?.preview;
    if (step && preview && preview.hash === previewHash && !(await this.ledgerHolds(dsrCase.id, step.id, preview))) {
      this.log.warn({ caseId: dsrCase.id, stepId }, 'approval refused: the ledger no longer holds the preview');
      await this.cases.recordRefusal(actor, 'approveStep', 'invalid-transition', dsrCase.id);
      return {
        ok: false,
        refusal: 'invalid-transition',
        message: 'The records kept for this preview changed since it was made; preview again before approving.',
        case: dsrCase,
      };
    }
    return this.cases.act(actor, dsrCase.id, dsrCase.version, { kind: 'approveStep', stepId, previewHash });
  }

  /**
   * Approves several steps, each on its own preview's hash as the card carried it and through the
   * same checks as one approval (`approve`, then the case's four eyes): a step whose preview changed
   * since the card was shown, or that the actor previewed, is refused and named; the others are
   * approved, one audited approval each.
   */
  async approveAll(actor: Actor, dsrCase: DsrCase, requests: StepApprovalRequest[]): Promise<BulkApproval> {
    let current = dsrCase;
    const approved: PlanStep[] = [];
    const refused: BulkApproval['refused'] = [];
    for (const request of requests) {
      const step = current.plan?.steps.find((s) => s.id === request.stepId);
      const refusal = bulkApprovalRefusal(current, request, actor.id);
      if (refusal) {
        await this.cases.recordRefusal(actor, 'approveStep', 'invalid-transition', current.id);
        refused.push({ stepId: request.stepId, ...(step ? { step } : {}), refusal });
        continue;
      }
      const result = await this.approve(actor, current, request.stepId, request.previewHash);
      if (result.ok) {
        current = result.case;
        approved.push(step!);
      } else {
        if (result.case) current = result.case;
        refused.push({ stepId: request.stepId, ...(step ? { step } : {}), refusal: 'changed' });
      }
    }
    return { case: current, approved, refused };
  }

  /**
   * Starts every approved step that can start together (`applicableSteps`), each on the latest case
   * and with its own lease, exactly as one Apply would; a step that cannot start is named with why.
   */
  async startAll(
    actor: Actor,
    dsrCase: DsrCase,
    changesFor: (step: PlanStep) => ChangeConnector | string,
    observe: StepObserver,
  ): Promise<BulkStart> {
    let current = dsrCase;
    const begun: Array<{ step: PlanStep; changes: ChangeConnector; case: DsrCase }> = [];
    const notStarted: BulkStart['notStarted'] = [];
    // Every start is recorded before any run begins, so no run's progress makes the next start stale.
    for (const step of applicableSteps(dsrCase)) {
      const changes = changesFor(step);
      if (typeof changes === 'string') {
        notStarted.push({ step, message: changes, refusal: 'connector' });
        continue;
      }
      const result = await this.begin(actor, current, step.id);
      if (result.ok) {
        current = result.case;
        begun.push({ step, changes, case: result.case });
      } else {
        if (result.case) current = result.case;
        notStarted.push({
          step,
          message: result.message,
          refusal: result.refusal,
          ...('said' in result && result.said ? { said: result.said } : {}),
        });
      }
    }
    for (const run of begun) this.launch(actor, run.case, run.step.id, run.changes, observe);
    return { case: current, started: begun.map((run) => run.step), notStarted };
  }

  /** Whether the ledger's targets for a preview hash to what the preview recorded, and are as many. */
  private async ledgerHolds(caseId: string, stepId: string, preview: StepPreview): Promise<boolean> {
    const hasher = new PreviewHasher(preview.findingsHash, preview.request);
    let count = 0;
    for await (const target of this.ledger.targets({ caseId, stepId, previewHash: preview.hash })) {
      hasher.add(target);
      count += 1;
    }
    return count === preview.targetCount && hasher.digest() === preview.hash;
  }

  /** True while this process runs the step. */
  isRunning(caseId: string, stepId: string): boolean {
    return this.runs.has(`${caseId}|${stepId}`);
  }

  /**
   * The steps shown as running on the case that nobody runs any more: their process stopped and
   * its lease ran out (or was given up). They are offered to be resumed, never read as done.
   */
  async interrupted(dsrCase: DsrCase): Promise<Set<string>> {
    const stale = new Set<string>();
    const now = this.clock.now();
    for (const step of dsrCase.plan?.steps ?? []) {
      if (step.state !== 'running' || !step.destructive || this.isRunning(dsrCase.id, step.id)) continue;
      const lease = await this.ledger.lease(dsrCase.id, step.id);
      if (!lease || new Date(lease.until) <= now) stale.add(step.id);
    }
    return stale;
  }

  /**
   * Starts (or resumes) a step approved on its preview. The lease is taken before the case says
   * "running", so two instances never run one step; the work goes on after this returns.
   */
  async start(
    actor: Actor,
    dsrCase: DsrCase,
    stepId: string,
    changes: ChangeConnector,
    observe: StepObserver,
    options: { resume?: boolean; packageId?: string; isolatedCopy?: IsolatedCopy } = {},
  ): Promise<StartResult> {
    const started = await this.begin(actor, dsrCase, stepId, options);
    if (started.ok) this.launch(actor, started.case, stepId, changes, observe);
    return started;
  }

  /** Takes the step's lease and records on the case that it runs; nothing is changed yet. */
  private async begin(
    actor: Actor,
    dsrCase: DsrCase,
    stepId: string,
    options: { resume?: boolean; packageId?: string; isolatedCopy?: IsolatedCopy } = {},
  ): Promise<StartResult> {
    const { resume = false, packageId, isolatedCopy } = options;
    // This process renews its own lease, so a second press here must not reach the lease at all.
    if (this.isRunning(dsrCase.id, stepId))
      return { ok: false, refusal: 'busy', message: 'This step is being run right now.', case: dsrCase };
    const lease = this.leaseOf(dsrCase.id, stepId);
    if (!(await lease.claim()))
      return { ok: false, refusal: 'busy', message: 'This step is being run right now.', case: dsrCase };
    const started = await this.cases.act(actor, dsrCase.id, dsrCase.version, {
      kind: 'startStep',
      stepId,
      ...(resume ? { resume: true } : {}),
      ...(packageId ? { packageId } : {}),
      ...(isolatedCopy ? { isolatedCopy } : {}),
    });
    if (!started.ok) await lease.release();
    return started;
  }

  /** Runs a begun step in the background, on the case its start recorded, under the lease its start took. */
  private launch(actor: Actor, dsrCase: DsrCase, stepId: string, changes: ChangeConnector, observe: StepObserver) {
    const runKey = `${dsrCase.id}|${stepId}`;
    const run = this.execute(actor, dsrCase, stepId, changes, observe, this.leaseOf(dsrCase.id, stepId))
      .catch((error: unknown) => {
        this.log.warn(
          { caseId: dsrCase.id, stepId, error: error instanceof Error ? error.name : 'unknown' },
          'step run broke off',
        );
      })
      .finally(() => this.runs.delete(runKey));
    this.runs.set(runKey, run);
  }

  /** Whether another process holds the step's lease and has not let it run out. */
  async heldElsewhere(caseId: string, stepId: string): Promise<boolean> {
    const lease = await this.ledger.lease(caseId, stepId);
    return lease !== undefined && lease.holder !== this.holder && new Date(lease.until) > this.clock.now();
  }

  /**
   * Takes a step's lease for work the ledger does not track (building the package), renewed until
   * the returned release is called; undefined when another process holds it. So two instances
   * never build one package, and one that died hands the step over once its lease runs out.
   */
  async claim(caseId: string, stepId: string): Promise<(() => Promise<void>) | undefined> {
    const lease = this.leaseOf(caseId, stepId);
    if (!(await lease.claim())) return undefined;
    lease.keep();
    return () => lease.release();
  }

  /** A step's lease held by this process (see runLease.ts). */
  private leaseOf(caseId: string, stepId: string): RunLease {
    return new RunLease(
      stepLease(this.ledger, caseId, stepId, this.holder),
      () => this.clock.now(),
      this.options.leaseMs,
    );
  }

  /** Waits for the run of a step in this process, if there is one. */
  async settled(caseId: string, stepId: string): Promise<void> {
    await this.runs.get(`${caseId}|${stepId}`);
  }

  /**
   * Stops every run at the next record and gives up its lease, so a restarted process can resume
   * at once. The case keeps saying "running": it was not finished, so it must not read as done.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.runs.values()]);
  }

  /** Puts back what a restriction changed, from the before-state recorded per record. */
  async lift(actor: Actor, dsrCase: DsrCase, step: PlanStep, changes: ChangeConnector): Promise<ActResult> {
    const hashes = step.ranPreviews ?? (step.approval ? [step.approval.previewHash] : []);
    let restored = 0;
    let failed = 0;
    // A record restricted under an earlier preview keeps that (older, true) before-state.
    const seen = new Set<string>();
    for (const previewHash of hashes) {
      const key = { caseId: dsrCase.id, stepId: step.id, previewHash };
      for await (const { target, before } of this.ledger.restorable(key)) {
        if (seen.has(target.id)) continue;
        seen.add(target.id);
        const outcome = await this.attempt(() =>
          changes.liftRestriction(target, before, AbortSignal.timeout(this.options.targetTimeoutMs)),
        );
        if (outcome.status === 'applied' || outcome.status === 'gone') {
          await this.ledger.recordOutcome(key, target.id, { status: 'lifted' });
          restored += 1;
        } else failed += 1;
      }
    }
    this.log.info({ caseId: dsrCase.id, stepId: step.id, restored, failed }, 'restriction lifted');
    return this.cases.actOnLatest(actor, dsrCase.id, { kind: 'liftStep', stepId: step.id, restored, failed });
  }

  /**
   * One record's change, given up when the system does not answer in time or the process stops.
   * Its timer is cleared as soon as the record is done: a timeout signal per record would keep a
   * timer alive for the whole timeout, and a run of a million records would pile them up.
   */
  private async bounded(work: (signal: AbortSignal) => Promise<ApplyOutcome>): Promise<ApplyOutcome> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException('The system did not answer in time.', 'TimeoutError')),
      this.options.targetTimeoutMs,
    );
    const stop = () => controller.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    try {
      return await this.attempt(() => work(controller.signal));
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', stop);
    }
  }

  private async attempt(work: () => Promise<ApplyOutcome>): Promise<ApplyOutcome> {
    try {
      return await work();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return {
        status: 'failed',
        message: timedOut ? 'The system did not answer in time.' : 'The system could not be reached.',
        said: said(timedOut ? 'change.run.timedOut' : 'change.run.unreachable'),
        retryable: true,
      };
    }
  }

  private async execute(
    actor: Actor,
    dsrCase: DsrCase,
    stepId: string,
    changes: ChangeConnector,
    observe: StepObserver,
    lease: RunLease,
  ): Promise<void> {
    const step = dsrCase.plan!.steps.find((s) => s.id === stepId)!;
    const key = ledgerKey(dsrCase.id, step)!;
    const request = step.preview!.request;
    const query = dsrCase.findings?.query ?? searchQueryFor(dsrCase.subject);
    const retained = step.preview?.retainedCount ?? 0;
    const tally = await this.ledger.tally(key);
    let done = tally.applied + tally.gone;
    let conflicts = 0;
    let failure: { message: string; said?: Said } | undefined;
    const pace = new ProgressPace(this.options.progressEvery);
    const report = async () => {
      // A run whose lease another process took stops at the next record.
      if (!(await lease.claim())) return;
      const progressed = await this.cases.actOnLatest(actor, dsrCase.id, {
        kind: 'stepProgress',
        stepId,
        done,
        total: tally.total,
      });
      if (progressed.ok) await tellProgress(observe, progressed.case);
    };
    // The lease is renewed while a slow record is applied, so a live run is never taken over.
    lease.keep();
    try {
      for await (const target of this.ledger.pending(key)) {
        if (this.stopping.signal.aborted || lease.lost) break;
        const outcome = await this.bounded((signal) => changes.applyChange(request, target, signal));
        if (this.stopping.signal.aborted) break;
        await this.ledger.recordOutcome(key, target.id, toLedger(outcome));
        if (outcome.status === 'applied' || outcome.status === 'gone') done += 1;
        else if (outcome.status === 'conflict') conflicts += 1;
        else {
          failure = { message: outcome.message, ...(outcome.said ? { said: outcome.said } : {}) };
          break;
        }
        if (pace.recordDone()) await report();
      }
    } finally {
      lease.stopRenewing();
    }
    if (this.stopping.signal.aborted) {
      await lease.release();
      this.log.info({ caseId: dsrCase.id, stepId, done }, 'step run stopped with the process');
      return;
    }
    if (lease.lost) {
      this.log.warn({ caseId: dsrCase.id, stepId }, 'step lease taken over; this run stops');
      return;
    }
    const counts = await this.ledger.tally(key);
    const result: StepResult = { applied: counts.applied, gone: counts.gone, retained };
    const end = await this.conclude(request, key, query, changes, step, result, conflicts, failure);
    const ended = await this.cases.actOnLatest(actor, dsrCase.id, end);
    await lease.release();
    this.log.info({ caseId: dsrCase.id, stepId, end: end.kind, ...result }, 'step run ended');
    if (ended.ok) await tellProgress(observe, ended.case);
  }

  private async conclude(
    request: ChangeRequest,
    key: LedgerKey,
    query: NonNullable<DsrCase['findings']>['query'],
    changes: ChangeConnector,
    step: PlanStep,
    result: StepResult,
    conflicts: number,
    failure: { message: string; said?: Said } | undefined,
  ): Promise<CaseAction> {
    const stepId = step.id;
    const system = step.systemName;
    // Each end in English (the letter, the logs, the trail) and in the catalogue's words (the card).
    const done = result.applied + result.gone;
    const total = step.preview?.targetCount ?? 0;
    const doneSoFar = `${done} of ${total} records are done`;
    const doneSaid = said('change.run.done', { count: done, total });
    if (failure)
      return {
        kind: 'failStep',
        stepId,
        failure: 'error',
        result,
        error: `${system}: ${failure.message} ${doneSoFar}; Retry continues from there.`,
        // A system's own message (an HTTP error) is quoted as it came.
        said: said('change.run.failed', { system, cause: failure.said ?? failure.message, done: doneSaid }),
      };
    if (conflicts > 0)
      return {
        kind: 'failStep',
        stepId,
        failure: 'conflict',
        result,
        error: `${counted(conflicts, 'record')} changed since the preview and ${conflicts === 1 ? 'was' : 'were'} left as ${conflicts === 1 ? 'it is' : 'they are'}; preview again. ${doneSoFar}.`,
        said: said('change.run.conflict', { count: conflicts, done: doneSaid }),
      };
    if (request.right === 'delete') {
      let check;
      try {
        // The deleted targets stream from the ledger to the check, never gathered in one list.
        check = await changes.confirmDeleted(this.ledger.applied(key), query, AbortSignal.timeout(120_000));
      } catch {
        return {
          kind: 'failStep',
          stepId,
          failure: 'remaining',
          result,
          error: `${system} could not be searched again to confirm the deletion; Retry checks again.`,
          said: said('change.run.notConfirmed', { system }),
        };
      }
      if (check.remaining.length > 0) {
        for (const target of check.remaining)
          await this.ledger.recordOutcome(key, target.id, {
            status: 'failed',
            message: 'Still found after the deletion.',
          });
        const kinds = [...new Set(check.remaining.map((t) => t.kind))].join(', ');
        return {
          kind: 'failStep',
          stepId,
          failure: 'remaining',
          result: { ...result, applied: result.applied - check.remaining.length },
          error: `${counted(check.remaining.length, 'record')} (${kinds}) still found after the deletion; Retry deletes ${check.remaining.length === 1 ? 'it' : 'them'} again.`,
          said: said('change.run.remaining', { count: check.remaining.length, kinds }),
        };
      }
    }
    // The reasons are the systems' own, written in English in their files: named as written.
    const reasons = [...new Set(step.preview?.retained.map((r) => r.reason))].slice(0, 3).join('; ');
    return {
      kind: 'completeStep',
      stepId,
      result,
      ...(result.retained > 0 && step.preview
        ? {
            reason: `${counted(result.retained, 'record')} kept: ${reasons}`,
            reasonSaid: said('change.run.kept', { count: result.retained, reasons }),
          }
        : {}),
    };
  }
}

function toLedger(outcome: ApplyOutcome): LedgerOutcome {
  switch (outcome.status) {
    case 'applied':
      return outcome.before ? { status: 'applied', before: outcome.before } : { status: 'applied' };
    case 'gone':
      return { status: 'gone' };
    case 'conflict':
      return { status: 'conflict', message: outcome.message.slice(0, 300) };
    case 'failed':
      return { status: 'failed', message: outcome.message.slice(0, 300) };
  }
}

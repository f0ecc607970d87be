import type { StepPreview } from './changePreview.js';
import type { ManualStep } from './findings.js';
import type { RequestType } from './requestTypes.js';
import type { EvidenceRule } from './planEvidence.js';
import type { OutsideWait } from './outsideWait.js';
import type { Said } from '../i18n/index.js';

/**
 * What a plan records on a case: its steps, their state, previews, approvals and results. Apart from
 * the plan's logic (plan.ts), so the case can name its plan without importing what builds it.
 */

export const STEP_STATES = [
  'todo',
  'running',
  'waiting-approval',
  'done',
  'failed',
  'not-applicable',
  'retained',
  'waiting-outside',
] as const;
export type StepState = (typeof STEP_STATES)[number];

export const STEP_STATE_LABELS: Record<StepState, string> = {
  todo: 'To do',
  running: 'Running',
  'waiting-approval': 'Waiting for approval',
  done: 'Done',
  failed: 'Failed',
  'not-applicable': 'Not applicable',
  retained: 'Retained',
  'waiting-outside': 'Waiting for an outside party',
};

/** The rights a plan carries out, in the order the guide treats them. */
export const PLAN_RIGHTS = ['access', 'export', 'rectify', 'restrict', 'delete'] as const satisfies RequestType[];

/** The one step that builds the data subject's package from every connected system. */
export const PACKAGE_STEP_ID = 'package';
export const LOGS_SYSTEM_ID = 'logs';

/**
 * Where the records a restriction "extracts and isolates" are kept once they leave the system, and
 * how to tell the copy is whole: recorded on the step (and in the audit trail) before the first
 * record is removed. The location names the case and a random id, never the person.
 */
export interface IsolatedCopy {
  /** Inside the package store: `isolated/<case>-<id>.zip`. */
  location: string;
  sha256: string;
  bytes: number;
  storedAt: string;
  /** When the copy is deleted; absent while it is kept for the case's own retention. */
  keptUntil?: string;
}

export interface StepCompletion {
  at: string;
  byId: string;
  note?: string;
  link?: string;
}

/** Who carried out a change step: the person who pressed Apply (or Retry), not whoever resumed it. */
export interface StepApplied {
  at: string;
  byId: string;
}

export interface PlanStep {
  /** Stable within the plan: `<right>:<system>` or `package`. */
  id: string;
  right: RequestType;
  systemId: string;
  systemName: string;
  mode: 'automated' | 'guided';
  title: string;
  instructions: ManualStep[];
  /** Changes or removes data, so it runs only after an approval bound to its preview. */
  destructive: boolean;
  state: StepState;
  progress?: { done: number; total?: number };
  /** In English: the response letter, the logs and the audit trail read it. */
  error?: string;
  /** The same in the catalogue's words, for the reader's language; steps that ended before it existed have none. */
  errorSaid?: Said;
  /** Why a step is not applicable or records are retained, in English (as `error`). */
  reason?: string;
  /** The same in the catalogue's words, where the bot wrote it; absent on older steps. */
  reasonSaid?: Said;
  completed?: StepCompletion;
  approval?: { at: string; byId: string; previewHash: string };
  /** The package built by this step, for its download. */
  packageId?: string;
  /** Extract and isolate: where the records' copy is kept and its checksum, recorded before any is removed. */
  isolatedCopy?: IsolatedCopy;
  /** What the latest preview of a destructive step showed; its full target list is in the change ledger. */
  preview?: StepPreview;
  /** Why a failed step failed, which decides what is offered next (retry, or a new preview). */
  failure?: StepFailure;
  /** What a run of a destructive step did, per outcome. */
  result?: StepResult;
  /** The hashes of every preview this step ran, oldest first: a lift restores the oldest before-state. */
  ranPreviews?: string[];
  /** A restriction put back as it was before. */
  lifted?: { at: string; byId: string; restored: number; failed: number };
  /**
   * Why the bot could not search this step's system (it failed, timed out or was never searched):
   * the step stays open until the system is searched again and the plan made again, or a person
   * does it by hand and says in a note what they did.
   */
  uncovered?: string;
  /**
   * The records a follow-up erasure deletes, named by id: its preview reads exactly these, since
   * the follow-up case holds no name to search by.
   */
  keptTargets?: { kind: string; id: string }[];
  /**
   * Kept Entra accounts a privacy officer ordered deleted anyway, with the written reason: every
   * later preview of the step lists them for deletion. The reason stays on the case, never in the
   * audit trail, as it may name the person.
   */
  overrides?: KeptOverride[];
  /** Marking the step done needs a link to the evidence, where the guide has an export handed over by hand. */
  evidence?: EvidenceRule;
  /** The step waits for someone outside the team (such as Microsoft's Data Log Export), until a day. */
  waiting?: OutsideWait;
  /** A step the preview of another step added (work left by hand): it counts with that step. */
  followUpOf?: string;
  /** Who applied a change step, and when. */
  applied?: StepApplied;
  updatedAt: string;
}

/** A privacy officer's written override of a kept account. */
export interface KeptOverride {
  recordId: string;
  kind: string;
  byId: string;
  at: string;
  reason: string;
}

/**
 * `error`: a system failed (retry continues); `conflict`: records changed since the preview (preview
 * again); `remaining`: a deletion left records behind (retry deletes them); `interrupted`: the process
 * stopped midway (resume continues).
 */
export const STEP_FAILURES = ['error', 'conflict', 'remaining', 'interrupted'] as const;
export type StepFailure = (typeof STEP_FAILURES)[number];

export interface StepResult {
  applied: number;
  gone: number;
  retained: number;
}

export interface CasePlan {
  createdAt: string;
  steps: PlanStep[];
}

export interface CaseResponse {
  at: string;
  byId: string;
  summary: string;
}

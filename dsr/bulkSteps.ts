import type { DsrCase } from './case.js';
import type { PlanStep } from './planRecord.js';

/**
 * Approving and applying several change steps with one press. Nothing here loosens a rule of one
 * step: each approval is still bound to its own step's preview hash and refused to the one who made
 * that preview (four eyes), and each step still runs on its own once approved. These rules pick
 * which steps a card may offer together and say, per step, why one was left out.
 */

/** A step's approval as a card asks for it: the step, and the hash of the preview the card showed. */
export interface StepApprovalRequest {
  stepId: string;
  previewHash: string;
}

/** How a card carries one step's approval: the step id, '#', the preview's hash (a card's data holds strings). */
export function previewToken(request: StepApprovalRequest): string {
  return `${request.stepId}#${request.previewHash}`;
}

const TOKEN = /^([^#\p{Cc}]{1,80})#([0-9a-f]{64})$/u;

/** A card's token read back; undefined for anything a card of ours does not send. */
export function parsePreviewToken(token: unknown): StepApprovalRequest | undefined {
  if (typeof token !== 'string') return undefined;
  const match = TOKEN.exec(token);
  return match ? { stepId: match[1]!, previewHash: match[2]! } : undefined;
}

/** Why one step of "Approve all" was not approved; each reads as words in the reader's language. */
export const BULK_APPROVAL_REFUSALS = [
  'unknown',
  'notWaiting',
  'newerPreview',
  'ownPreview',
  'ownRequest',
  'changed',
] as const;
export type BulkApprovalRefusal = (typeof BULK_APPROVAL_REFUSALS)[number];

/** The most steps one press may approve or apply; more than a plan holds, fewer than a forged card may list. */
export const BULK_STEPS_MAX = 50;

/** A step the bot changes data in, waiting for a second officer's approval of its preview. */
function waitingPreview(step: PlanStep): boolean {
  return step.destructive && step.mode === 'automated' && step.state === 'waiting-approval' && !!step.preview;
}

/**
 * The steps this person may approve now: waiting, with a preview made by someone else, on a request
 * they did not file. Without a reader (the card everyone sees first) every waiting preview; the
 * server refuses the reader's own.
 */
export function approvableSteps(dsrCase: DsrCase, readerId?: string): PlanStep[] {
  if (readerId !== undefined && dsrCase.requester.id === readerId) return [];
  return (dsrCase.plan?.steps ?? []).filter((step) => waitingPreview(step) && step.preview!.byId !== readerId);
}

/** Whether this person may approve the step's preview now; the card offers Approve only then. */
export function mayApproveStep(dsrCase: DsrCase, step: PlanStep, readerId?: string): boolean {
  return approvableSteps(dsrCase, readerId).some((waiting) => waiting.id === step.id);
}

/**
 * Whether one requested approval may be given, before the case checks it again: the step waits, the
 * card's hash is its current preview's, and the reader did not make that preview.
 */
export function bulkApprovalRefusal(
  dsrCase: DsrCase,
  request: StepApprovalRequest,
  actorId: string,
): BulkApprovalRefusal | undefined {
  const step = dsrCase.plan?.steps.find((s) => s.id === request.stepId);
  if (!step || !step.destructive || step.mode !== 'automated') return 'unknown';
  if (!waitingPreview(step)) return 'notWaiting';
  if (step.preview!.hash !== request.previewHash) return 'newerPreview';
  if (step.preview!.byId === actorId) return 'ownPreview';
  if (dsrCase.requester.id === actorId) return 'ownRequest';
  return undefined;
}

/**
 * The approved steps that can start together: approved on their current preview and not started.
 * A restriction that isolates records is left to its own Apply, since its copy is stored first.
 */
export function applicableSteps(dsrCase: DsrCase): PlanStep[] {
  return (dsrCase.plan?.steps ?? []).filter(
    (step) =>
      step.destructive &&
      step.mode === 'automated' &&
      step.state === 'todo' &&
      step.approval !== undefined &&
      step.preview !== undefined &&
      step.approval.previewHash === step.preview.hash &&
      !(step.preview.request.right === 'restrict' && step.preview.request.mode === 'isolate'),
  );
}

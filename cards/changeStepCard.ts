import { counted } from '../dsr/counted.js';
import type { DsrCase } from '../dsr/case.js';
import type { StepPreview } from '../dsr/changePreview.js';
import type { RestrictMode } from '../dsr/changes.js';
import type { PlanStep } from '../dsr/plan.js';
import { OVERRIDE_REASON_MAX } from '../dsr/planCaseActions.js';
import { clip, noticeBlock, shownAsText } from './format.js';
import { keptEndText } from './keptView.js';
import { PLAN_VERBS } from './planVerbs.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, inputId, type CardJson } from './template.js';

/** What the plan card knows beyond the case: which running steps lost their process, and the choices a system offers. */
export interface PlanView {
  /** Steps shown running whose process stopped: offered to be resumed, never read as done. */
  interrupted?: ReadonlySet<string>;
  /** Per system, how it can restrict when it offers a choice. */
  restrictModes?: Readonly<Record<string, readonly RestrictMode[]>>;
  /** The page of steps to show, from "Next page" and "Previous page". */
  page?: number;
  /** A step just acted on: its page is shown unless a page is asked for. */
  focusStepId?: string;
  /**
   * How much of each step's detail the plan card shows: 0 all it has room for, higher folds more
   * (fewer instructions and preview lines, shorter texts) to keep the card within Teams' message
   * size. The full preview stays one "Show the preview" away; instructions stay in the guide.
   */
  fold?: number;
}

/** Per fold: instructions shown, preview lines shown, characters per line, field choices per kind. */
export const STEP_FOLDS = [
  { instructions: 4, previewLines: 4, textMax: 300, fields: 12 },
  { instructions: 2, previewLines: 2, textMax: 200, fields: 6 },
  { instructions: 1, previewLines: 1, textMax: 120, fields: 3 },
] as const;

export function stepFold(view: PlanView): (typeof STEP_FOLDS)[number] {
  return STEP_FOLDS[Math.min(view.fold ?? 0, STEP_FOLDS.length - 1)]!;
}

const MODE_LABEL: Record<RestrictMode, string> = {
  flag: 'Mark do-not-contact and withdraw consent (records stay)',
  isolate: 'Extract to the package, then remove from processing',
};

function small(text: string, extra: CardJson = {}): CardJson {
  return { type: 'TextBlock', text, wrap: true, size: 'Small', spacing: 'Small', ...extra };
}

/** One line per kind, e.g. "3 contact, 120 activity". */
export function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([kind, n]) => `${n} ${kind}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

/** The bounded preview: counts per kind, a few changes from → to, what is kept and why, what stays by hand. */
export function previewBlocks(preview: StepPreview): CardJson[] {
  const blocks: CardJson[] = [
    small(`Will change: ${countsText(preview.counts)} (${counted(preview.targetCount, 'record')}).`),
  ];
  for (const sample of preview.samples) {
    const changes = sample.changes
      .map((c) => `${c.field}: "${shownAsText(c.from, 60)}" → "${shownAsText(c.to, 60)}"`)
      .join('; ');
    blocks.push(small(`- ${sample.kind} ${shownAsText(sample.label, 80)}${changes ? `: ${changes}` : ''}`));
  }
  if (preview.targetCount > preview.samples.length)
    blocks.push(small(`…and ${preview.targetCount - preview.samples.length} more.`, { isSubtle: true }));
  if (preview.retainedCount > 0) {
    blocks.push(small(`Kept as they are: ${counted(preview.retainedCount, 'record')}.`, { weight: 'Bolder' }));
    for (const kept of preview.retained) {
      const end = keptEndText(kept);
      blocks.push(
        small(`- ${kept.kind} ${shownAsText(kept.label, 80)}: ${clip(kept.reason, 200)}${end ? ` (${end})` : ''}`),
      );
    }
  }
  for (const guided of preview.guided)
    blocks.push(
      small(`By hand: ${clip(guided.text, 300)}${guided.link ? ` [${guided.link.title}](${guided.link.url})` : ''}`),
    );
  return blocks;
}

/** The inputs a preview needs: corrections per record kind for rectify, the mode for restrict. */
function previewInputs(dsrCase: DsrCase, step: PlanStep, view: PlanView): { body: CardJson[]; data: CardJson } {
  if (step.right === 'rectify') {
    const findings = dsrCase.findings?.systems.find((s) => s.systemId === step.systemId);
    const kinds = Object.keys(findings?.counts ?? {}).slice(0, 6);
    const body: CardJson[] = [];
    kinds.forEach((kind, n) => {
      const sample = findings?.records.find((r) => r.kind === kind && !r.notThisPerson);
      const fields = Object.entries(sample?.fields ?? {}).slice(0, stepFold(view).fields);
      body.push(small(`**${kind}**`, { size: 'Default' }));
      body.push(
        fields.length > 0
          ? {
              type: 'Input.ChoiceSet',
              id: inputId(`field${n}`, step.id),
              label: 'Field to correct',
              choices: fields.map(([field, value]) => ({ title: `${field} (now: ${clip(value, 60)})`, value: field })),
            }
          : { type: 'Input.Text', id: inputId(`field${n}`, step.id), label: 'Field to correct', maxLength: 100 },
      );
      body.push({ type: 'Input.Text', id: inputId(`value${n}`, step.id), label: 'New value', maxLength: 500 });
    });
    return { body, data: { kinds } };
  }
  if (step.right === 'restrict') {
    const modes = view.restrictModes?.[step.systemId] ?? [];
    if (modes.length > 1)
      return {
        body: [
          {
            type: 'Input.ChoiceSet',
            id: inputId('mode', step.id),
            label: 'How to restrict',
            value: modes[0],
            choices: modes.map((mode) => ({ title: MODE_LABEL[mode], value: mode })),
          },
        ],
        data: {},
      };
    return { body: [], data: { mode: modes[0] ?? 'flag' } };
  }
  return { body: [], data: {} };
}

/** The buttons of a step that changes data, by its state. */
export function changeStepItems(dsrCase: DsrCase, step: PlanStep, view: PlanView): CardJson[] {
  const data = { caseId: dsrCase.id, version: dsrCase.version, stepId: step.id };
  const items: CardJson[] = [];
  const actions: CardJson[] = [];
  const interrupted = step.state === 'running' && view.interrupted?.has(step.id) === true;
  if (interrupted)
    items.push(
      small('The bot stopped while running this step. Nothing is lost: Resume continues where it stopped.', {
        color: 'Attention',
      }),
    );
  if (step.result) {
    const { applied, gone, retained } = step.result;
    items.push(
      small(
        `${counted(applied, 'record')} changed${gone > 0 ? `, ${gone} already gone` : ''}${retained > 0 ? `, ${retained} kept` : ''}.`,
      ),
    );
  }
  if (step.lifted)
    items.push(
      small(
        `Restriction lifted: ${counted(step.lifted.restored, 'record')} put back${step.lifted.failed ? `, ${step.lifted.failed} could not be` : ''}.`,
      ),
    );
  if (step.preview && (step.state === 'waiting-approval' || step.state === 'todo')) {
    const fold = stepFold(view);
    items.push(
      ...previewBlocks(step.preview)
        .slice(0, fold.previewLines)
        .map((block) => ({ ...block, text: clip(String(block.text), fold.textMax) })),
    );
    if (step.state === 'waiting-approval')
      actions.push(
        executeAction('Approve', PLAN_VERBS.approve, { ...data, previewHash: step.preview.hash }, 'positive'),
      );
    actions.push(executeAction('Show the preview', PLAN_VERBS.showPreview, data));
  }
  if (step.state === 'todo' && step.approval)
    actions.push(executeAction('Apply', PLAN_VERBS.apply, data, 'destructive'));
  if (step.state === 'failed' && step.failure !== 'conflict')
    actions.push(executeAction('Retry', PLAN_VERBS.apply, data));
  if (interrupted) actions.push(executeAction('Resume', PLAN_VERBS.resume, data));
  if (
    step.right === 'restrict' &&
    (step.state === 'done' || (step.result?.applied ?? 0) > 0) &&
    (!step.lifted || step.lifted.failed > 0) &&
    step.state !== 'running'
  )
    actions.push(executeAction('Lift restriction', PLAN_VERBS.lift, data));
  const canPreview =
    step.state === 'waiting-approval' ||
    step.state === 'todo' ||
    (step.state === 'failed' && step.failure === 'conflict');
  if (canPreview) {
    const inputs = previewInputs(dsrCase, step, view);
    const title = step.preview ? 'Preview again' : 'Preview';
    actions.push(
      inputs.body.length > 0
        ? {
            type: 'Action.ShowCard',
            title,
            card: {
              type: 'AdaptiveCard',
              body: inputs.body,
              actions: [executeAction(title, PLAN_VERBS.preview, { ...data, ...inputs.data })],
            },
          }
        : executeAction(title, PLAN_VERBS.preview, { ...data, ...inputs.data }),
    );
  }
  if (actions.length > 0) items.push({ type: 'ActionSet', actions });
  return items;
}

/**
 * "Override: delete anyway" for each Entra account a deletion preview keeps, with the written
 * reason it needs (the server checks the same rules); the override makes a new preview, which
 * another privacy team member approves.
 */
function overrideBlocks(dsrCase: DsrCase, step: PlanStep): CardJson[] {
  const preview = step.preview;
  if (!preview || step.right !== 'delete' || step.systemId !== 'graph') return [];
  if (step.state !== 'waiting-approval' && step.state !== 'todo' && step.state !== 'retained') return [];
  const data = { caseId: dsrCase.id, version: dsrCase.version, stepId: step.id };
  const accounts = preview.retained.filter((kept) => kept.kind === 'user');
  if (accounts.length === 0) return [];
  return [
    {
      type: 'ActionSet',
      actions: accounts.map((kept) => ({
        type: 'Action.ShowCard',
        title: `Override: delete anyway (${clip(kept.label, 40)})`,
        card: {
          type: 'AdaptiveCard',
          body: [
            {
              type: 'Input.Text',
              id: inputId(`overrideReason.${kept.id}`, step.id),
              label: 'Why this account is deleted although it is kept',
              isMultiline: true,
              isRequired: true,
              maxLength: OVERRIDE_REASON_MAX,
              errorMessage: `Write the reason, in at most ${OVERRIDE_REASON_MAX} characters.`,
            },
          ],
          actions: [
            executeAction(
              'Delete anyway',
              PLAN_VERBS.override,
              { ...data, recordId: kept.id, kind: kept.kind },
              'destructive',
            ),
          ],
        },
      })),
    },
  ];
}

/** The whole preview of one step, for approval. */
export function changePreviewCard(dsrCase: DsrCase, step: PlanStep, notice?: string): CardJson {
  const data = { caseId: dsrCase.id, version: dsrCase.version, stepId: step.id };
  const preview = step.preview;
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [
      ...noticeBlock(notice),
      { type: 'TextBlock', text: `Preview: ${clip(step.title, 200)}`, size: 'Large', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: `${dsrCase.id} · ${step.systemName}. Nothing changes until a privacy team member approves who neither filed the request nor made this preview.`,
        wrap: true,
        isSubtle: true,
      },
      ...(preview ? previewBlocks(preview) : [small('No preview has been made yet.')]),
      ...overrideBlocks(dsrCase, step),
    ],
    actions: [
      executeAction('Back to the plan', PLAN_VERBS.show, { caseId: dsrCase.id, version: dsrCase.version }),
      ...(preview && step.state === 'waiting-approval'
        ? [executeAction('Approve', PLAN_VERBS.approve, { ...data, previewHash: preview.hash }, 'positive')]
        : []),
    ],
  };
}

import { counted } from '../dsr/counted.js';
import type { DsrCase } from '../dsr/case.js';
import { releaseAwaited } from '../dsr/packageReview.js';
import { isSettled, remainingSteps, STEP_STATE_LABELS, type PlanStep, type StepState } from '../dsr/plan.js';
import { changeStepItems, STEP_FOLDS, stepFold, type PlanView } from './changeStepCard.js';
import { fullestThatFits } from './cardSize.js';
import { clip, noticeBlock, shownAsText } from './format.js';
import { DISCOVERY_VERBS } from './verbs.js';
import { PLAN_VERBS } from './verbs.js';
import { REVIEW_VERBS } from './verbs.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, inputId, type CardJson } from './template.js';
import { TRIAGE_VERBS } from './verbs.js';

export { PLAN_VERBS };
export type { PlanView };

const STATE_COLOR: Record<StepState, string> = {
  todo: 'Default',
  running: 'Accent',
  'waiting-approval': 'Warning',
  done: 'Good',
  failed: 'Attention',
  'not-applicable': 'Default',
  retained: 'Warning',
};

function stateText(step: PlanStep): string {
  const label = STEP_STATE_LABELS[step.state];
  if (step.state === 'running' && step.progress)
    return step.progress.total
      ? `${label} (${step.progress.done} of ${counted(step.progress.total, 'record')})`
      : `${label} (${counted(step.progress.done, 'record')})`;
  return label;
}

function stepBlock(dsrCase: DsrCase, step: PlanStep, view: PlanView): CardJson {
  const data = { caseId: dsrCase.id, version: dsrCase.version, stepId: step.id };
  const items: CardJson[] = [
    {
      type: 'TextBlock',
      text: `**${clip(step.title, 200)}** · ${step.mode === 'automated' ? 'by the bot' : 'by hand'}: ${stateText(step)}`,
      color: STATE_COLOR[step.state],
      wrap: true,
    },
  ];
  const explain = step.state === 'failed' ? step.error : step.reason;
  if (explain)
    items.push({
      type: 'TextBlock',
      text: clip(explain, stepFold(view).textMax + 100),
      wrap: true,
      isSubtle: true,
      size: 'Small',
    });
  if (step.completed?.note)
    items.push({
      type: 'TextBlock',
      text: `Note: ${shownAsText(step.completed.note, 300)}`,
      wrap: true,
      size: 'Small',
    });
  if (!isSettled(step)) {
    const fold = stepFold(view);
    for (const instruction of step.instructions.slice(0, fold.instructions)) {
      items.push({
        type: 'TextBlock',
        text: `- ${clip(instruction.text, fold.textMax)}${instruction.link ? ` [${instruction.link.title}](${instruction.link.url})` : ''}`,
        wrap: true,
        spacing: 'Small',
        size: 'Small',
      });
    }
  }
  if (step.id === 'package' && step.state !== 'not-applicable') {
    items.push({
      type: 'Input.ChoiceSet',
      id: 'formats',
      label: 'Formats',
      isMultiSelect: true,
      value: 'json,csv',
      choices: [
        { title: 'JSON', value: 'json' },
        { title: 'CSV', value: 'csv' },
        { title: 'XML', value: 'xml' },
      ],
    });
    items.push({
      type: 'ActionSet',
      actions: [
        executeAction(
          step.state === 'done'
            ? 'Prepare the package again'
            : step.state === 'running'
              ? 'Start again'
              : 'Prepare package',
          PLAN_VERBS.preparePackage,
          data,
        ),
        // What the person receives is reviewed and approved before release (GDPR Art. 15(4)).
        ...(dsrCase.review && step.state === 'done'
          ? [
              executeAction('Review before release', REVIEW_VERBS.show, {
                caseId: dsrCase.id,
                version: dsrCase.version,
              }),
            ]
          : []),
      ],
    });
  }
  if (step.destructive && step.mode === 'automated') items.push(...changeStepItems(dsrCase, step, view));
  if (step.mode === 'guided' && !isSettled(step)) {
    items.push({
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.ShowCard',
          title: 'Mark done',
          card: {
            type: 'AdaptiveCard',
            body: [
              {
                type: 'Input.Text',
                id: inputId('note', step.id),
                label: 'Note (optional)',
                isMultiline: true,
                maxLength: 1000,
              },
              {
                type: 'Input.Text',
                id: inputId('link', step.id),
                label: 'Link to evidence (optional)',
                maxLength: 500,
              },
            ],
            actions: [executeAction('Mark done', PLAN_VERBS.tick, data)],
          },
        },
      ],
    });
  }
  return { type: 'Container', separator: true, items };
}

/**
 * How the plan card fits Teams' message size (see cardSize.ts), from the fullest to the most
 * folded: every step on one card, then less detail per step, then pages of steps with the steps
 * that do not apply folded into one line (nobody acts on them). The first layout that fits is
 * used, so a case's pages stay the same between "Next page" and "Previous page" until it changes.
 */
const PLAN_LAYOUTS: ReadonlyArray<{ pageSize: number; fold: number }> = [
  { pageSize: Infinity, fold: 0 },
  { pageSize: Infinity, fold: 1 },
  ...[8, 5, 3].flatMap((pageSize) => STEP_FOLDS.map((_, fold) => ({ pageSize, fold }))),
];

/** The fewest steps a page of the plan holds. */
export const PLAN_PAGE_SIZE = 3;

function pageOf(shownSteps: PlanStep[], view: PlanView, pageSize: number): number {
  const pages = Math.max(1, Math.ceil(shownSteps.length / pageSize));
  const focused = view.focusStepId ? shownSteps.findIndex((step) => step.id === view.focusStepId) : -1;
  const page = view.page ?? (focused >= 0 ? Math.floor(focused / pageSize) : 0);
  return Math.min(Math.max(0, Math.trunc(page)), pages - 1);
}

function notApplicableBlock(steps: PlanStep[]): CardJson[] {
  if (steps.length === 0) return [];
  const names = steps.map((step) => clip(step.title, 80));
  const listed = names.slice(0, 10).join('; ');
  return [
    {
      type: 'TextBlock',
      text: `${steps.length} ${steps.length === 1 ? 'step does' : 'steps do'} not apply (not applicable): ${listed}${names.length > 10 ? `; and ${names.length - 10} more` : ''}.`,
      wrap: true,
      isSubtle: true,
      size: 'Small',
      separator: true,
    },
  ];
}

/** The plan with each step's state, what is left, and "Respond" once nothing is; long plans a page at a time. */
export function planCard(dsrCase: DsrCase, notice?: string, view: PlanView = {}): CardJson {
  const steps = dsrCase.plan?.steps ?? [];
  const left = dsrCase.plan ? remainingSteps(dsrCase.plan) : [];
  const pageData = (n: number) => ({ caseId: dsrCase.id, version: dsrCase.version, page: n });
  const caseData = { caseId: dsrCase.id, version: dsrCase.version };
  const canRespond = dsrCase.plan !== undefined && left.length === 0 && dsrCase.status === 'actions';
  const status = dsrCase.response
    ? 'Responded to the data subject.'
    : left.length > 0
      ? `${left.length} of ${steps.length} steps left.`
      : releaseAwaited(dsrCase)
        ? 'Every step is done or explained. Release the reviewed package, then the response can go out.'
        : 'Every step is done or explained: the response can go out.';
  return fullestThatFits(PLAN_LAYOUTS, ({ pageSize, fold }) => {
    const paged = Number.isFinite(pageSize);
    const notApplicable = paged ? steps.filter((step) => step.state === 'not-applicable') : [];
    const shownSteps = paged ? steps.filter((step) => step.state !== 'not-applicable') : steps;
    const pages = paged ? Math.max(1, Math.ceil(shownSteps.length / pageSize)) : 1;
    const page = paged ? pageOf(shownSteps, view, pageSize) : 0;
    return {
      type: 'AdaptiveCard',
      $schema: CARD_SCHEMA,
      version: CARD_VERSION,
      body: [
        ...noticeBlock(notice),
        { type: 'TextBlock', text: `Plan for ${dsrCase.id}`, size: 'Large', weight: 'Bolder', wrap: true },
        {
          type: 'TextBlock',
          text: pages > 1 ? `${status} Page ${page + 1} of ${pages}.` : status,
          wrap: true,
          isSubtle: true,
        },
        ...(paged ? shownSteps.slice(page * pageSize, (page + 1) * pageSize) : shownSteps).map((step) =>
          stepBlock(dsrCase, step, { ...view, fold }),
        ),
        ...notApplicableBlock(notApplicable),
        ...(dsrCase.response
          ? [{ type: 'TextBlock', text: clip(dsrCase.response.summary, 3000), wrap: true, separator: true }]
          : []),
      ],
      actions: [
        ...(page > 0 ? [executeAction('Previous page', PLAN_VERBS.show, pageData(page - 1))] : []),
        ...(page < pages - 1 ? [executeAction('Next page', PLAN_VERBS.show, pageData(page + 1))] : []),
        executeAction('Back to the case', TRIAGE_VERBS.refresh, { caseId: dsrCase.id }),
        ...(left.some((s) => s.uncovered) ? [executeAction('Show the findings', DISCOVERY_VERBS.show, caseData)] : []),
        ...(canRespond ? [executeAction('Respond', PLAN_VERBS.respond, caseData, 'positive')] : []),
      ],
    };
  });
}

import { counted } from '../dsr/counted.js';
import type { DsrCase } from '../dsr/case.js';
import { isSettled, remainingSteps, STEP_STATE_LABELS, type PlanStep, type StepState } from '../dsr/plan.js';
import { changeStepItems, type PlanView } from './changeStepCard.js';
import { clip, noticeBlock, shownAsText } from './format.js';
import { DISCOVERY_VERBS } from './discoveryVerbs.js';
import { PLAN_VERBS } from './planVerbs.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, inputId, type CardJson } from './template.js';
import { TRIAGE_VERBS } from './triageCard.js';

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
  if (explain) items.push({ type: 'TextBlock', text: clip(explain, 400), wrap: true, isSubtle: true, size: 'Small' });
  if (step.completed?.note)
    items.push({
      type: 'TextBlock',
      text: `Note: ${shownAsText(step.completed.note, 300)}`,
      wrap: true,
      size: 'Small',
    });
  if (!isSettled(step)) {
    for (const instruction of step.instructions.slice(0, 4)) {
      items.push({
        type: 'TextBlock',
        text: `- ${clip(instruction.text, 300)}${instruction.link ? ` [${instruction.link.title}](${instruction.link.url})` : ''}`,
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

/** The plan with each step's state, what is left, and "Respond" once nothing is. */
export function planCard(dsrCase: DsrCase, notice?: string, view: PlanView = {}): CardJson {
  const steps = dsrCase.plan?.steps ?? [];
  const left = dsrCase.plan ? remainingSteps(dsrCase.plan) : [];
  const caseData = { caseId: dsrCase.id, version: dsrCase.version };
  const canRespond = dsrCase.plan !== undefined && left.length === 0 && dsrCase.status === 'actions';
  const status = dsrCase.response
    ? 'Responded to the data subject.'
    : left.length === 0
      ? 'Every step is done or explained: the response can go out.'
      : `${left.length} of ${steps.length} steps left.`;
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [
      ...noticeBlock(notice),
      { type: 'TextBlock', text: `Plan for ${dsrCase.id}`, size: 'Large', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: status, wrap: true, isSubtle: true },
      ...steps.map((step) => stepBlock(dsrCase, step, view)),
      ...(dsrCase.response
        ? [{ type: 'TextBlock', text: clip(dsrCase.response.summary, 3000), wrap: true, separator: true }]
        : []),
    ],
    actions: [
      executeAction('Back to the case', TRIAGE_VERBS.refresh, { caseId: dsrCase.id }),
      ...(left.some((s) => s.uncovered) ? [executeAction('Show the findings', DISCOVERY_VERBS.show, caseData)] : []),
      ...(canRespond ? [executeAction('Respond', PLAN_VERBS.respond, caseData, 'positive')] : []),
    ],
  };
}

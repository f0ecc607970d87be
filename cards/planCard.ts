import type { TFunction } from 'i18next';
import type { DsrCase } from '../dsr/case.js';
import { releaseAwaited } from '../dsr/packageReview.js';
import { allowedActions } from '../dsr/allowedActions.js';
import { applicableSteps, approvableSteps, previewToken } from '../dsr/bulkSteps.js';
import { isSettled, PACKAGE_STEP_ID, planProgress, type PlanStep, type StepState } from '../dsr/plan.js';
import { STEP_NOTE_MAX_LENGTH } from '../dsr/planCaseActions.js';
import { localDate, OUTSIDE_PARTY_MAX_LENGTH, OUTSIDE_REASON_MAX_LENGTH } from '../dsr/outsideWait.js';
import {
  changeStepItems,
  dayText,
  personName,
  planShell,
  STEP_FOLDS,
  stepFold,
  viewT,
  whenText,
  type PlanView,
} from './changeStepCard.js';
import { fullestThatFits } from './cardSize.js';
import { clip, shownAsText } from './format.js';
import {
  actionSet,
  choiceSetInput,
  container,
  dateInput,
  executeAction,
  showCardAction,
  textBlock,
  textInput,
  type CardJson,
  type CardElement,
  type CardRefresh,
  type Container,
  type ContainerStyle,
  type TextBlock,
} from './adaptive.js';
import type { Notice } from './notices.js';
import { DISCOVERY_VERBS, PLAN_VERBS, REVIEW_VERBS, TRIAGE_VERBS } from './verbs.js';
import { guideLinkText, manualStepText, stepTitle } from './planStepText.js';
import { wordsOf } from '../i18n/index.js';

export { PLAN_VERBS };
export type { PlanView };

/**
 * The tint a step's state sits on; the state is also in words. Coloured text falls below WCAG AA in
 * one Teams theme or another (cards/notices.ts), a tint under default text does not.
 */
const STATE_STYLE: Record<StepState, ContainerStyle | undefined> = {
  todo: undefined,
  running: 'accent',
  'waiting-approval': 'warning',
  done: undefined,
  failed: 'attention',
  'not-applicable': undefined,
  retained: undefined,
  'waiting-outside': 'warning',
};

/** The ids of the bulk form's inputs: one selection, one note, one evidence link, one wait. */
export const PLAN_INPUTS = {
  steps: 'steps',
  note: 'note',
  evidence: 'evidence',
  party: 'party',
  expectedBy: 'expectedBy',
  reason: 'reason',
} as const;

/** The evidence an https address gives; the card checks it as the server does. */
const HTTPS_PATTERN = '^https://\\S+$';

function stateText(step: PlanStep, t: TFunction): string {
  const label = t(`plan.state.${step.state}`);
  if (step.state === 'running' && step.progress)
    return step.progress.total
      ? t('plan.progressOf', { label, done: step.progress.done, count: step.progress.total })
      : t('plan.progress', { label, count: step.progress.done });
  return label;
}

function small(text: string, extra: Partial<Omit<TextBlock, 'type' | 'text'>> = {}): TextBlock {
  return textBlock(text, { size: 'Small', spacing: 'Small', ...extra });
}

/** Whether a guided step can be chosen in the bulk form: open, and done by hand. */
function choosable(step: PlanStep): boolean {
  return step.mode === 'guided' && !isSettled(step);
}

function stepBlock(dsrCase: DsrCase, step: PlanStep, view: PlanView): Container {
  const t = viewT(view);
  const data = { caseId: dsrCase.id, version: dsrCase.version, stepId: step.id };
  const items: CardElement[] = [
    textBlock(`**${clip(stepTitle(step, t), 200)}** · ${t(`plan.mode.${step.mode}`)}: ${stateText(step, t)}`),
  ];
  // In the reader's language where the bot wrote it; steps that ended before keep their English.
  const saidExplain = step.state === 'failed' ? step.errorSaid : step.reasonSaid;
  const explain = saidExplain ? wordsOf(t, saidExplain) : step.state === 'failed' ? step.error : step.reason;
  if (explain) items.push(small(clip(explain, stepFold(view).textMax + 100), { isSubtle: true }));
  if (step.waiting && step.state === 'waiting-outside') {
    const overdue = view.today !== undefined && view.today > step.waiting.expectedBy;
    items.push(
      small(
        t(overdue ? 'plan.waiting.overdue' : 'plan.waiting.line', {
          party: shownAsText(step.waiting.party, OUTSIDE_PARTY_MAX_LENGTH),
          date: dayText(step.waiting.expectedBy, view),
        }),
        { weight: overdue ? 'Bolder' : 'Default' },
      ),
    );
    if (step.waiting.reason)
      items.push(
        small(t('plan.waiting.reason', { reason: shownAsText(step.waiting.reason, 300) }), { isSubtle: true }),
      );
  }
  if (step.completed && step.mode === 'guided')
    items.push(
      small(
        [
          t('plan.doneBy', { name: personName(step.completed.byId, view), when: whenText(step.completed.at, view) }),
          ...(step.completed.note ? [t('plan.note', { note: shownAsText(step.completed.note, 300) })] : []),
          ...(step.completed.link ? [`[${t('plan.evidence.link')}](${encodeURI(step.completed.link)})`] : []),
        ].join(' · '),
        { isSubtle: true },
      ),
    );
  if (!isSettled(step)) {
    if (step.evidence)
      items.push(small(t('plan.evidence.needed', { section: step.evidence.guideSection }), { isSubtle: true }));
    const fold = stepFold(view);
    for (const instruction of step.instructions.slice(0, fold.instructions)) {
      items.push(small(`- ${clip(manualStepText(instruction, t), fold.textMax)}${guideLinkText(instruction.link, t)}`));
    }
  }
  if (step.id === PACKAGE_STEP_ID && step.state !== 'not-applicable') {
    items.push(
      choiceSetInput({
        id: 'formats',
        label: t('plan.package.formats'),
        isMultiSelect: true,
        value: 'json,csv',
        choices: [
          { title: 'JSON', value: 'json' },
          { title: 'CSV', value: 'csv' },
          { title: 'XML', value: 'xml' },
        ],
      }),
    );
    items.push(
      actionSet([
        executeAction(
          step.state === 'done'
            ? t('plan.package.again')
            : step.state === 'running'
              ? t('plan.package.startAgain')
              : t('plan.package.prepare'),
          PLAN_VERBS.preparePackage,
          data,
        ),
        // What the person receives is reviewed and approved before release (GDPR Art. 15(4)).
        ...(dsrCase.review && step.state === 'done'
          ? [
              executeAction(t('plan.package.review'), REVIEW_VERBS.show, {
                caseId: dsrCase.id,
                version: dsrCase.version,
              }),
            ]
          : []),
      ]),
    );
  }
  if (step.destructive && step.mode === 'automated') items.push(...changeStepItems(dsrCase, step, view));
  const style = STATE_STYLE[step.state];
  return container(items, { spacing: 'Small', ...(style ? { style } : {}) });
}

/**
 * One press for several change steps: approve every preview this reader may approve, each bound to
 * its own hash (the card carries them all), or start every approved step. Offered from two steps on;
 * one step has its own buttons.
 */
function bulkChanges(dsrCase: DsrCase, view: PlanView): CardElement[] {
  const t = viewT(view);
  const approvable = approvableSteps(dsrCase, view.viewerId);
  const applicable = applicableSteps(dsrCase);
  const data = { caseId: dsrCase.id, version: dsrCase.version };
  const actions = [
    ...(approvable.length >= 2
      ? [
          executeAction(
            t('change.bulk.approveAll', { count: approvable.length }),
            PLAN_VERBS.approveAll,
            {
              ...data,
              previews: approvable.map((step) => previewToken({ stepId: step.id, previewHash: step.preview!.hash })),
            },
            'positive',
          ),
        ]
      : []),
    ...(applicable.length >= 2
      ? [
          executeAction(
            t('change.bulk.applyAll', { count: applicable.length }),
            PLAN_VERBS.applyAll,
            data,
            'destructive',
          ),
        ]
      : []),
  ];
  if (actions.length === 0) return [];
  return [...(approvable.length >= 2 ? [small(t('change.bulk.intro'), { isSubtle: true })] : []), actionSet(actions)];
}

/** The steps that do not apply in one system, folded into one line: nobody acts on them. */
function notApplicableLine(steps: PlanStep[], t: TFunction): TextBlock[] {
  if (steps.length === 0) return [];
  const names = steps.map((step) => t(`plan.rightShort.${step.right}`));
  const reasons = [
    ...new Set(
      steps
        .map((step) => (step.reasonSaid ? wordsOf(t, step.reasonSaid) : step.reason))
        .filter((r): r is string => Boolean(r)),
    ),
  ];
  return [
    small(
      `${t('plan.notApplicable', { steps: names.join(', '), count: steps.length })}${reasons.length > 0 ? ` ${clip(reasons[0]!, 200)}` : ''}`,
      { isSubtle: true },
    ),
  ];
}

interface SystemGroup {
  systemId: string;
  systemName: string;
  steps: PlanStep[];
}

/** The steps by system, in the plan's order of first appearance; the package (every system) first. */
function groups(steps: PlanStep[]): SystemGroup[] {
  const bySystem = new Map<string, SystemGroup>();
  for (const step of steps) {
    const group = bySystem.get(step.systemId) ?? { systemId: step.systemId, systemName: step.systemName, steps: [] };
    group.steps.push(step);
    bySystem.set(step.systemId, group);
  }
  return [...bySystem.values()];
}

function groupBlock(dsrCase: DsrCase, group: SystemGroup, shown: PlanStep[], view: PlanView): Container {
  const t = viewT(view);
  const applicable = group.steps.filter((step) => step.state !== 'not-applicable');
  const settled = applicable.filter(isSettled).length;
  const header =
    group.systemId === 'all'
      ? t('plan.system.all')
      : applicable.length === 0
        ? t('plan.system.name', { system: group.systemName })
        : t('plan.system.header', { system: group.systemName, done: settled, total: applicable.length });
  const open = shown.filter((step) => step.state !== 'not-applicable');
  return container(
    [
      textBlock(header),
      ...open.map((step) => stepBlock(dsrCase, step, view)),
      ...notApplicableLine(
        shown.filter((step) => step.state === 'not-applicable'),
        t,
      ),
    ],
    { separator: true },
  );
}

/**
 * The one form for the steps done by hand: choose several, write one note, give the evidence
 * where the guide asks for it, and press once; or say they wait for someone outside the team.
 */
function bulkForm(dsrCase: DsrCase, open: PlanStep[], view: PlanView): CardElement[] {
  if (open.length === 0) return [];
  const t = viewT(view);
  const data = { caseId: dsrCase.id, version: dsrCase.version };
  const dueDay = localDate(dsrCase.dueAt, view.calendar ?? { timeZone: 'UTC' });
  return [
    container(
      [
        textBlock(t('plan.bulk.title'), { weight: 'Bolder' }),
        choiceSetInput({
          id: PLAN_INPUTS.steps,
          label: t('plan.bulk.steps'),
          isMultiSelect: true,
          style: 'expanded',
          wrap: true,
          // Not `isRequired`: the client checks every input of the card before any Action.Execute on
          // it, so a required choice here would stop "Prepare package", "Preview" and the rest until a
          // step was ticked. The server refuses a Mark done without steps, with the same message.
          errorMessage: t('plan.bulk.stepsError'),
          // Every open step comes chosen: an officer who did them all presses once, and unticks the
          // ones not done yet. The server still asks for the evidence where the guide does.
          value: open.map((step) => step.id).join(','),
          choices: open.map((step) => ({
            title: clip(
              step.evidence ? t('plan.bulk.needsEvidence', { step: stepTitle(step, t) }) : stepTitle(step, t),
              150,
            ),
            value: step.id,
          })),
        }),
        textInput({
          id: PLAN_INPUTS.note,
          label: t('plan.bulk.note'),
          isMultiline: true,
          maxLength: STEP_NOTE_MAX_LENGTH,
        }),
        textInput({
          id: PLAN_INPUTS.evidence,
          label: t('plan.bulk.evidence'),
          style: 'url',
          regex: HTTPS_PATTERN,
          errorMessage: t('plan.bulk.evidenceError'),
          maxLength: 500,
        }),
        actionSet([
          executeAction(t('plan.bulk.markDone'), PLAN_VERBS.tick, data, 'positive'),
          showCardAction(
            t('plan.bulk.wait'),
            [
              textInput({
                id: PLAN_INPUTS.party,
                label: t('plan.bulk.party'),
                placeholder: t('plan.bulk.partyExample'),
                isRequired: true,
                errorMessage: t('plan.bulk.partyError', { max: OUTSIDE_PARTY_MAX_LENGTH }),
                maxLength: OUTSIDE_PARTY_MAX_LENGTH,
              }),
              dateInput({
                id: PLAN_INPUTS.expectedBy,
                label: t('plan.bulk.expectedBy'),
                isRequired: true,
                errorMessage: t('plan.bulk.expectedByError'),
                ...(view.today ? { min: view.today } : {}),
              }),
              textInput({
                id: PLAN_INPUTS.reason,
                label: t('plan.bulk.reason', { due: dayText(dueDay, view) }),
                isMultiline: true,
                maxLength: OUTSIDE_REASON_MAX_LENGTH,
              }),
            ],
            [executeAction(t('plan.bulk.saveWait'), PLAN_VERBS.wait, data)],
          ),
        ]),
      ],
      { separator: true },
    ),
  ];
}

/**
 * How the plan card fits Teams' message size (see cardSize.ts), from the fullest to the most
 * folded: every step on one card, then less detail per step, then pages of steps. The steps that
 * do not apply are always folded into one line per system. The first layout that fits is used, so
 * a case's pages stay the same between "Next page" and "Previous page" until it changes.
 */
const PLAN_LAYOUTS: ReadonlyArray<{ pageSize: number; fold: number }> = [
  { pageSize: Infinity, fold: 0 },
  { pageSize: Infinity, fold: 1 },
  { pageSize: Infinity, fold: 2 },
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

/**
 * Teams refreshes the card for each privacy team member when it is displayed, and the answer is
 * rendered for that reader: the live state, and no Approve for the one who made the preview.
 * Source: Microsoft Learn, "Universal Actions for Adaptive Cards: user-specific views"
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views):
 * `refresh.userIds` names who gets the automatic refresh (at most 60).
 */
function refreshOf(dsrCase: DsrCase, view: PlanView): CardRefresh | undefined {
  if (!view.refreshUserIds || view.refreshUserIds.length === 0) return undefined;
  // While a step runs, the bot replaces the card itself when the run ends; a refresh answered in the
  // meantime could land after that update and show the step running again.
  if (dsrCase.plan?.steps.some((step) => step.state === 'running')) return undefined;
  return {
    action: {
      type: 'Action.Execute',
      verb: PLAN_VERBS.refresh,
      data: { caseId: dsrCase.id, version: dsrCase.version },
    },
    userIds: view.refreshUserIds.slice(0, 60),
  };
}

/**
 * The plan under the case header, grouped by system: each step's state and who did what, the steps
 * that do not apply in one line per system, one form to mark steps done by hand, and "Respond" once
 * nothing is left.
 */
export function planCard(dsrCase: DsrCase, notice?: string | Notice, view: PlanView = {}): CardJson {
  const t = viewT(view);
  const steps = dsrCase.plan?.steps ?? [];
  const progress = dsrCase.plan ? planProgress(dsrCase.plan) : { total: 0, left: 0 };
  const pageData = (n: number) => ({ caseId: dsrCase.id, version: dsrCase.version, page: n });
  const caseData = { caseId: dsrCase.id, version: dsrCase.version };
  // Respond only when the domain says the case is ready for it (no record undecided, no package
  // awaiting release) and this reader may give it.
  const canRespond = allowedActions(dsrCase, {
    actor: { id: view.viewerId ?? '', name: '' },
    privacyTeam: true,
  }).actions.includes('respond');
  const status = dsrCase.response
    ? t('plan.status.responded')
    : progress.left > 0
      ? t('plan.status.left', { left: progress.left, count: progress.total })
      : releaseAwaited(dsrCase)
        ? t('plan.status.releaseAwaited')
        : t('plan.status.settled');
  const open = steps.filter(choosable);
  const refresh = refreshOf(dsrCase, view);
  return fullestThatFits(PLAN_LAYOUTS, ({ pageSize, fold }) => {
    const paged = Number.isFinite(pageSize);
    const applicable = steps.filter((step) => step.state !== 'not-applicable');
    const pages = paged ? Math.max(1, Math.ceil(applicable.length / pageSize)) : 1;
    const page = paged ? pageOf(applicable, view, pageSize) : 0;
    const onPage = new Set(
      (paged ? applicable.slice(page * pageSize, (page + 1) * pageSize) : applicable).map((s) => s.id),
    );
    // The folded lines of steps that do not apply come with the first page.
    const shown = steps.filter((step) => onPage.has(step.id) || (step.state === 'not-applicable' && page === 0));
    const stepView = { ...view, fold };
    return planShell(dsrCase, view, {
      notice,
      ...(refresh ? { refresh } : {}),
      body: [
        textBlock(t('plan.title', { caseId: dsrCase.id }), { size: 'Medium', weight: 'Bolder', separator: true }),
        textBlock(pages > 1 ? `${status} ${t('plan.status.page', { page: page + 1, pages })}` : status, {
          isSubtle: true,
        }),
        ...bulkChanges(dsrCase, view),
        ...groups(steps).flatMap((group) => {
          const inGroup = shown.filter((step) => step.systemId === group.systemId);
          return inGroup.length > 0 ? [groupBlock(dsrCase, group, inGroup, stepView)] : [];
        }),
        ...bulkForm(dsrCase, open, stepView),
        ...(dsrCase.response ? [textBlock(clip(dsrCase.response.summary, 3000), { separator: true })] : []),
      ],
      actions: [
        ...(canRespond ? [executeAction(t('plan.actions.respond'), PLAN_VERBS.respond, caseData, 'positive')] : []),
        ...(page > 0 ? [executeAction(t('plan.actions.previous'), PLAN_VERBS.show, pageData(page - 1))] : []),
        ...(page < pages - 1 ? [executeAction(t('plan.actions.next'), PLAN_VERBS.show, pageData(page + 1))] : []),
        executeAction(t('plan.actions.back'), TRIAGE_VERBS.refresh, { caseId: dsrCase.id }),
        ...(open.some((s) => s.uncovered)
          ? [executeAction(t('plan.actions.findings'), DISCOVERY_VERBS.show, caseData)]
          : []),
      ],
    });
  });
}

import type { TFunction } from 'i18next';
import { DateTime } from 'luxon';
import type { DsrCase } from '../dsr/case.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { caseHeaderFacts } from '../dsr/caseHeader.js';
import type { StepPreview } from '../dsr/changePreview.js';
import type { RestrictMode } from '../dsr/changes.js';
import type { PlanStep } from '../dsr/plan.js';
import { mayApproveStep } from '../dsr/bulkSteps.js';
import { OVERRIDE_REASON_MAX } from '../dsr/planCaseActions.js';
import { clip, shownAsText } from './format.js';
import {
  actionSet,
  choiceSetInput,
  container,
  executeAction,
  inputId,
  showCardAction,
  textBlock,
  textInput,
  type ActionData,
  type AdaptiveCard,
  type CardAction,
  type CardElement,
  type TextBlock,
} from './adaptive.js';
import { caseCardShell } from './caseHeader.js';
import type { Notice } from './notices.js';
import { keptEndText, keptWhy } from './keptView.js';
import { PLAN_VERBS } from './verbs.js';
import { languageOf, translator } from '../i18n/index.js';
import { guideLinkText, manualStepText, stepTitle } from './planStepText.js';

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
  /**
   * Who the card is rendered for: what they may not do is not offered (the one who made a preview
   * sees no Approve; the server refuses it too). Absent: the card everyone sees first.
   */
  viewerId?: string;
  /** The reader's Teams locale, for the card's language and its dates. */
  locale?: string;
  /** People by id, from the team directory, to say who did what. */
  names?: ReadonlyMap<string, string>;
  /** The organisation's calendar: times are shown in its zone, and the header counts its days. */
  calendar?: OrgCalendar;
  /** The moment the card is rendered, for the header's days left. */
  now?: Date;
  /** Today in the organisation's zone (YYYY-MM-DD), for what is overdue and the earliest date a wait takes. */
  today?: string;
  /** Who Teams refreshes the card for (the privacy team's ids), so each sees it live and for them. */
  refreshUserIds?: readonly string[];
}

/** The translator of the card's reader. */
export function viewT(view: PlanView): TFunction {
  return translator(view.locale);
}

/** A moment in the organisation's zone, in the reader's language. */
export function whenText(iso: string, view: PlanView): string {
  return DateTime.fromISO(iso)
    .setZone(view.calendar?.timeZone ?? 'UTC')
    .setLocale(languageOf(view.locale))
    .toFormat('d LLL yyyy, HH:mm');
}

/** A day (YYYY-MM-DD) in the reader's language. */
export function dayText(day: string, view: PlanView): string {
  return DateTime.fromISO(day).setLocale(languageOf(view.locale)).toFormat('d LLL yyyy');
}

/** A person by id as the team directory names them. */
export function personName(id: string, view: PlanView): string {
  const name = view.names?.get(id);
  return name ? shownAsText(name, 60) : viewT(view)('change.someone');
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

function small(text: string, extra: Partial<Omit<TextBlock, 'type' | 'text'>> = {}): TextBlock {
  return textBlock(text, { size: 'Small', spacing: 'Small', ...extra });
}

/** Without a calendar in the view (a card rendered outside a turn), the header reads UTC. */
const UTC_CALENDAR: OrgCalendar = { timeZone: 'UTC', holidays: [], workingDays: [1, 2, 3, 4, 5] };

/**
 * A card about one case in the one shell every case card shares (cards/caseHeader.ts): notices, the
 * case header, the card's body and actions, in the reader's language.
 */
export function planShell(
  dsrCase: DsrCase,
  view: PlanView,
  parts: {
    notice?: string | Notice | undefined;
    body: CardElement[];
    actions: CardAction[];
    refresh?: AdaptiveCard['refresh'];
  },
): AdaptiveCard {
  const calendar = view.calendar ?? UTC_CALENDAR;
  const notice = typeof parts.notice === 'string' ? { tone: 'info' as const, text: parts.notice } : parts.notice;
  return caseCardShell({
    header: caseHeaderFacts(dsrCase, view.now ?? new Date(), calendar),
    locale: view.locale,
    timeZone: calendar.timeZone,
    ...(notice?.text ? { notices: [notice] } : {}),
    body: parts.body,
    actions: parts.actions,
    ...(parts.refresh ? { refresh: parts.refresh } : {}),
  });
}

/** One line per kind, e.g. "3 contact, 120 activity". */
export function countsText(counts: Record<string, number>, t: TFunction): string {
  const parts = Object.entries(counts).map(([kind, n]) => `${n} ${kind}`);
  return parts.length > 0 ? parts.join(', ') : t('change.nothing');
}

/** The bounded preview: counts per kind, a few changes from → to, what is kept and why, what stays by hand. */
export function previewBlocks(preview: StepPreview, t: TFunction): TextBlock[] {
  const blocks: TextBlock[] = [
    small(t('change.willChange', { kinds: countsText(preview.counts, t), count: preview.targetCount })),
  ];
  for (const sample of preview.samples) {
    const changes = sample.changes
      .map((c) => `${c.field}: "${shownAsText(c.from, 60)}" → "${shownAsText(c.to, 60)}"`)
      .join('; ');
    blocks.push(small(`- ${sample.kind} ${shownAsText(sample.label, 80)}${changes ? `: ${changes}` : ''}`));
  }
  if (preview.targetCount > preview.samples.length)
    blocks.push(small(t('change.more', { count: preview.targetCount - preview.samples.length }), { isSubtle: true }));
  if (preview.retainedCount > 0) {
    blocks.push(small(t('change.kept', { count: preview.retainedCount }), { weight: 'Bolder' }));
    for (const kept of preview.retained) {
      const end = keptEndText(kept);
      blocks.push(
        small(`- ${kept.kind} ${shownAsText(kept.label, 80)}: ${clip(keptWhy(t, kept), 200)}${end ? ` (${end})` : ''}`),
      );
    }
  }
  for (const guided of preview.guided)
    blocks.push(small(`${t('change.byHand')} ${clip(manualStepText(guided, t), 300)}${guideLinkText(guided.link, t)}`));
  return blocks;
}

/** The inputs a preview needs: corrections per record kind for rectify, the mode for restrict. */
function previewInputs(dsrCase: DsrCase, step: PlanStep, view: PlanView): { body: CardElement[]; data: ActionData } {
  const t = viewT(view);
  if (step.right === 'rectify') {
    const findings = dsrCase.findings?.systems.find((s) => s.systemId === step.systemId);
    const kinds = Object.keys(findings?.counts ?? {}).slice(0, 6);
    const body: CardElement[] = [];
    kinds.forEach((kind, n) => {
      const sample = findings?.records.find((r) => r.kind === kind && !r.notThisPerson);
      const fields = Object.entries(sample?.fields ?? {}).slice(0, stepFold(view).fields);
      body.push(small(`**${kind}**`, { size: 'Default' }));
      body.push(
        fields.length > 0
          ? choiceSetInput({
              id: inputId(`field${n}`, step.id),
              label: t('change.fieldToCorrect'),
              choices: fields.map(([field, value]) => ({
                title: t('change.fieldNow', { field, value: clip(value, 60) }),
                value: field,
              })),
            })
          : textInput({ id: inputId(`field${n}`, step.id), label: t('change.fieldToCorrect'), maxLength: 100 }),
      );
      body.push(textInput({ id: inputId(`value${n}`, step.id), label: t('change.newValue'), maxLength: 500 }));
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
            label: t('change.howToRestrict'),
            value: modes[0],
            choices: modes.map((mode) => ({ title: t(`change.restrictMode.${mode}`), value: mode })),
          },
        ],
        data: {},
      };
    return { body: [], data: { mode: modes[0] ?? 'flag' } };
  }
  return { body: [], data: {} };
}

/**
 * Who previewed, approved and applied the step, with the time in the organisation's zone: the
 * four eyes shown, not only enforced.
 */
export function whoDidWhat(step: PlanStep, view: PlanView): TextBlock[] {
  const t = viewT(view);
  const lines: string[] = [];
  if (step.preview)
    lines.push(
      t('change.who.previewed', { name: personName(step.preview.byId, view), when: whenText(step.preview.at, view) }),
    );
  if (step.approval && step.preview && step.approval.previewHash === step.preview.hash)
    lines.push(
      t('change.who.approved', { name: personName(step.approval.byId, view), when: whenText(step.approval.at, view) }),
    );
  if (step.applied)
    lines.push(
      t('change.who.applied', { name: personName(step.applied.byId, view), when: whenText(step.applied.at, view) }),
    );
  return lines.length > 0 ? [small(lines.join(' · '), { isSubtle: true })] : [];
}

/** Whether the reader may approve the step's preview, as the domain decides (four eyes; the server refuses it too). */
function mayApprove(dsrCase: DsrCase, step: PlanStep, view: PlanView): boolean {
  return mayApproveStep(dsrCase, step, view.viewerId);
}

/** The reader made the preview waiting for approval: they are told another officer approves it. */
function ownWaitingPreview(step: PlanStep, view: PlanView): boolean {
  return step.state === 'waiting-approval' && step.preview !== undefined && step.preview.byId === view.viewerId;
}

/** The buttons of a step that changes data, by its state. */
export function changeStepItems(dsrCase: DsrCase, step: PlanStep, view: PlanView): CardElement[] {
  const t = viewT(view);
  const data = { caseId: dsrCase.id, version: dsrCase.version, stepId: step.id };
  const items: CardElement[] = [...whoDidWhat(step, view)];
  const actions: CardAction[] = [];
  const interrupted = step.state === 'running' && view.interrupted?.has(step.id) === true;
  // In words on a tint, not in coloured text (see cards/notices.ts).
  if (interrupted) items.push(container([small(t('change.interrupted'))], { style: 'attention' }));
  if (step.result) {
    const { applied, gone, retained } = step.result;
    items.push(
      small(
        [
          t('change.result.changed', { count: applied }),
          ...(gone > 0 ? [t('change.result.gone', { count: gone })] : []),
          ...(retained > 0 ? [t('change.result.kept', { count: retained })] : []),
        ].join(', '),
      ),
    );
  }
  if (step.lifted)
    items.push(
      small(
        step.lifted.failed
          ? t('change.liftedPartly', { count: step.lifted.restored, failed: step.lifted.failed })
          : t('change.lifted', { count: step.lifted.restored }),
      ),
    );
  if (step.preview && (step.state === 'waiting-approval' || step.state === 'todo')) {
    const fold = stepFold(view);
    items.push(
      ...previewBlocks(step.preview, t)
        .slice(0, fold.previewLines)
        .map((block) => ({ ...block, text: clip(String(block.text), fold.textMax) })),
    );
    if (mayApprove(dsrCase, step, view))
      actions.push(
        executeAction(t('change.approve'), PLAN_VERBS.approve, { ...data, previewHash: step.preview.hash }, 'positive'),
      );
    else if (ownWaitingPreview(step, view)) items.push(small(t('change.ownPreview'), { isSubtle: true }));
    actions.push(executeAction(t('change.showPreview'), PLAN_VERBS.showPreview, data));
  }
  if (step.state === 'todo' && step.approval)
    actions.push(executeAction(t('change.apply'), PLAN_VERBS.apply, data, 'destructive'));
  if (step.state === 'failed' && step.failure !== 'conflict')
    actions.push(executeAction(t('change.retry'), PLAN_VERBS.apply, data));
  if (interrupted) actions.push(executeAction(t('change.resume'), PLAN_VERBS.resume, data));
  if (
    step.right === 'restrict' &&
    (step.state === 'done' || (step.result?.applied ?? 0) > 0) &&
    (!step.lifted || step.lifted.failed > 0) &&
    step.state !== 'running'
  )
    actions.push(executeAction(t('change.lift'), PLAN_VERBS.lift, data));
  const canPreview =
    step.state === 'waiting-approval' ||
    step.state === 'todo' ||
    (step.state === 'failed' && step.failure === 'conflict');
  if (canPreview) {
    const inputs = previewInputs(dsrCase, step, view);
    const title = step.preview ? t('change.previewAgain') : t('change.preview');
    actions.push(
      inputs.body.length > 0
        ? showCardAction(title, inputs.body, [executeAction(title, PLAN_VERBS.preview, { ...data, ...inputs.data })])
        : executeAction(title, PLAN_VERBS.preview, { ...data, ...inputs.data }),
    );
  }
  if (actions.length > 0) items.push(actionSet(actions));
  return items;
}

/**
 * "Override: delete anyway" for each Entra account a deletion preview keeps, with the written
 * reason it needs (the server checks the same rules); the override makes a new preview, which
 * another privacy team member approves.
 */
function overrideBlocks(dsrCase: DsrCase, step: PlanStep, t: TFunction): CardElement[] {
  const preview = step.preview;
  if (!preview || step.right !== 'delete' || step.systemId !== 'graph') return [];
  if (step.state !== 'waiting-approval' && step.state !== 'todo' && step.state !== 'retained') return [];
  const data = { caseId: dsrCase.id, version: dsrCase.version, stepId: step.id };
  const accounts = preview.retained.filter((kept) => kept.kind === 'user');
  if (accounts.length === 0) return [];
  return [
    actionSet(
      accounts.map((kept) =>
        showCardAction(
          t('change.override.title', { label: clip(kept.label, 40) }),
          [
            textInput({
              id: inputId(`overrideReason.${kept.id}`, step.id),
              label: t('change.override.reason'),
              isMultiline: true,
              isRequired: true,
              maxLength: OVERRIDE_REASON_MAX,
              errorMessage: t('change.override.reasonError', { max: OVERRIDE_REASON_MAX }),
            }),
          ],
          [
            executeAction(
              t('change.override.confirm'),
              PLAN_VERBS.override,
              { ...data, recordId: kept.id, kind: kept.kind },
              'destructive',
            ),
          ],
        ),
      ),
    ),
  ];
}

/**
 * The next step of the plan that still needs its first preview and asks nothing more for it, so an
 * officer checking one deletion after another goes on from the preview card without a trip back
 * to the plan. A step that needs corrections or a mode is left to the plan, where its form is.
 */
function nextToPreview(dsrCase: DsrCase, after: PlanStep, view: PlanView): PlanStep | undefined {
  return dsrCase.plan?.steps.find(
    (step) =>
      step.id !== after.id &&
      step.destructive &&
      step.mode === 'automated' &&
      step.state === 'waiting-approval' &&
      step.preview === undefined &&
      previewInputs(dsrCase, step, view).body.length === 0,
  );
}

/** The whole preview of one step, for approval, under the case header; the one who made it sees no Approve. */
export function changePreviewCard(
  dsrCase: DsrCase,
  step: PlanStep,
  notice?: string | Notice,
  view: PlanView = {},
): AdaptiveCard {
  const t = viewT(view);
  const data = { caseId: dsrCase.id, version: dsrCase.version, stepId: step.id };
  const preview = step.preview;
  const next = nextToPreview(dsrCase, step, view);
  return planShell(dsrCase, view, {
    notice,
    body: [
      textBlock(t('change.previewTitle', { step: clip(stepTitle(step, t), 200) }), {
        size: 'Medium',
        weight: 'Bolder',
        separator: true,
      }),
      textBlock(t('change.previewIntro', { caseId: dsrCase.id, system: step.systemName }), { isSubtle: true }),
      ...whoDidWhat(step, view),
      ...(preview ? previewBlocks(preview, t) : [small(t('change.noPreview'))]),
      ...(ownWaitingPreview(step, view) ? [small(t('change.ownPreview'), { isSubtle: true })] : []),
      ...overrideBlocks(dsrCase, step, t),
    ],
    actions: [
      ...(preview && mayApprove(dsrCase, step, view)
        ? [executeAction(t('change.approve'), PLAN_VERBS.approve, { ...data, previewHash: preview.hash }, 'positive')]
        : []),
      ...(next
        ? [
            executeAction(t('change.previewNext', { system: clip(next.systemName, 60) }), PLAN_VERBS.preview, {
              caseId: dsrCase.id,
              version: dsrCase.version,
              stepId: next.id,
            }),
          ]
        : []),
      executeAction(t('change.backToPlan'), PLAN_VERBS.show, { caseId: dsrCase.id, version: dsrCase.version }),
    ],
  });
}

import type { TFunction } from 'i18next';
import { DECLINE_REASONS, HOLD_REASONS, TRIAGE_CHECKS, type Actor, type DsrCase } from '../dsr/case.js';
import { allowedActions, type AllowedActions, type CaseAction } from '../dsr/allowedActions.js';
import { caseHeaderFacts, isNewCase } from '../dsr/caseHeader.js';
import { policyFor, type OrgCalendar } from '../dsr/deadlines.js';
import { lettersAvailable } from '../dsr/letters/letterService.js';
import {
  actionSet,
  choiceSetInput,
  container,
  dateInput,
  executeAction,
  showCardAction,
  textBlock,
  textInput,
  toggleInput,
  type AdaptiveCard,
  type CardAction,
  type CardElement,
} from './adaptive.js';
import { caseActionButton } from './caseActions.js';
import { caseCardShell } from './caseHeader.js';
import { dayText, retentionText } from './caseCard.js';
import { clockLines, localToday } from './clockView.js';
import { clip, shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import { keptCaseLines } from './keptView.js';
import type { Notice } from './notices.js';
import { LETTER_VERBS, TRIAGE_VERBS } from './verbs.js';

/** One id per input: pausing, declining and extending each ask for their own reason. */
export const TRIAGE_INPUTS = {
  pauseReason: 'pauseReason',
  declineReason: 'declineReason',
  extendReason: 'extendReason',
} as const;

export const NOTICE_TONES = ['good', 'attention'] as const;

export interface TriageNotice {
  text: string;
  tone: (typeof NOTICE_TONES)[number];
}

/**
 * Whether the card asks the client to refresh it. Teams refreshes a card with a `refresh` section
 * automatically each time it is displayed, and an answer to a refresh is displayed again; a card
 * that always carries its refresh is refreshed again and again, and each new rendering clears what
 * the reader ticked or typed. So the card the bot posts, and the answer to an action, carry the
 * refresh (with the case version and notice they show); the answer to a refresh that finds the case
 * unchanged is the same card without it, which ends the chain. Source: Microsoft Learn, "Work with
 * Universal Actions for Adaptive Cards" and "Up-to-date cards"
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/up-to-date-views):
 * a refresh is triggered when a card is displayed or its message is edited. That Teams refreshes
 * an answered refresh again is what readers saw; no page states it.
 */
export type TriageLiveness = 'live' | 'settled';

/**
 * Teams refreshes a card automatically only in conversations of up to 60 members unless the card
 * names who should get refreshes; naming the privacy team keeps large channels live for them.
 */
const REFRESH_USER_LIMIT = 60;

/** Who reads the card, in which language. Without a viewer the card is the team's shared one (a channel post). */
export interface TriageReader {
  locale?: string;
  viewer?: Actor;
}

/** A member of the team nobody in particular: what the card posted to the channel offers before each reader's refresh. */
const ANY_MEMBER: Actor = { id: '', name: '' };

const toneOf = (notice: TriageNotice): Notice => ({
  tone: notice.tone === 'good' ? 'good' : 'error',
  text: notice.text,
});

/** The privacy team's card for a case: the header, the checklist and every decision still open, the next one first. */
export function triageCard(
  dsrCase: DsrCase,
  now: Date,
  calendar: OrgCalendar,
  team: Actor[],
  notice?: TriageNotice,
  liveness: TriageLiveness = 'live',
  reader: TriageReader = {},
): AdaptiveCard {
  const t = translator(reader.locale);
  const allowed = allowedActions(dsrCase, { actor: reader.viewer ?? ANY_MEMBER, privacyTeam: true });
  const data = { caseId: dsrCase.id, version: dsrCase.version };
  const can = (action: CaseAction) => allowed.actions.includes(action);
  const refreshData = notice ? { ...data, notice: notice.text, tone: notice.tone } : data;
  return caseCardShell({
    header: caseHeaderFacts(dsrCase, now, calendar),
    locale: reader.locale,
    timeZone: calendar.timeZone,
    ...(notice ? { notices: [toneOf(notice)] } : {}),
    body: [
      ...facts(dsrCase, now, calendar, t),
      ...(isNewCase(dsrCase) ? [checklist(t)] : []),
      ...inlineActions(dsrCase, allowed, t, now, calendar, team),
      ...letters(dsrCase, t, calendar),
      ...notes(dsrCase, t),
    ],
    actions: cardActions(dsrCase, allowed, t, data, can),
    ...(liveness === 'settled'
      ? {}
      : {
          refresh: {
            action: { type: 'Action.Execute', verb: TRIAGE_VERBS.refresh, data: refreshData },
            userIds: team.slice(0, REFRESH_USER_LIMIT).map((member) => `8:orgid:${member.id}`),
          },
        }),
  });
}

/** The case's own facts under the header: identity, details, decision, related cases, retention, kept records, the clock. */
function facts(dsrCase: DsrCase, now: Date, calendar: OrgCalendar, t: TFunction): CardElement[] {
  const day = (iso: string) => dayText(t, iso, calendar.timeZone);
  const policy = policyFor(dsrCase.regulation);
  const identity = dsrCase.identityVerified
    ? t('triage.identity.verified', {
        name: shownAsText(dsrCase.identityVerified.by.name, 60),
        date: day(dsrCase.identityVerified.at),
      })
    : dsrCase.pause
      ? t(policy.pauseStopsClock ? 'triage.identity.pausedStops' : 'triage.identity.pausedRuns', {
          date: day(dsrCase.pause.since),
          reason: shownAsText(dsrCase.pause.reason, 200),
          regulation: policy.label,
        })
      : t('triage.identity.notYet');
  const decision = dsrCase.decision;
  const elements: CardElement[] = [textBlock(t('triage.identity.line', { identity }))];
  if (dsrCase.details && !dsrCase.purge?.doneAt)
    elements.push(textBlock(shownAsText(dsrCase.details, 600), { isSubtle: true, maxLines: 6 }));
  if (decision) {
    const by = { name: shownAsText(decision.by.name, 60), date: day(decision.at) };
    let text = t(decision.outcome === 'approved' ? 'triage.decision.approved' : 'triage.decision.declined', by);
    if (decision.reason)
      text += ` ${t('triage.decision.reason', { reason: t(`triage.declineReasons.${decision.reason}`) })}`;
    if (decision.explanation) text += ` (${shownAsText(decision.explanation, 300)})`;
    elements.push(textBlock(text, { weight: 'Bolder' }));
  }
  const related = dsrCase.related ?? [];
  if (related.length > 0) {
    const list = related
      .map((r) =>
        r.why === 'open'
          ? t('triage.related.open', { caseId: r.caseId })
          : t('triage.related.answered', { caseId: r.caseId, date: day(r.answeredAt ?? dsrCase.receivedAt) }),
      )
      .join(', ');
    elements.push(container([textBlock(t('triage.related.text', { list }))], { style: 'warning' }));
  }
  const retention = retentionText(dsrCase, calendar, t);
  if (retention) elements.push(textBlock(retention, { isSubtle: true }));
  // Kept records are few groups (system, basis, end); a long list is cut, the case file has all.
  for (const line of keptCaseLines(dsrCase, t).slice(0, 8))
    elements.push(textBlock(line, { size: 'Small', spacing: 'Small' }));
  if (dsrCase.hold && !dsrCase.purge) {
    const explanation = dsrCase.hold.explanation ? ` (${clip(dsrCase.hold.explanation, 300)})` : '';
    elements.push(
      textBlock(`${t('triage.hold.line', { reason: t(`triage.holdReasons.${dsrCase.hold.reason}`) })}${explanation}`, {
        isSubtle: true,
      }),
    );
  }
  for (const line of clockLines(dsrCase, now, calendar, t)) {
    const block = textBlock(line.text, { size: 'Small', spacing: 'Small' });
    // The clock's warnings are tinted like notices; their words say what is wrong (see notices.ts).
    elements.push(
      line.color === 'Attention' || line.color === 'Warning'
        ? container([block], { style: line.color === 'Attention' ? 'attention' : 'warning', spacing: 'Small' })
        : block,
    );
  }
  return elements;
}

function checklist(t: TFunction): CardElement {
  return container(
    [
      textBlock(t('triage.checklist.title'), { weight: 'Bolder' }),
      ...TRIAGE_CHECKS.map((check) =>
        // The label carries the statement; the toggle's own text only says what ticking it means.
        toggleInput({ id: check, title: t('triage.checklist.affirmed'), label: t(`triage.checks.${check}`) }),
      ),
    ],
    { separator: true },
  );
}

/** The decisions about the case's people and clock, in the body: the card's own row of buttons has room for five. */
function inlineActions(
  dsrCase: DsrCase,
  allowed: AllowedActions,
  t: TFunction,
  now: Date,
  calendar: OrgCalendar,
  team: Actor[],
): CardElement[] {
  const data = { caseId: dsrCase.id, version: dsrCase.version };
  const can = (action: CaseAction) => allowed.actions.includes(action);
  const policy = policyFor(dsrCase.regulation);
  const today = localToday(now, calendar);
  const actions: CardAction[] = [];
  if (can('assignSelf')) actions.push(caseActionButton('assignSelf', allowed, t, data)!);
  if (can('assign'))
    actions.push(
      showCardAction(
        t('triage.assign.button'),
        [
          choiceSetInput({
            id: 'assignee',
            label: t('triage.assign.label'),
            isRequired: true,
            errorMessage: t('triage.assign.error'),
            choices: team.map((member) => ({ title: clip(member.name, 60), value: member.id })),
          }),
        ],
        [executeAction(t('triage.assign.submit'), TRIAGE_VERBS.assign, data)],
      ),
    );
  if (can('verifyIdentity') && allowed.next !== 'verifyIdentity')
    actions.push(caseActionButton('verifyIdentity', allowed, t, data)!);
  if (can('proofArrived') && dsrCase.pause)
    actions.push(
      showCardAction(
        t('triage.proof.arrived'),
        [
          dateInput({
            id: 'arrivedOn',
            label: t('triage.proof.arrivedLabel'),
            value: today,
            min: localToday(new Date(dsrCase.pause.since), calendar),
            max: today,
            isRequired: true,
            errorMessage: t('triage.proof.arrivedError'),
          }),
        ],
        [
          executeAction(
            t('triage.proof.restart'),
            TRIAGE_VERBS.resume,
            data,
            allowed.next === 'proofArrived' ? 'positive' : undefined,
          ),
        ],
      ),
    );
  if (can('confirmReceipt')) actions.push(caseActionButton('confirmReceipt', allowed, t, data)!);
  if (can('askForProof'))
    actions.push(
      showCardAction(
        t('triage.proof.ask'),
        [
          textBlock(
            t(policy.pauseStopsClock ? 'triage.proof.ruleStops' : 'triage.proof.ruleRuns', {
              regulation: policy.label,
            }),
            { isSubtle: true },
          ),
          textInput({
            id: TRIAGE_INPUTS.pauseReason,
            label: t('triage.proof.reasonLabel'),
            isRequired: true,
            maxLength: 1000,
            errorMessage: t('triage.proof.reasonError'),
          }),
        ],
        [executeAction(t('triage.proof.stop'), TRIAGE_VERBS.pause, data)],
      ),
    );
  return actions.length > 0 ? [actionSet(actions)] : [];
}

function letters(dsrCase: DsrCase, t: TFunction, calendar: OrgCalendar): CardElement[] {
  const available = lettersAvailable(dsrCase);
  const elements: CardElement[] = [];
  if (available.length > 0)
    elements.push(
      actionSet(
        available.map((kind) =>
          executeAction(t('triage.letters.button', { kind: t(`triage.letterKinds.${kind}`) }), LETTER_VERBS.show, {
            caseId: dsrCase.id,
            letter: kind,
          }),
        ),
      ),
    );
  for (const letter of dsrCase.letters ?? [])
    elements.push(
      textBlock(
        t('triage.letters.sent', {
          kind: t(`triage.letterKinds.${letter.kind}`),
          date: dayText(t, letter.at, calendar.timeZone),
          channel: t(`triage.letterChannels.${letter.channel}`),
          language: letter.language,
          hash: `${letter.sha256.slice(0, 12)}…`,
        }),
        { size: 'Small', isSubtle: true },
      ),
    );
  return elements;
}

function notes(dsrCase: DsrCase, t: TFunction): CardElement[] {
  if (dsrCase.notes.length === 0) return [];
  return [
    textBlock(t('triage.notes.title'), { weight: 'Bolder', separator: true }),
    ...dsrCase.notes
      .slice(-3)
      .map((note) => textBlock(`${shownAsText(note.by.name, 40)}: ${shownAsText(note.text, 300)}`, { isSubtle: true })),
  ];
}

/**
 * The card's own buttons: the next thing to do for the reader first, then what else moves the case
 * on, then the forms. Teams shows at most five (the validator's "Maximum number of actions exceeded").
 */
function cardActions(
  dsrCase: DsrCase,
  allowed: AllowedActions,
  t: TFunction,
  data: { caseId: string; version: number },
  can: (action: CaseAction) => boolean,
): CardAction[] {
  const oneP = (
    [
      'verifyIdentity',
      'approve',
      'findData',
      'showFindings',
      'showPlan',
      'respond',
      'reviewPackage',
      'close',
      'releaseHold',
    ] as const
  )
    .filter((action) => action !== 'verifyIdentity' || allowed.next === 'verifyIdentity')
    // Respond and the package review live on the plan card; the triage card leads there.
    .filter((action) => action !== 'respond' && action !== 'reviewPackage');
  const first = allowed.next && (oneP as readonly string[]).includes(allowed.next) ? [allowed.next] : [];
  const buttons: CardAction[] = [...first, ...oneP.filter((action) => action !== allowed.next)].flatMap(
    (action) => caseActionButton(action, allowed, t, data) ?? [],
  );
  const reasonInput = (id: string) =>
    textInput({ id, label: t('triage.forms.explanation'), isMultiline: true, maxLength: 1000 });
  if (can('decline'))
    buttons.push(
      showCardAction(
        t('triage.decline.button'),
        [
          choiceSetInput({
            id: TRIAGE_INPUTS.declineReason,
            label: t('triage.forms.reason'),
            isRequired: true,
            errorMessage: t('triage.forms.reasonError'),
            choices: DECLINE_REASONS.map((reason) => ({ title: t(`triage.declineReasons.${reason}`), value: reason })),
          }),
          reasonInput('explanation'),
        ],
        [executeAction(t('triage.decline.submit'), TRIAGE_VERBS.decline, data)],
      ),
    );
  if (can('extend'))
    buttons.push(
      showCardAction(
        t('triage.extend.button'),
        [
          textBlock(t('triage.extend.rule')),
          textInput({
            id: TRIAGE_INPUTS.extendReason,
            label: t('triage.extend.label'),
            isRequired: true,
            isMultiline: true,
            maxLength: 1000,
            errorMessage: t('triage.extend.error'),
          }),
        ],
        [executeAction(t('triage.extend.submit'), TRIAGE_VERBS.extend, data)],
      ),
    );
  if (can('placeHold'))
    buttons.push(
      showCardAction(
        t('triage.hold.button'),
        [
          textBlock(t('triage.hold.rule')),
          choiceSetInput({
            id: 'reason',
            label: t('triage.forms.reason'),
            isRequired: true,
            errorMessage: t('triage.forms.reasonError'),
            choices: HOLD_REASONS.map((reason) => ({ title: t(`triage.holdReasons.${reason}`), value: reason })),
          }),
          reasonInput('explanation'),
        ],
        [executeAction(t('triage.hold.submit'), TRIAGE_VERBS.hold, data)],
      ),
    );
  if (can('addNote'))
    buttons.push(
      showCardAction(
        t('triage.note.button'),
        [
          textInput({
            id: 'text',
            label: t('triage.note.label'),
            isMultiline: true,
            isRequired: true,
            maxLength: 2000,
            errorMessage: t('triage.note.error'),
          }),
        ],
        [executeAction(t('triage.note.submit'), TRIAGE_VERBS.note, data)],
      ),
    );
  return buttons;
}

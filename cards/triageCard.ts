import {
  DECLINE_REASON_LABELS,
  DECLINE_REASONS,
  HOLD_REASON_LABELS,
  HOLD_REASONS,
  TRIAGE_CHECK_LABELS,
  TRIAGE_CHECKS,
  isOpen,
  type Actor,
  type DsrCase,
} from '../dsr/case.js';
import { policyFor, type OrgCalendar } from '../dsr/deadlines.js';
import { caseCardView, caseSummary, retentionText } from './caseCard.js';
import { keptCaseLines } from './keptView.js';
import { DISCOVERY_VERBS, LETTER_VERBS, PLAN_VERBS, TRIAGE_VERBS } from './verbs.js';
import { clip, formatDay, formatInstant, shownAsText } from './format.js';
import { clockLines, localToday, type ClockLine } from './clockView.js';
import { lettersAvailable } from '../dsr/letters/letterService.js';
import { LETTER_CHANNEL_LABELS, LETTER_KIND_LABELS } from '../dsr/letters/letterKinds.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, executeAction, type CardJson } from './template.js';

/** One id per input: pausing, declining and extending each ask for their own reason. */
export const TRIAGE_INPUTS = {
  pauseReason: 'pauseReason',
  declineReason: 'declineReason',
  extendReason: 'extendReason',
} as const;

interface TriageView extends ReturnType<typeof caseCardView> {
  notice: string;
  hasNotice: boolean;
  noticeColor: string;
  undecided: boolean;
  decisionText: string;
  identityText: string;
  showVerify: boolean;
  showPause: boolean;
  showResume: boolean;
  canExtend: boolean;
  canClose: boolean;
  canDecline: boolean;
  canConfirmReceipt: boolean;
  clock: ClockLine[];
  letters: Array<{ title: string; kind: string }>;
  hasLetters: boolean;
  sentLetters: Array<{ text: string }>;
  today: string;
  askedOn: string;
  pauseRule: string;
  notes: Array<{ text: string }>;
  hasNotes: boolean;
  checks: Array<{ id: string; title: string }>;
  teamChoices: Array<{ title: string; value: string }>;
  refreshUserIds: string[];
  canDiscover: boolean;
  hasFindings: boolean;
  hasPlan: boolean;
  retention: string;
  hasRetention: boolean;
  holdText: string;
  canHold: boolean;
  canRelease: boolean;
  relatedText: string;
  hasRelated: boolean;
  kept: Array<{ text: string }>;
}

const caseData = { caseId: '${id}', version: '${version}' };

function showCard(title: string, body: CardJson[], verb: string, submitTitle: string, when?: string): CardJson {
  return {
    type: 'Action.ShowCard',
    title,
    ...(when ? { $when: when } : {}),
    card: { type: 'AdaptiveCard', body, actions: [executeAction(submitTitle, verb, caseData)] },
  };
}

const template = new CardTemplate<TriageView>({
  type: 'AdaptiveCard',
  $schema: CARD_SCHEMA,
  version: CARD_VERSION,
  refresh: {
    action: {
      type: 'Action.Execute',
      verb: TRIAGE_VERBS.refresh,
      data: { caseId: '${id}', version: '${version}' },
    },
    userIds: '${refreshUserIds}',
  },
  body: [
    {
      type: 'TextBlock',
      $when: '${hasNotice}',
      text: '${notice}',
      color: '${noticeColor}',
      weight: 'Bolder',
      wrap: true,
    },
    ...caseSummary('New request ${id}', '${identityText}'),
    { type: 'TextBlock', $when: '${hasDetails}', text: '${details}', wrap: true, isSubtle: true, maxLines: 6 },
    { type: 'TextBlock', $when: '${!undecided}', text: '${decisionText}', weight: 'Bolder', wrap: true },
    { type: 'TextBlock', $when: '${hasRelated}', text: '${relatedText}', color: 'Attention', wrap: true },
    { type: 'TextBlock', $when: '${hasRetention}', text: '${retention}', wrap: true, isSubtle: true },
    { type: 'TextBlock', $data: '${kept}', text: '${text}', wrap: true, size: 'Small', spacing: 'Small' },
    { type: 'TextBlock', $when: '${canRelease}', text: '${holdText}', wrap: true, isSubtle: true },
    {
      type: 'TextBlock',
      $data: '${clock}',
      text: '${text}',
      color: '${color}',
      size: 'Small',
      wrap: true,
      spacing: 'Small',
    },
    {
      type: 'Container',
      $when: '${undecided}',
      separator: true,
      items: [
        { type: 'TextBlock', text: 'Before you approve, affirm that:', weight: 'Bolder', wrap: true },
        {
          type: 'Input.Toggle',
          $data: '${checks}',
          id: '${id}',
          // The label carries the statement; the toggle's own text only says what ticking it means.
          title: 'Affirmed',
          label: '${title}',
          valueOn: 'true',
          valueOff: 'false',
          wrap: true,
        },
      ],
    },
    {
      type: 'ActionSet',
      actions: [
        executeAction('Assign to me', TRIAGE_VERBS.assignSelf, caseData),
        showCard(
          'Assign to…',
          [
            {
              type: 'Input.ChoiceSet',
              id: 'assignee',
              label: 'Privacy team member',
              isRequired: true,
              errorMessage: 'Choose who takes the case.',
              choices: [{ $data: '${teamChoices}', title: '${title}', value: '${value}' }],
            },
          ],
          TRIAGE_VERBS.assign,
          'Assign',
        ),
        { ...executeAction('Identity verified', TRIAGE_VERBS.verifyIdentity, caseData), $when: '${showVerify}' },
        showCard(
          'Proof arrived',
          [
            {
              type: 'Input.Date',
              id: 'arrivedOn',
              label: 'The proof of identity arrived on',
              value: '${today}',
              min: '${askedOn}',
              max: '${today}',
              isRequired: true,
              errorMessage: 'Enter the date the proof arrived: not before it was asked for, not in the future.',
            },
          ],
          TRIAGE_VERBS.resume,
          'Restart the clock',
          '${showResume}',
        ),
        { ...executeAction('Receipt confirmed', TRIAGE_VERBS.confirmReceipt, caseData), $when: '${canConfirmReceipt}' },
        showCard(
          'Ask for proof of identity',
          [
            { type: 'TextBlock', text: '${pauseRule}', wrap: true, isSubtle: true },
            {
              type: 'Input.Text',
              id: TRIAGE_INPUTS.pauseReason,
              label: 'What proof did we ask for?',
              isRequired: true,
              maxLength: 1000,
              errorMessage: 'Give a reason.',
            },
          ],
          TRIAGE_VERBS.pause,
          'Asked: stop the clock',
          '${showPause}',
        ),
      ],
    },
    {
      type: 'ActionSet',
      $when: '${hasLetters}',
      actions: [
        {
          $data: '${letters}',
          type: 'Action.Execute',
          title: '${title}',
          verb: LETTER_VERBS.show,
          data: { caseId: '${$root.id}', letter: '${kind}' },
          fallback: {
            type: 'Action.Submit',
            title: '${title}',
            data: { caseId: '${$root.id}', letter: '${kind}', verb: LETTER_VERBS.show },
          },
        },
      ],
    },
    { type: 'TextBlock', $data: '${sentLetters}', text: '${text}', wrap: true, size: 'Small', isSubtle: true },
    { type: 'TextBlock', $when: '${hasNotes}', text: 'Notes', weight: 'Bolder', separator: true, wrap: true },
    { type: 'TextBlock', $data: '${notes}', text: '${text}', wrap: true, isSubtle: true },
  ],
  actions: [
    { ...executeAction('Approve', TRIAGE_VERBS.approve, caseData, 'positive'), $when: '${undecided}' },
    { ...executeAction('Find data', DISCOVERY_VERBS.find, caseData, 'positive'), $when: '${canDiscover}' },
    { ...executeAction('Show findings', DISCOVERY_VERBS.show, caseData), $when: '${hasFindings}' },
    { ...executeAction('Show the plan', PLAN_VERBS.show, caseData), $when: '${hasPlan}' },
    showCard(
      'Decline',
      [
        {
          type: 'Input.ChoiceSet',
          id: TRIAGE_INPUTS.declineReason,
          label: 'Reason',
          isRequired: true,
          errorMessage: 'Choose a reason.',
          choices: DECLINE_REASONS.map((reason) => ({ title: DECLINE_REASON_LABELS[reason], value: reason })),
        },
        {
          type: 'Input.Text',
          id: 'explanation',
          label: 'Explanation for the record',
          isMultiline: true,
          maxLength: 1000,
        },
      ],
      TRIAGE_VERBS.decline,
      'Decline request',
      '${canDecline}',
    ),
    showCard(
      'Extend deadline',
      [
        { type: 'TextBlock', text: 'Once only, while the first period runs; the person must be told why.', wrap: true },
        {
          type: 'Input.Text',
          id: TRIAGE_INPUTS.extendReason,
          label: 'Why is more time necessary?',
          isRequired: true,
          isMultiline: true,
          maxLength: 1000,
          errorMessage: 'Give the reason.',
        },
      ],
      TRIAGE_VERBS.extend,
      'Extend',
      '${canExtend}',
    ),
    { ...executeAction('Close case', TRIAGE_VERBS.close, caseData), $when: '${canClose}' },
    showCard(
      'Legal hold',
      [
        {
          type: 'TextBlock',
          text: 'A hold keeps the personal data of this case past its retention period until you release it.',
          wrap: true,
        },
        {
          type: 'Input.ChoiceSet',
          id: 'reason',
          label: 'Reason',
          isRequired: true,
          errorMessage: 'Choose a reason.',
          choices: HOLD_REASONS.map((reason) => ({ title: HOLD_REASON_LABELS[reason], value: reason })),
        },
        {
          type: 'Input.Text',
          id: 'explanation',
          label: 'Explanation for the record',
          isMultiline: true,
          maxLength: 1000,
        },
      ],
      TRIAGE_VERBS.hold,
      'Place hold',
      '${canHold}',
    ),
    { ...executeAction('Release legal hold', TRIAGE_VERBS.releaseHold, caseData), $when: '${canRelease}' },
    showCard(
      'Add note',
      [
        {
          type: 'Input.Text',
          id: 'text',
          label: 'Note',
          isMultiline: true,
          isRequired: true,
          maxLength: 2000,
          errorMessage: 'Write the note.',
        },
      ],
      TRIAGE_VERBS.note,
      'Save note',
    ),
  ],
});

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

/** The privacy team's card for a case: the facts, the checklist and every decision still open. */
/**
 * Teams refreshes a card automatically only in conversations of up to 60 members unless the card
 * names who should get refreshes; naming the privacy team keeps large channels live for them.
 */
const REFRESH_USER_LIMIT = 60;

export function triageCard(
  dsrCase: DsrCase,
  now: Date,
  calendar: OrgCalendar,
  team: Actor[],
  notice?: TriageNotice,
  liveness: TriageLiveness = 'live',
): CardJson {
  const base = caseCardView(dsrCase, now, calendar);
  const policy = policyFor(dsrCase.regulation);
  const undecided = dsrCase.decision === null && (dsrCase.status === 'received' || dsrCase.status === 'triage');
  const decision = dsrCase.decision;
  const pauseRule = policy.pauseStopsClock
    ? `${policy.label}: ask for proof without undue delay (Art. 12(2)) and only where there is reasonable doubt (Art. 12(6)); the clock stands still from today until the day the proof arrives, in whole days.`
    : `${policy.label}: the deadline keeps running while we wait; the due date does not move.`;
  const identityText = dsrCase.identityVerified
    ? `Verified by ${shownAsText(dsrCase.identityVerified.by.name, 60)}`
    : dsrCase.pause
      ? `Proof asked for on ${formatInstant(dsrCase.pause.since, calendar)}: ${shownAsText(dsrCase.pause.reason, 200)}. ${policy.pauseStopsClock ? 'The clock stands still until it arrives (GDPR Art. 12(6)).' : pauseRule}`
      : 'Not verified yet';
  const card = template.render({
    ...base,
    notice: notice?.text ?? '',
    hasNotice: notice !== undefined,
    noticeColor: notice?.tone === 'good' ? 'Good' : 'Attention',
    undecided,
    decisionText: decision
      ? `${decision.outcome === 'approved' ? 'Approved' : 'Declined'} by ${shownAsText(decision.by.name, 60)} on ${formatInstant(decision.at, calendar)}${
          decision.reason ? `: ${DECLINE_REASON_LABELS[decision.reason]}` : ''
        }${decision.explanation ? ` (${shownAsText(decision.explanation, 300)})` : ''}`
      : '',
    identityText,
    showVerify: undecided && !dsrCase.identityVerified,
    showPause: undecided && !dsrCase.identityVerified && !dsrCase.pause,
    showResume: dsrCase.pause !== null,
    canClose: dsrCase.status === 'declined' || dsrCase.status === 'responded',
    canExtend: policy.extendedPeriod !== null && dsrCase.extension === null && isOpen(dsrCase),
    // Refusal stays possible at every stage before the response (GDPR Art. 12(4) and (5), 17(3), 15(4)).
    canDecline: ['received', 'triage', 'approved', 'discovery', 'actions'].includes(dsrCase.status),
    canConfirmReceipt: dsrCase.receiptConfirmation !== undefined && dsrCase.receiptConfirmation.sentAt === null,
    clock: clockLines(dsrCase, now, calendar),
    letters: lettersAvailable(dsrCase).map((kind) => ({ title: `Letter: ${LETTER_KIND_LABELS[kind]}`, kind })),
    hasLetters: lettersAvailable(dsrCase).length > 0,
    sentLetters: (dsrCase.letters ?? []).map((letter) => ({
      text: `${LETTER_KIND_LABELS[letter.kind]} sent ${formatInstant(letter.at, calendar)} by ${LETTER_CHANNEL_LABELS[letter.channel]} (${letter.language}, SHA-256 ${letter.sha256.slice(0, 12)}…)`,
    })),
    today: localToday(now, calendar),
    askedOn: dsrCase.pause ? localToday(new Date(dsrCase.pause.since), calendar) : localToday(now, calendar),
    pauseRule,
    notes: dsrCase.notes
      .slice(-3)
      .map((note) => ({ text: `${shownAsText(note.by.name, 40)}: ${shownAsText(note.text, 300)}` })),
    hasNotes: dsrCase.notes.length > 0,
    checks: TRIAGE_CHECKS.map((check) => ({ id: check, title: TRIAGE_CHECK_LABELS[check] })),
    teamChoices: team.map((member) => ({ title: clip(member.name, 60), value: member.id })),
    refreshUserIds: team.slice(0, REFRESH_USER_LIMIT).map((member) => `8:orgid:${member.id}`),
    // Once there are findings, searching again is on the findings card ("Search again"): Teams shows
    // at most five actions on a card (the validator's "Maximum number of actions exceeded").
    canDiscover:
      (dsrCase.status === 'approved' || dsrCase.status === 'discovery' || dsrCase.status === 'actions') &&
      dsrCase.findings === undefined,
    hasFindings: dsrCase.findings !== undefined,
    hasPlan: dsrCase.plan !== undefined,
    retention: retentionText(dsrCase, calendar),
    hasRetention: retentionText(dsrCase, calendar) !== '',
    holdText: dsrCase.hold
      ? `Hold: ${HOLD_REASON_LABELS[dsrCase.hold.reason]}${dsrCase.hold.explanation ? ` (${clip(dsrCase.hold.explanation, 300)})` : ''}`
      : '',
    // A hold matters once the case is answered: it pauses the purge that follows the closing.
    canHold: !isOpen(dsrCase) && !dsrCase.hold && !dsrCase.purge,
    canRelease: Boolean(dsrCase.hold) && !dsrCase.purge,
    relatedText: relatedText(dsrCase, calendar),
    hasRelated: (dsrCase.related ?? []).length > 0,
    // Kept records are few groups (system, basis, end); a long list is cut, the case file has all.
    kept: keptCaseLines(dsrCase)
      .slice(0, 8)
      .map((text) => ({ text })),
  });
  const refresh = card.refresh as { action: { data: Record<string, unknown> } };
  if (liveness === 'settled') delete card.refresh;
  else if (notice) refresh.action.data = { ...refresh.action.data, notice: notice.text, tone: notice.tone };
  return card;
}

/**
 * Art. 12(5) GDPR: the controller may charge a reasonable fee or refuse a manifestly unfounded or
 * excessive request, in particular a repetitive one, and must show that it is. The team decides.
 */
function relatedText(dsrCase: DsrCase, calendar: OrgCalendar): string {
  const related = dsrCase.related ?? [];
  if (related.length === 0) return '';
  const list = related
    .map((r) =>
      r.why === 'open' ? `${r.caseId} (open)` : `${r.caseId} (answered ${formatDay(r.answeredAt ?? '', calendar)})`,
    )
    .join(', ');
  return `The same person (by email or number) has another request: ${list}. Decide whether this one repeats it; a manifestly excessive request may be refused or charged for (GDPR Art. 12(5)), with reasons.`;
}

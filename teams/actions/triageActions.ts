import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { caseCard } from '../../cards/caseCard.js';
import { NOTICE_TONES, TRIAGE_INPUTS, triageCard } from '../../cards/triageCard.js';
import { translator } from '../../i18n/index.js';
import { refusalText } from '../refusalText.js';
import { TRIAGE_VERBS } from '../../cards/verbs.js';
import { DECLINE_REASONS, HOLD_REASONS, TRIAGE_CHECKS, type Actor, type DsrCase } from '../../dsr/case.js';
import type { CaseAction } from '../../dsr/caseActions.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { CaseNews } from '../notifier.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';

const envelope = z.object({
  caseId: z.string().max(40),
  version: z.coerce.number().int().min(1),
});
const text = z.string().max(5000).optional().default('');

type Reader = (
  actor: Actor,
  data: CardData,
  team: () => Promise<Actor[]>,
) => CaseAction | undefined | Promise<CaseAction | undefined>;

/** How each triage verb reads its card inputs into a case action; anything unreadable is refused. */
const READERS: Record<string, Reader> = {
  [TRIAGE_VERBS.assignSelf]: (actor) => ({ kind: 'assign', assignee: actor }),
  // Only a privacy team member can take a case; an id from outside the team reads as unreadable.
  [TRIAGE_VERBS.assign]: async (_, data, team) => {
    const assignee = (await team()).find((member) => member.id === data.assignee);
    return assignee ? { kind: 'assign', assignee } : undefined;
  },
  [TRIAGE_VERBS.verifyIdentity]: () => ({ kind: 'verifyIdentity' }),
  [TRIAGE_VERBS.resume]: (_, data) => {
    const arrivedOn = z.string().max(10).optional().safeParse(data.arrivedOn);
    if (!arrivedOn.success) return undefined;
    return arrivedOn.data ? { kind: 'resumeClock', arrivedOn: arrivedOn.data } : { kind: 'resumeClock' };
  },
  [TRIAGE_VERBS.confirmReceipt]: () => ({ kind: 'confirmReceipt' }),
  [TRIAGE_VERBS.close]: () => ({ kind: 'close' }),
  [TRIAGE_VERBS.pause]: (_, data) => {
    // `reason` is the id on cards sent before each form had its own.
    const reason = text.safeParse(data[TRIAGE_INPUTS.pauseReason] ?? data.reason);
    return reason.success ? { kind: 'pauseClock', reason: reason.data } : undefined;
  },
  [TRIAGE_VERBS.approve]: (_, data) => ({
    kind: 'approve',
    checks: TRIAGE_CHECKS.filter((check) => data[check] === 'true' || data[check] === true),
  }),
  [TRIAGE_VERBS.decline]: (_, data) => {
    const parsed = z
      .object({ reason: z.enum(DECLINE_REASONS), explanation: text })
      .safeParse({ reason: data[TRIAGE_INPUTS.declineReason] ?? data.reason, explanation: data.explanation });
    return parsed.success
      ? { kind: 'decline', reason: parsed.data.reason, explanation: parsed.data.explanation }
      : undefined;
  },
  [TRIAGE_VERBS.hold]: (_, data) => {
    const parsed = z
      .object({ reason: z.enum(HOLD_REASONS), explanation: text })
      .safeParse({ reason: data.reason, explanation: data.explanation });
    return parsed.success
      ? { kind: 'placeHold', reason: parsed.data.reason, explanation: parsed.data.explanation }
      : undefined;
  },
  [TRIAGE_VERBS.releaseHold]: () => ({ kind: 'releaseHold' }),
  [TRIAGE_VERBS.extend]: (_, data) => {
    const reason = text.safeParse(data[TRIAGE_INPUTS.extendReason] ?? data.reason);
    return reason.success ? { kind: 'extend', reason: reason.data } : undefined;
  },
  [TRIAGE_VERBS.note]: (_, data) => {
    const note = text.safeParse(data.text);
    return note.success ? { kind: 'addNote', text: note.data } : undefined;
  },
};

const NEWS: Partial<Record<CaseAction['kind'], CaseNews>> = {
  approve: 'approved',
  decline: 'declined',
  extend: 'extended',
  close: 'closed',
};

/** The catalogue key of what each decision did, said on the card that answers it. */
const DONE = new Set<CaseAction['kind']>([
  'assign',
  'verifyIdentity',
  'pauseClock',
  'resumeClock',
  'confirmReceipt',
  'approve',
  'decline',
  'extend',
  'addNote',
  'close',
  'placeHold',
  'releaseHold',
]);

/**
 * Every decision on the privacy team's card. The actor is taken from the activity, the case is
 * read again, and the case service decides; the card data only says which case and version.
 */
export class TriageAction implements CardActionHandler {
  constructor(
    readonly verb: string,
    private readonly services: DsrServices,
  ) {}

  static all(services: DsrServices): TriageAction[] {
    return Object.keys(READERS).map((verb) => new TriageAction(verb, services));
  }

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const { cases, clock, calendar, notifier, log, team } = this.services;
    const actor = actorOf(context.activity);
    const target = envelope.safeParse(data);
    const action = await READERS[this.verb]?.(actor, data, () => team.members());
    if (!target.success || !action) {
      await cases.recordRefusal(
        actor,
        this.verb,
        'invalid-input',
        typeof data.caseId === 'string' ? data.caseId : null,
      );
      return {
        kind: 'error',
        status: 400,
        message: translator(context.activity.locale)('replies.card.incomplete'),
      };
    }
    const result = await cases.act(actor, target.data.caseId, target.data.version, action);
    const now = clock.now();
    const locale = context.activity.locale;
    if (result.ok) {
      log.info({ caseId: result.case.id, action: action.kind }, 'case updated');
      const news = NEWS[action.kind];
      if (news) await notifier.caseNews(result.case, news);
      const done = translator(locale)(`triage.done.${DONE.has(action.kind) ? action.kind : 'other'}`);
      // A requester may note something on their own case; they get their own view back, not the team's.
      if (!(await cases.rolesOf(actor)).privacyTeam) {
        return {
          kind: 'card',
          card: caseCard(result.case, now, calendar, { locale, notice: { tone: 'good', text: done } }),
        };
      }
      return {
        kind: 'card',
        card: triageCard(result.case, now, calendar, await team.members(), { text: done, tone: 'good' }, 'live', {
          locale,
          viewer: actor,
        }),
      };
    }
    const refusal = refusalText(translator(locale), result);
    if (!result.case) return { kind: 'error', status: 404, message: refusal };
    return this.viewFor(actor, result.case, refusal, locale);
  }

  private async viewFor(actor: Actor, dsrCase: DsrCase, message: string, locale?: string): Promise<ActionOutcome> {
    const { cases, clock, calendar, team } = this.services;
    const roles = await cases.rolesOf(actor);
    if (roles.privacyTeam) {
      const card = triageCard(
        dsrCase,
        clock.now(),
        calendar,
        await team.members(),
        { text: message, tone: 'attention' },
        'live',
        { ...(locale ? { locale } : {}), viewer: actor },
      );
      return { kind: 'card', card };
    }
    return { kind: 'error', status: 403, message };
  }
}

const refreshSchema = z.object({
  caseId: z.string().max(40),
  // Absent on cards sent before the refresh named the version it shows: those are answered live.
  version: z.coerce.number().int().min(1).optional().catch(undefined),
  notice: z.string().max(2000).optional().catch(undefined),
  tone: z.enum(NOTICE_TONES).optional().catch(undefined),
});

/** Keeps every copy of a triage card current: the privacy team gets the live triage view, the requester theirs. */
export class TriageRefresh implements CardActionHandler {
  readonly verb = TRIAGE_VERBS.refresh;

  constructor(private readonly services: DsrServices) {}

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const { cases, clock, calendar } = this.services;
    const t = translator(context.activity.locale);
    const parsed = refreshSchema.safeParse(data);
    if (!parsed.success) return { kind: 'error', status: 400, message: t('replies.card.noCase') };
    const actor = actorOf(context.activity);
    const found = await cases.viewCase(actor, parsed.data.caseId);
    if (!found) return { kind: 'error', status: 404, message: t('replies.card.notAvailable') };
    const roles = await cases.rolesOf(actor);
    const locale = context.activity.locale;
    if (!roles.privacyTeam) return { kind: 'card', card: caseCard(found, clock.now(), calendar, { locale }) };
    const team = await this.services.team.members();
    const reader = { ...(locale ? { locale } : {}), viewer: actor };
    // Unchanged since the card was made: the same card, notice included, and no further refresh
    // (see TriageLiveness), so the reader's ticks and text stay where they are.
    const { version, notice, tone } = parsed.data;
    if (version === found.version)
      return {
        kind: 'card',
        card: triageCard(
          found,
          clock.now(),
          calendar,
          team,
          notice && tone ? { text: notice, tone } : undefined,
          'settled',
          reader,
        ),
      };
    return { kind: 'card', card: triageCard(found, clock.now(), calendar, team, undefined, 'live', reader) };
  }
}

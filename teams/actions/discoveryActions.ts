import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import {
  DISCOVERY_VERBS,
  findingsCard,
  progressCard,
  reviewCard,
  SET_ASIDE_INPUT,
  SET_ASIDE_OFF,
} from '../../cards/findingsCard.js';
import type { FindingsView } from '../../cards/findingsCard.js';
import { translator } from '../../i18n/index.js';
import { refusalText } from '../refusalText.js';
import type { Notice } from '../../cards/notices.js';
import type { Actor, DsrCase } from '../../dsr/case.js';
import { SET_ASIDE_MAX, type RecordRef } from '../../dsr/caseActions.js';
import { mergeQueries, searchQueryFor, type Connector, type SearchQuery } from '../../dsr/discovery.js';
import { runDiscovery } from '../../dsr/runs/discoveryRun.js';
import { canTransition } from '../../dsr/lifecycle.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { DsrServices } from '../services.js';
import { PressedCard, type CardUpdater } from '../cardUpdater.js';
import { teamCaseTarget } from './teamCaseAction.js';

export interface DiscoveryDeps {
  /** Every system of the guide, connected or not; resolved on first use. */
  connectors: () => Promise<Connector[]>;
  updater: CardUpdater;
}

const list = z
  .string()
  .max(500)
  .optional()
  .transform((text) =>
    (text ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
const page = z.coerce.number().int().min(0).max(10_000).optional();
const reviewSchema = z.object({ systemId: z.string().max(40), page });
const decisionSchema = z.object({ systemId: z.string().max(40), recordId: z.string().max(300), page });
/** The findings the card showed (their `updatedAt`), and on a review card, its system and page. */
const setAsideSchema = z.object({
  findingsAt: z.string().max(40),
  systemId: z.string().max(40).optional(),
  page,
});

const extraSchema = z.object({
  extraNames: list,
  extraEmails: list,
  extraPhones: list,
  extraCustomerNumbers: list,
  extraEmployeeIds: list,
});

/**
 * "Find data", "Retry this system", the review of every record found, and the team's decision on
 * each ("this is the person", "not this person"). A search runs after the turn has been
 * answered, so the bot keeps serving others; its card is updated in place as systems answer.
 */
export class DiscoveryAction implements CardActionHandler {
  constructor(
    readonly verb: string,
    private readonly services: DsrServices,
    private readonly deps: DiscoveryDeps,
    /** Searches in progress, per case, so a second press does not start a second search. */
    private readonly running: Set<string>,
  ) {}

  static all(services: DsrServices, deps: DiscoveryDeps): DiscoveryAction[] {
    const running = new Set<string>();
    return Object.values(DISCOVERY_VERBS).map((verb) => new DiscoveryAction(verb, services, deps, running));
  }

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const { cases, calendar } = this.services;
    const checked = await teamCaseTarget(
      context,
      this.verb,
      data,
      this.services,
      translator(context.activity.locale)('refusals.discovery.onlyTeam'),
    );
    if ('kind' in checked) return checked;
    const { actor, dsrCase } = checked;

    const locale = context.activity.locale;
    const t = translator(locale);
    const view = (notice?: Notice): FindingsView => ({
      calendar,
      now: this.services.clock.now(),
      locale,
      ...(notice ? { notice } : {}),
    });
    if (this.verb === DISCOVERY_VERBS.show) return { kind: 'card', card: findingsCard(dsrCase, view()) };
    if (this.verb === DISCOVERY_VERBS.review) {
      const parsed = reviewSchema.safeParse(data);
      if (!parsed.success) return { kind: 'error', status: 400, message: t('refusals.card.noSystem') };
      return {
        kind: 'card',
        card: reviewCard(dsrCase, view(), parsed.data.systemId, parsed.data.page ?? 0),
      };
    }
    if (this.verb === DISCOVERY_VERBS.setAside) return this.setAside(context, actor, dsrCase, data);
    if (this.verb === DISCOVERY_VERBS.notThisPerson || this.verb === DISCOVERY_VERBS.confirm) {
      const parsed = decisionSchema.safeParse(data);
      if (!parsed.success) return { kind: 'error', status: 400, message: t('refusals.card.noRecord') };
      const confirming = this.verb === DISCOVERY_VERBS.confirm;
      const { systemId, recordId } = parsed.data;
      // `notThisPerson`: a button of a card posted before the selection; it sets aside its one record.
      const result = await cases.act(
        actor,
        dsrCase.id,
        checked.version,
        confirming
          ? { kind: 'confirmPerson', systemId, recordId }
          : { kind: 'markNotThisPerson', records: [{ systemId, recordId }] },
      );
      const shown = result.ok ? result.case : (result.case ?? dsrCase);
      const notice: Notice = result.ok
        ? { tone: 'good', text: confirming ? t('findings.confirmed') : t('findings.setAsideDone', { count: 1 }) }
        : { tone: 'error', text: refusalText(t, result) };
      // A decision taken on the review card leaves the member on the page they were on.
      return {
        kind: 'card',
        card:
          parsed.data.page === undefined
            ? findingsCard(shown, view(notice))
            : reviewCard(shown, view(notice), systemId, parsed.data.page),
      };
    }

    if (!canTransition('recordFindings', dsrCase.status)) {
      return { kind: 'error', status: 409, message: t('refusals.discovery.approveFirst') };
    }
    if (this.running.has(dsrCase.id)) {
      return {
        kind: 'message',
        text: t('refusals.discovery.running', { caseId: dsrCase.id }),
      };
    }
    let connectors = await this.deps.connectors();
    if (this.verb === DISCOVERY_VERBS.retry) {
      const systemId = z.string().max(40).safeParse(data.systemId);
      connectors = connectors.filter((c) => systemId.success && c.info.id === systemId.data);
      if (connectors.length === 0) return { kind: 'error', status: 400, message: t('refusals.card.noSystem') };
    }
    const extra = extraSchema.safeParse(data);
    const base = dsrCase.findings?.query ?? searchQueryFor(dsrCase.subject);
    const query = extra.success
      ? mergeQueries(base, {
          names: extra.data.extraNames,
          emails: extra.data.extraEmails,
          phones: extra.data.extraPhones,
          customerNumbers: extra.data.extraCustomerNumbers,
          employeeIds: extra.data.extraEmployeeIds,
        })
      : base;

    const pressed = PressedCard.of(context, this.deps.updater, this.services.log, dsrCase.id, 'discovery');
    this.running.add(dsrCase.id);
    // Not awaited: the turn is answered with the progress card at once.
    void this.search(actor, dsrCase, connectors, query, pressed, locale).finally(() => this.running.delete(dsrCase.id));
    return {
      kind: 'card',
      card: progressCard(
        dsrCase,
        {
          done: 0,
          total: connectors.length,
          running: connectors.map((c) => c.info.displayName),
          answered: [],
        },
        view(),
      ),
    };
  }

  /**
   * "Not this person" over the records ticked on a findings or review card, saved at once. The
   * server trusts only the case: a card whose findings changed since it was shown, a record the
   * case does not hold, or a selection of nothing is refused with the card shown again, unchanged.
   */
  private async setAside(context: TurnContext, actor: Actor, dsrCase: DsrCase, data: CardData): Promise<ActionOutcome> {
    const { cases, calendar } = this.services;
    const locale = context.activity.locale;
    const t = translator(locale);
    const parsed = setAsideSchema.safeParse(data);
    if (!parsed.success) {
      await cases.recordRefusal(actor, this.verb, 'invalid-input', dsrCase.id);
      return { kind: 'error', status: 400, message: t('findings.refused.incomplete') };
    }
    const { findingsAt, systemId, page } = parsed.data;
    const answer = (shown: DsrCase, text: string, refused: boolean): ActionOutcome => {
      const view: FindingsView = {
        calendar,
        now: this.services.clock.now(),
        locale,
        notice: { tone: refused ? 'error' : 'good', text },
      };
      return {
        kind: 'card',
        card:
          systemId !== undefined && page !== undefined
            ? reviewCard(shown, view, systemId, page)
            : findingsCard(shown, view),
      };
    };
    if ((dsrCase.findings?.updatedAt ?? '') !== findingsAt) {
      await cases.recordRefusal(actor, this.verb, 'stale', dsrCase.id);
      return answer(dsrCase, t('findings.refused.stale'), true);
    }
    const values = Object.entries(data)
      .filter(
        ([key, value]) =>
          key.startsWith(SET_ASIDE_INPUT) && typeof value === 'string' && value !== '' && value !== SET_ASIDE_OFF,
      )
      .map(([, value]) => value as string);
    if (values.length === 0) return answer(dsrCase, t('findings.refused.nothingChosen'), true);
    const systems = dsrCase.findings?.systems ?? [];
    const refs: RecordRef[] = [];
    for (const value of values) {
      const at = value.indexOf('|');
      const ref = { systemId: value.slice(0, at), recordId: value.slice(at + 1) };
      const held = systems.find((s) => s.systemId === ref.systemId)?.records.some((r) => r.id === ref.recordId);
      if (at < 1 || value.length > 400 || values.length > SET_ASIDE_MAX || !held) {
        await cases.recordRefusal(actor, this.verb, 'invalid-input', dsrCase.id);
        return answer(dsrCase, t('findings.refused.foreign'), true);
      }
      refs.push(ref);
    }
    // The findings the card showed are the case's now, so the case's version is the one to act on.
    const result = await cases.act(actor, dsrCase.id, dsrCase.version, { kind: 'markNotThisPerson', records: refs });
    if (!result.ok) return answer(result.case ?? dsrCase, refusalText(t, result), true);
    return answer(result.case, t('findings.setAsideDone', { count: refs.length }), false);
  }

  private async search(
    actor: Actor,
    dsrCase: DsrCase,
    connectors: Connector[],
    query: SearchQuery,
    pressed: PressedCard,
    locale: string | undefined,
  ): Promise<void> {
    const { cases, calendar, log, clock } = this.services;
    const view = (notice?: Notice): FindingsView => ({
      calendar,
      now: clock.now(),
      locale,
      ...(notice ? { notice } : {}),
    });
    try {
      const systems = await runDiscovery(connectors, query, {
        onProgress: (progress) => void pressed.show(progressCard(dsrCase, progress, view())),
      });
      log.info({ caseId: dsrCase.id, systems: systems.map((s) => `${s.systemId}:${s.status}`) }, 'discovery finished');
      const result = await cases.actOnLatest(actor, dsrCase.id, { kind: 'recordFindings', query, systems });
      const saved = result.ok ? result.case : undefined;
      const message = result.ok || result.refusal === 'stale' ? '' : refusalText(translator(locale), result);
      await pressed.show(
        saved
          ? findingsCard(saved, view())
          : findingsCard(
              { ...dsrCase, findings: { query, systems, updatedAt: new Date().toISOString() } },
              view({
                tone: 'error',
                text: translator(locale)('findings.notSaved', {
                  reason: message || translator(locale)('findings.keptChanging'),
                }),
              }),
            ),
      );
    } catch (error) {
      log.error({ caseId: dsrCase.id, err: error }, 'discovery failed');
    }
  }
}

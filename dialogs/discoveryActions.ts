import { TurnContext, type ConversationReference } from 'botbuilder';
import { z } from 'zod';
import { DISCOVERY_VERBS, findingsCard, progressCard, reviewCard } from '../cards/findingsCard.js';
import type { CardJson } from '../cards/template.js';
import type { Actor, DsrCase } from '../dsr/case.js';
import {
  mergeQueries,
  searchQueryFor,
  type Connector,
  type SearchQuery,
  type SystemFindings,
} from '../dsr/discovery.js';
import { runDiscovery } from '../dsr/discoveryRun.js';
import { canTransition } from '../dsr/lifecycle.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { DsrServices } from './services.js';
import { teamCaseTarget } from './teamCaseAction.js';

/** Replaces a card the bot posted earlier, outside the turn that asked for it. */
export interface CardUpdater {
  update(reference: Partial<ConversationReference>, activityId: string | undefined, card: CardJson): Promise<void>;
}

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
      'Only the privacy team can search for a person’s data.',
    );
    if ('kind' in checked) return checked;
    const { actor, dsrCase } = checked;

    if (this.verb === DISCOVERY_VERBS.show) return { kind: 'card', card: findingsCard(dsrCase, calendar) };
    if (this.verb === DISCOVERY_VERBS.review) {
      const parsed = reviewSchema.safeParse(data);
      if (!parsed.success) return { kind: 'error', status: 400, message: 'This card does not name a system.' };
      return { kind: 'card', card: reviewCard(dsrCase, parsed.data.systemId, parsed.data.page ?? 0) };
    }
    if (this.verb === DISCOVERY_VERBS.notThisPerson || this.verb === DISCOVERY_VERBS.confirm) {
      const parsed = decisionSchema.safeParse(data);
      if (!parsed.success) return { kind: 'error', status: 400, message: 'This card does not name a record.' };
      const confirming = this.verb === DISCOVERY_VERBS.confirm;
      const result = await cases.act(actor, dsrCase.id, checked.version, {
        kind: confirming ? 'confirmPerson' : 'markNotThisPerson',
        systemId: parsed.data.systemId,
        recordId: parsed.data.recordId,
      });
      const shown = result.ok ? result.case : (result.case ?? dsrCase);
      const notice = result.ok
        ? confirming
          ? 'Confirmed as the person’s record.'
          : 'Marked as not this person.'
        : result.message;
      // A decision taken on the review card leaves the member on the page they were on.
      return {
        kind: 'card',
        card:
          parsed.data.page === undefined
            ? findingsCard(shown, calendar, notice)
            : reviewCard(shown, parsed.data.systemId, parsed.data.page, notice),
      };
    }

    if (!canTransition('recordFindings', dsrCase.status)) {
      return { kind: 'error', status: 409, message: 'Approve the request before searching for the person’s data.' };
    }
    if (this.running.has(dsrCase.id)) {
      return {
        kind: 'message',
        text: `The search for ${dsrCase.id} is still running; its card updates as systems answer.`,
      };
    }
    let connectors = await this.deps.connectors();
    if (this.verb === DISCOVERY_VERBS.retry) {
      const systemId = z.string().max(40).safeParse(data.systemId);
      connectors = connectors.filter((c) => systemId.success && c.info.id === systemId.data);
      if (connectors.length === 0) return { kind: 'error', status: 400, message: 'This card does not name a system.' };
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

    const reference = TurnContext.getConversationReference(context.activity);
    const cardId = context.activity.replyToId;
    this.running.add(dsrCase.id);
    // Not awaited: the turn is answered with the progress card at once.
    void this.search(actor, dsrCase, connectors, query, reference, cardId).finally(() =>
      this.running.delete(dsrCase.id),
    );
    return {
      kind: 'card',
      card: progressCard(dsrCase, {
        done: 0,
        total: connectors.length,
        running: connectors.map((c) => c.info.displayName),
        answered: [],
      }),
    };
  }

  private async search(
    actor: Actor,
    dsrCase: DsrCase,
    connectors: Connector[],
    query: SearchQuery,
    reference: Partial<ConversationReference>,
    cardId: string | undefined,
  ): Promise<void> {
    const { cases, calendar, log } = this.services;
    const { updater } = this.deps;
    const answered: SystemFindings[] = [];
    // Updates go out one at a time, so a later card never lands before an earlier one.
    let updates = Promise.resolve();
    const show = (card: CardJson): Promise<void> => {
      updates = updates
        .then(() => updater.update(reference, cardId, card))
        .catch((error: unknown) => log.warn({ caseId: dsrCase.id, err: error }, 'could not update the discovery card'));
      return updates;
    };
    try {
      const systems = await runDiscovery(connectors, query, {
        onProgress: (progress) => {
          answered.push(progress.latest);
          void show(progressCard(dsrCase, { ...progress, answered: [...answered] }));
        },
      });
      log.info({ caseId: dsrCase.id, systems: systems.map((s) => `${s.systemId}:${s.status}`) }, 'discovery finished');
      const result = await cases.actOnLatest(actor, dsrCase.id, { kind: 'recordFindings', query, systems });
      const saved = result.ok ? result.case : undefined;
      const message = result.ok || result.refusal === 'stale' ? '' : result.message;
      await show(
        saved
          ? findingsCard(saved, calendar)
          : findingsCard(
              { ...dsrCase, findings: { query, systems, updatedAt: new Date().toISOString() } },
              calendar,
              `These findings could not be saved on the case: ${message || 'it kept changing'}.`,
            ),
      );
    } catch (error) {
      log.error({ caseId: dsrCase.id, err: error }, 'discovery failed');
    }
  }
}

import { CardFactory, MessageFactory, TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { CardJson } from '../cards/template.js';

/** Replaces a card the bot posted earlier, outside the turn that asked for it. */
export interface CardUpdater {
  update(reference: Partial<ConversationReference>, activityId: string | undefined, card: CardJson): Promise<void>;
}

/** Replaces a posted card through the Bot Framework; without the card's id, posts the card anew. */
export class AdapterCardUpdater implements CardUpdater {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async update(
    reference: Partial<ConversationReference>,
    activityId: string | undefined,
    card: CardJson,
  ): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
      if (activityId) await context.updateActivity({ ...message, id: activityId });
      else await context.sendActivity(message);
    });
  }
}

/** What a pressed card's updates write to the logs: case ids and the error's kind, never contents. */
interface UpdateLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * The card a person pressed to start work that outlives the turn (a search, a change step, a
 * package), shown again as the work goes on: each run reports its progress, and this is the one
 * place that turns a report into an update of that card. Updates go out one at a time, in order,
 * so a later card never lands before an earlier one; an update that fails is logged with the case
 * id and never stops the work.
 */
export class PressedCard {
  private updates = Promise.resolve();

  constructor(
    private readonly updater: CardUpdater,
    private readonly reference: Partial<ConversationReference>,
    private readonly cardId: string | undefined,
    private readonly log: UpdateLog,
    private readonly caseId: string,
    /** Which card, for the log: "discovery", "plan". */
    private readonly name: string,
  ) {}

  /** The card in the action's turn: its conversation and the id of the message that holds it. */
  static of(context: TurnContext, updater: CardUpdater, log: UpdateLog, caseId: string, name: string): PressedCard {
    return new PressedCard(
      updater,
      TurnContext.getConversationReference(context.activity),
      context.activity.replyToId,
      log,
      caseId,
      name,
    );
  }

  /** Shows a card in place of the pressed one, after every update asked for before; `card` may be worked out when its turn comes. */
  show(card: CardJson | (() => Promise<CardJson>)): Promise<void> {
    this.updates = this.updates
      .then(async () =>
        this.updater.update(this.reference, this.cardId, typeof card === 'function' ? await card() : card),
      )
      .catch((error: unknown) =>
        this.log.warn(
          { caseId: this.caseId, error: error instanceof Error ? error.name : 'unknown' },
          `could not update the ${this.name} card`,
        ),
      );
    return this.updates;
  }
}

import type { TurnContext } from 'botbuilder';
import type { CardJson } from '../../cards/template.js';
import { translator } from '../../i18n/index.js';

/** What a card action answers: a card that replaces the one clicked, a short message, or a refusal. */
export type ActionOutcome =
  | { kind: 'card'; card: CardJson }
  | { kind: 'message'; text: string }
  | { kind: 'error'; status: 400 | 403 | 404 | 409; message: string };

export type CardData = Record<string, unknown>;

export interface CardActionHandler {
  readonly verb: string;
  handle(context: TurnContext, data: CardData): Promise<ActionOutcome>;
}

/** Dispatches Action.Execute verbs (and their Action.Submit fallbacks) to their handlers. */
export class CardActionRouter {
  private readonly handlers = new Map<string, CardActionHandler>();

  constructor(
    handlers: CardActionHandler[],
    private readonly onUnknown: (context: TurnContext, verb: string, data: CardData) => Promise<void>,
  ) {
    for (const handler of handlers) this.handlers.set(handler.verb, handler);
  }

  async execute(context: TurnContext, verb: string, data: CardData): Promise<ActionOutcome> {
    const handler = this.handlers.get(verb);
    if (!handler) {
      await this.onUnknown(context, verb, data);
      return { kind: 'error', status: 400, message: translator(context.activity.locale)('replies.card.unknown') };
    }
    return handler.handle(context, data);
  }
}

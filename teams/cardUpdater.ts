import { CardFactory, MessageFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { CardJson } from '../cards/template.js';
import type { CardUpdater } from './actions/discoveryActions.js';

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

import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { CardJson } from '../../cards/template.js';

export function cardMessage(card: CardJson, summary?: string): Partial<Activity> {
  const message = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  if (summary) message.summary = summary;
  return message;
}

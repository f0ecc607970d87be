import { randomUUID } from 'node:crypto';
import {
  CardFactory,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type TurnContext,
} from 'botbuilder';
import { translator } from '../../i18n/index.js';
import { intakeCard } from '../../cards/intakeCard.js';
import { INTAKE_SUBMIT_VERB } from '../../cards/verbs.js';
import { intakeSuggestions } from '../../cards/intakeSuggestions.js';
import type { CardJson } from '../../cards/template.js';
import { INTAKE_FIELDS } from '../../dsr/intake.js';
import { extractRequest } from '../../dsr/intake/extract.js';
import { plainText } from '../../dsr/intake/messageText.js';
import { prefillIntake } from '../../dsr/intake/prefill.js';
import type { IntakeSubmission } from './intakeSubmission.js';
import type { DsrServices } from '../services.js';

/** The manifest's message action (composeExtensions): "Record as privacy request" on any message. */
export const RECORD_MESSAGE_COMMAND = 'recordPrivacyRequest';

/**
 * Inside a task module an Adaptive Card answers with Action.Submit, which Teams sends back as
 * composeExtension/submitAction (https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/action-commands/create-task-module
 * and .../respond-to-task-module-submit). No Microsoft source says Action.Execute works there, so the
 * intake card's actions are replaced by a Submit carrying the same data.
 */
function forTaskModule(card: CardJson, intakeId: string): CardJson {
  const submit = (card.actions as Array<{ title?: string }> | undefined)?.[0];
  return {
    ...card,
    actions: [
      {
        type: 'Action.Submit',
        title: submit?.title ?? 'Submit request',
        style: 'positive',
        data: { intakeId, verb: INTAKE_SUBMIT_VERB },
      },
    ],
  };
}

function taskCard(card: CardJson, title: string): MessagingExtensionActionResponse {
  return {
    task: { type: 'continue', value: { title, height: 'large', width: 'large', card: CardFactory.adaptiveCard(card) } },
  };
}

/**
 * Opens the intake form in a task module pre-filled from the message the action was used on, and
 * records the request when the form is submitted there. The message's author is rarely the data
 * subject (a colleague passes a request on), so their name is offered only when the text names none.
 */
export class RecordFromMessage {
  constructor(
    private readonly services: DsrServices,
    private readonly intake: IntakeSubmission,
  ) {}

  fetchTask(context: TurnContext, action: MessagingExtensionAction): MessagingExtensionActionResponse {
    const t = translator(context.activity.locale);
    if (action.commandId !== RECORD_MESSAGE_COMMAND) {
      return { task: { type: 'message', value: t('messageAction.unknown') } };
    }
    const payload = action.messagePayload;
    const body = typeof payload?.body?.content === 'string' ? payload.body.content : '';
    const contentType = payload?.body?.contentType === 'html' ? 'html' : 'text';
    const author = payload?.from?.user?.displayName?.trim();
    const extraction = extractRequest({ body, contentType, readQuoted: true });
    // The details keep the message as text: a Teams message's HTML tags are no use to a reader.
    const prefill = prefillIntake(extraction, plainText(body, contentType));
    if (!prefill.values[INTAKE_FIELDS.name] && author) {
      prefill.values[INTAKE_FIELDS.name] = author.slice(0, 200);
      prefill.shown.unshift({ field: 'name', values: [author], source: 'sender' });
    }
    const intakeId = randomUUID();
    const card = intakeCard({
      intakeId,
      now: this.services.clock.now(),
      timeZone: this.services.calendar.timeZone,
      values: prefill.values,
      suggestions: intakeSuggestions(prefill, context.activity.locale),
      locale: context.activity.locale,
    });
    return taskCard(forTaskModule(card, intakeId), t('messageAction.title'));
  }

  async submitAction(
    context: TurnContext,
    action: MessagingExtensionAction,
  ): Promise<MessagingExtensionActionResponse> {
    const t = translator(context.activity.locale);
    const data = action.data as unknown;
    if (
      action.commandId !== RECORD_MESSAGE_COMMAND ||
      typeof data !== 'object' ||
      data === null ||
      Array.isArray(data)
    ) {
      return { task: { type: 'message', value: t('messageAction.unknown') } };
    }
    const { outcome, caseId } = await this.intake.submit(context, data as Record<string, unknown>);
    if (caseId) return { task: { type: 'message', value: t('messageAction.recorded', { caseId }) } };
    if (outcome.kind === 'card') {
      const intakeId = (data as { intakeId?: unknown }).intakeId;
      return taskCard(forTaskModule(outcome.card, String(intakeId)), t('messageAction.title'));
    }
    return { task: { type: 'message', value: outcome.kind === 'message' ? outcome.text : outcome.message } };
  }
}

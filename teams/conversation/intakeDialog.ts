import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import { intakeCard } from '../../cards/intakeCard.js';
import { intakeSuggestions } from '../../cards/intakeSuggestions.js';
import { INTAKE_FIELDS } from '../../dsr/intake.js';
import { extractRequest } from '../../dsr/intake/extract.js';
import { prefillIntake } from '../../dsr/intake/prefill.js';
import { translator } from '../../i18n/index.js';
import { cardMessage } from './replies.js';
import type { DsrServices } from '../services.js';

export interface IntakeOptions {
  emails?: string[];
  /** A pasted mail or a sentence describing the request: read to pre-fill the form. */
  text?: string;
}

/**
 * Opens an intake: sends the form with a fresh intake id. The form is answered through a card
 * action (see intakeSubmission), so a submission works in any later turn.
 */
export class IntakeDialog {
  constructor(private readonly services: DsrServices) {}

  async sendForm(context: TurnContext, options: IntakeOptions): Promise<void> {
    const emails = options.emails ?? [];
    const text = options.text?.trim() ?? '';
    let values: Parameters<typeof intakeCard>[0]['values'] =
      emails.length > 0 ? { [INTAKE_FIELDS.emails]: emails.join(', ') } : {};
    let suggestions: Parameters<typeof intakeCard>[0]['suggestions'];
    if (text) {
      // The person typing is staff passing a request on: they are not its subject, so no sender is given.
      const prefill = prefillIntake(extractRequest({ body: text, readQuoted: true }), text);
      values = { ...values, ...prefill.values };
      suggestions = intakeSuggestions(prefill, context.activity.locale);
    }
    const card = intakeCard({
      intakeId: randomUUID(),
      now: this.services.clock.now(),
      timeZone: this.services.calendar.timeZone,
      values,
      suggestions,
      locale: context.activity.locale,
      ...(this.services.letters ? { languages: this.services.letters.service.languages } : {}),
    });
    await context.sendActivity(cardMessage(card, translator(context.activity.locale)('replies.intakeForm')));
  }
}

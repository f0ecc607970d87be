import { randomUUID } from 'node:crypto';
import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { intakeCard } from '../../cards/intakeCard.js';
import { intakeSuggestions } from '../../cards/intakeSuggestions.js';
import { INTAKE_FIELDS } from '../../dsr/intake.js';
import { extractRequest } from '../../dsr/intake/extract.js';
import { prefillIntake } from '../../dsr/intake/prefill.js';
import { translator } from '../../i18n/index.js';
import { cardMessage } from './replies.js';
import type { DsrServices } from '../services.js';

export const INTAKE_DIALOG = 'intake';

export interface IntakeOptions {
  emails?: string[];
  /** A pasted mail or a sentence describing the request: read to pre-fill the form. */
  text?: string;
}

/**
 * Opens an intake: sends the form with a fresh intake id. The form is answered through a card
 * action (see intakeSubmission), so a submission works even after this dialog has ended.
 */
export class IntakeDialog extends ComponentDialog {
  constructor(private readonly services: DsrServices) {
    super(INTAKE_DIALOG);
    this.addDialog(new WaterfallDialog(`${INTAKE_DIALOG}.send`, [(step) => this.sendForm(step)]));
    this.initialDialogId = `${INTAKE_DIALOG}.send`;
  }

  private async sendForm(step: WaterfallStepContext) {
    const options = (step.options ?? {}) as IntakeOptions;
    const emails = options.emails ?? [];
    const text = options.text?.trim() ?? '';
    let values: Parameters<typeof intakeCard>[0]['values'] =
      emails.length > 0 ? { [INTAKE_FIELDS.emails]: emails.join(', ') } : {};
    let suggestions: Parameters<typeof intakeCard>[0]['suggestions'];
    if (text) {
      // The person typing is staff passing a request on: they are not its subject, so no sender is given.
      const prefill = prefillIntake(extractRequest({ body: text, readQuoted: true }), text);
      values = { ...values, ...prefill.values };
      suggestions = intakeSuggestions(prefill, step.context.activity.locale);
    }
    const card = intakeCard({
      intakeId: randomUUID(),
      now: this.services.clock.now(),
      timeZone: this.services.calendar.timeZone,
      values,
      suggestions,
      locale: step.context.activity.locale,
      ...(this.services.letters ? { languages: this.services.letters.service.languages } : {}),
    });
    await step.context.sendActivity(cardMessage(card, translator(step.context.activity.locale)('replies.intakeForm')));
    return step.endDialog();
  }
}

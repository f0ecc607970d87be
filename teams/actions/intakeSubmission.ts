import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { caseCard } from '../../cards/caseCard.js';
import { intakeCard, intakeValues } from '../../cards/intakeCard.js';
import { translator } from '../../i18n/index.js';
import { INTAKE_SUBMIT_VERB } from '../../cards/verbs.js';
import { validateIntake } from '../../dsr/intake.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';

const submissionSchema = z.object({ intakeId: z.uuid() });

/**
 * Turns a submitted intake form into a case. The form's intake id makes a resubmission (double
 * click, a retry after a timeout) return the case it already created instead of a second one.
 */
export class IntakeSubmission implements CardActionHandler {
  readonly verb = INTAKE_SUBMIT_VERB;

  constructor(private readonly services: DsrServices) {}

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    return (await this.submit(context, data)).outcome;
  }

  /** The outcome, and the case recorded (new or already recorded by this intake id) when there is one. */
  async submit(context: TurnContext, data: CardData): Promise<{ outcome: ActionOutcome; caseId?: string }> {
    const { cases, clock, calendar, log } = this.services;
    const envelope = submissionSchema.safeParse(data);
    if (!envelope.success) {
      return {
        outcome: {
          kind: 'error',
          status: 400,
          message: translator(context.activity.locale)('replies.formIncomplete'),
        },
      };
    }
    const { intakeId } = envelope.data;
    const now = clock.now();
    // The languages the templates provide, checked here too: a card is only what a client sent.
    const languages = this.services.letters?.service.languages;
    const result = validateIntake(data, now, calendar.timeZone, languages);
    if (!result.ok) {
      log.info({ intakeId, fields: Object.keys(result.errors) }, 'intake refused: invalid fields');
      return {
        outcome: {
          kind: 'card',
          card: intakeCard({
            intakeId,
            now,
            timeZone: calendar.timeZone,
            values: intakeValues(data),
            errors: result.errors,
            locale: context.activity.locale,
            ...(languages ? { languages } : {}),
          }),
        },
      };
    }
    const actor = actorOf(context.activity);
    const { case: created, created: isNew } = await cases.createCase(actor, result.request, `${actor.id}:${intakeId}`);
    if (isNew) {
      log.info({ caseId: created.id }, 'case created');
      await this.services.notifier.caseCreated(created);
    }
    return {
      outcome: {
        kind: 'card',
        card: caseCard(created, now, calendar, {
          locale: context.activity.locale,
          notice: { tone: 'good', text: translator(context.activity.locale)('case.recorded', { caseId: created.id }) },
        }),
      },
      caseId: created.id,
    };
  }
}

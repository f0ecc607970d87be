import { randomUUID } from 'node:crypto';

/**
 * What Teams posts when an intake card is submitted, to spread into an activity: a fresh intake
 * id each time (so each is a new case) and Maria Garcia's request unless `fields` say otherwise.
 */
export function intakeSubmission(fields: Record<string, string> = {}) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: {
        type: 'Action.Execute',
        verb: 'intake.submit',
        data: {
          intakeId: randomUUID(),
          subjectName: 'Maria Garcia',
          subjectEmails: 'maria.garcia@example.org',
          requestTypes: 'access',
          ...fields,
        },
      },
    },
  };
}

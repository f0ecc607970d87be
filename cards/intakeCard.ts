import { DateTime } from 'luxon';
import {
  IDENTITY_CHECK_LABELS,
  IDENTITY_CHECKS,
  REQUEST_TYPE_LABELS,
  REQUEST_TYPES,
  SUBJECT_ROLE_LABELS,
  SUBJECT_ROLES,
} from '../dsr/case.js';
import { REGULATIONS } from '../dsr/deadlines.js';
import { languageLabel, LETTER_LANGUAGES } from '../dsr/letters/letterKinds.js';
import {
  INTAKE_FIELDS as F,
  INTAKE_LIMITS,
  OLD_DATE_QUESTION,
  type IntakeErrors,
  type IntakeField,
} from '../dsr/intake.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, executeAction, type CardJson } from './template.js';
import { INTAKE_SUBMIT_VERB } from './verbs.js';

export interface IntakeCardView {
  intakeId: string;
  values: Partial<Record<IntakeField, string>>;
  errors: IntakeErrors;
  hasErrors: boolean;
  today: string;
  nowTime: string;
  timeZone: string;
  /** The received date is more than a year back: ask the employee to confirm it. */
  askOldDate: boolean;
  /** The languages the letter templates provide, the organisation's own among them. */
  languages: Array<{ title: string; value: string }>;
  /** What was read from a message to fill the form, with where each value came from. */
  suggestions: IntakeSuggestionsView;
}

/** The values read from a message, already in the reader's language, shown above the form to be checked. */
export interface IntakeSuggestionsView {
  shown: boolean;
  title: string;
  facts: Array<{ title: string; value: string }>;
  notes: Array<{ text: string }>;
}

const NO_SUGGESTIONS: IntakeSuggestionsView = { shown: false, title: '', facts: [], notes: [] };

const REGULATION_LABELS: Record<(typeof REGULATIONS)[number], string> = {
  GDPR: 'GDPR (EU/EEA, UK)',
  CCPA: 'CCPA / CPRA (California)',
  LGPD: 'LGPD (Brazil)',
};

function choices<K extends string>(keys: readonly K[], labels: Record<K, string>): CardJson[] {
  return keys.map((key) => ({ title: labels[key], value: key }));
}

/** An input followed by the server's message for it, shown only when there is one. */
function field(input: CardJson & { id: IntakeField }): CardJson[] {
  return [
    { ...input, value: `\${values.${input.id}}` },
    {
      type: 'TextBlock',
      $when: `\${errors.${input.id} != null}`,
      text: `\${errors.${input.id}}`,
      color: 'Attention',
      size: 'Small',
      wrap: true,
      spacing: 'None',
    },
  ];
}

const template = new CardTemplate<IntakeCardView>({
  type: 'AdaptiveCard',
  $schema: CARD_SCHEMA,
  version: CARD_VERSION,
  body: [
    { type: 'TextBlock', text: 'New data subject request', size: 'Large', weight: 'Bolder', wrap: true },
    {
      type: 'TextBlock',
      text: 'Record what the person asked for. The privacy team takes it from here, and the legal deadline starts from when the request reached the company.',
      wrap: true,
      isSubtle: true,
    },
    {
      type: 'TextBlock',
      $when: '${hasErrors}',
      text: 'Some answers need another look; see the notes below the fields.',
      color: 'Attention',
      weight: 'Bolder',
      wrap: true,
    },
    {
      type: 'Container',
      $when: '${suggestions.shown}',
      style: 'emphasis',
      items: [
        { type: 'TextBlock', text: '${suggestions.title}', weight: 'Bolder', wrap: true },
        { type: 'FactSet', facts: [{ $data: '${suggestions.facts}', title: '${title}', value: '${value}' }] },
        { type: 'TextBlock', $data: '${suggestions.notes}', text: '${text}', wrap: true, isSubtle: true },
      ],
    },
    { type: 'TextBlock', text: 'The person', weight: 'Bolder', separator: true, wrap: true },
    ...field({
      type: 'Input.Text',
      id: F.name,
      label: 'Full name',
      isRequired: true,
      maxLength: INTAKE_LIMITS.name,
      errorMessage: "Enter the person's name.",
    }),
    ...field({
      type: 'Input.Text',
      id: F.emails,
      label: 'Email addresses (separate several with commas)',
      style: 'Email',
      maxLength: INTAKE_LIMITS.emails,
      placeholder: 'name@example.org',
    }),
    ...field({ type: 'Input.Text', id: F.phone, label: 'Phone', style: 'Tel', maxLength: INTAKE_LIMITS.phone }),
    ...field({
      type: 'Input.Text',
      id: F.customerNumber,
      label: 'Customer or account number',
      maxLength: INTAKE_LIMITS.identifier,
    }),
    ...field({ type: 'Input.Text', id: F.employeeId, label: 'Employee ID', maxLength: INTAKE_LIMITS.identifier }),
    ...field({
      type: 'Input.Text',
      id: F.otherIdentifier,
      label: 'Other identifier (social media handle, order number…)',
      maxLength: INTAKE_LIMITS.identifier,
    }),
    ...field({
      type: 'Input.ChoiceSet',
      id: F.role,
      label: 'Their relationship to us',
      isRequired: true,
      errorMessage: 'Choose a role.',
      style: 'compact',
      choices: choices(SUBJECT_ROLES, SUBJECT_ROLE_LABELS),
    }),
    { type: 'TextBlock', text: 'The request', weight: 'Bolder', separator: true, wrap: true },
    ...field({
      type: 'Input.ChoiceSet',
      id: F.requestTypes,
      label: 'What they ask for (choose all that apply)',
      isRequired: true,
      isMultiSelect: true,
      style: 'expanded',
      errorMessage: 'Choose at least one.',
      choices: choices(REQUEST_TYPES, REQUEST_TYPE_LABELS),
    }),
    ...field({
      type: 'Input.ChoiceSet',
      id: F.regulation,
      label: 'Regulation',
      isRequired: true,
      style: 'compact',
      errorMessage: 'Choose the regulation.',
      choices: choices(REGULATIONS, REGULATION_LABELS),
    }),
    {
      type: 'ColumnSet',
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          items: field({
            type: 'Input.Date',
            id: F.receivedDate,
            label: 'Received on',
            isRequired: true,
            max: '${today}',
            errorMessage: 'Enter the date the request arrived; it cannot be in the future.',
          }),
        },
        {
          type: 'Column',
          width: 'stretch',
          items: field({ type: 'Input.Time', id: F.receivedTime, label: 'at (${timeZone} time)' }),
        },
      ],
    },
    {
      type: 'Input.Toggle',
      $when: '${askOldDate}',
      id: F.receivedConfirmed,
      title: 'The date is right',
      label: 'The request arrived more than a year ago',
      valueOn: 'true',
      valueOff: 'false',
      value: 'false',
    },
    ...field({
      type: 'Input.ChoiceSet',
      id: F.identityCheck,
      label: 'How was their identity verified?',
      isRequired: true,
      style: 'compact',
      errorMessage: 'Choose one, or "Not verified yet".',
      choices: choices(IDENTITY_CHECKS, IDENTITY_CHECK_LABELS),
    }),
    ...field({
      type: 'Input.ChoiceSet',
      id: F.language,
      label: 'Language for our letters to the person',
      isRequired: true,
      style: 'compact',
      errorMessage: 'Choose a language.',
      choices: [{ $data: '${languages}', title: '${title}', value: '${value}' }],
    }),
    ...field({
      type: 'Input.Text',
      id: F.details,
      label: 'Details (what they wrote, how they contacted us)',
      isMultiline: true,
      maxLength: INTAKE_LIMITS.details,
    }),
  ],
  actions: [executeAction('Submit request', INTAKE_SUBMIT_VERB, { intakeId: '${intakeId}' }, 'positive')],
});

export interface IntakeCardInput {
  intakeId: string;
  now: Date;
  timeZone: string;
  values?: Partial<Record<IntakeField, string>>;
  errors?: IntakeErrors;
  /** The languages the letter templates provide; the built-in ones where not given. */
  languages?: readonly string[];
  suggestions?: IntakeSuggestionsView;
}

/** The intake form, fresh or filled in again with what was submitted and the problems found. */
export function intakeCard(input: IntakeCardInput): CardJson {
  const local = DateTime.fromJSDate(input.now).setZone(input.timeZone);
  const errors = input.errors ?? {};
  return template.render({
    intakeId: input.intakeId,
    values: {
      // Every field bound, even the empty ones: the templating library writes an unbound "${...}" as is.
      ...(Object.fromEntries(Object.values(F).map((id) => [id, ''])) as Record<IntakeField, string>),
      [F.role]: 'customer',
      [F.regulation]: 'GDPR',
      [F.identityCheck]: 'not-yet',
      [F.language]: 'en',
      [F.receivedDate]: local.toISODate() ?? '',
      [F.receivedTime]: local.toFormat('HH:mm'),
      ...input.values,
    },
    errors,
    hasErrors: Object.keys(errors).length > 0,
    today: local.toISODate() ?? '',
    nowTime: local.toFormat('HH:mm'),
    timeZone: input.timeZone,
    askOldDate: errors[F.receivedDate] === OLD_DATE_QUESTION,
    languages: (input.languages ?? LETTER_LANGUAGES).map((code) => ({ title: languageLabel(code), value: code })),
    suggestions: input.suggestions ?? NO_SUGGESTIONS,
  });
}

/** The submitted inputs the card can show again; anything else a client sent is ignored. */
export function intakeValues(data: Record<string, unknown>): Partial<Record<IntakeField, string>> {
  const values: Partial<Record<IntakeField, string>> = {};
  for (const id of Object.values(F)) {
    const value = data[id];
    if (typeof value === 'string') values[id] = value.slice(0, 4000);
  }
  return values;
}

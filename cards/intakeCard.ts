import { DateTime } from 'luxon';
import type { TFunction } from 'i18next';
import { IDENTITY_CHECKS, REQUEST_TYPES, SUBJECT_ROLES } from '../dsr/case.js';
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
import { languageOf, translator, wordsOf, type UiLanguage } from '../i18n/index.js';

export interface IntakeCardView {
  intakeId: string;
  values: Partial<Record<IntakeField, string>>;
  /** The problems found, worded in the reader's language. */
  errors: Partial<Record<IntakeField, string>>;
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

/** The choices of a list, each titled from the catalogue (`<prefix>.<key>`) in the reader's language. */
function choices(keys: readonly string[], t: TFunction, prefix: string): CardJson[] {
  return keys.map((key) => ({ title: t(`${prefix}.${key}`), value: key }));
}

/**
 * An input followed by the server's message for it, shown only when there is one. Messages sit on
 * the attention tint in the default text colour: Teams' dark theme draws Attention-coloured text
 * below WCAG AA contrast (see cards/notices.ts and test/cards/themeContrast.test.ts).
 */
function field(input: CardJson & { id: IntakeField }): CardJson[] {
  return [
    { ...input, value: `\${values.${input.id}}` },
    {
      type: 'Container',
      $when: `\${errors.${input.id} != null}`,
      style: 'attention',
      spacing: 'None',
      items: [{ type: 'TextBlock', text: `\${errors.${input.id}}`, size: 'Small', wrap: true }],
    },
  ];
}

/** The form in one language: its words come from the catalogue, its values from the view model. */
function intakeTemplate(t: TFunction): CardTemplate<IntakeCardView> {
  const f = (key: string, options?: Record<string, string>) => t(`intake.form.${key}`, options);
  return new CardTemplate<IntakeCardView>({
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [
      { type: 'TextBlock', text: f('title'), size: 'Large', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: f('intro'), wrap: true, isSubtle: true },
      {
        type: 'Container',
        $when: '${hasErrors}',
        style: 'attention',
        items: [{ type: 'TextBlock', text: f('hasErrors'), weight: 'Bolder', wrap: true }],
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
      { type: 'TextBlock', text: f('person'), weight: 'Bolder', separator: true, wrap: true },
      ...field({
        type: 'Input.Text',
        id: F.name,
        label: f('name'),
        isRequired: true,
        maxLength: INTAKE_LIMITS.name,
        errorMessage: f('nameError'),
      }),
      ...field({
        type: 'Input.Text',
        id: F.emails,
        label: f('emails'),
        style: 'Email',
        maxLength: INTAKE_LIMITS.emails,
        placeholder: f('emailsPlaceholder'),
      }),
      ...field({ type: 'Input.Text', id: F.phone, label: f('phone'), style: 'Tel', maxLength: INTAKE_LIMITS.phone }),
      ...field({
        type: 'Input.Text',
        id: F.customerNumber,
        label: f('customerNumber'),
        maxLength: INTAKE_LIMITS.identifier,
      }),
      ...field({ type: 'Input.Text', id: F.employeeId, label: f('employeeId'), maxLength: INTAKE_LIMITS.identifier }),
      ...field({
        type: 'Input.Text',
        id: F.otherIdentifier,
        label: f('otherIdentifier'),
        maxLength: INTAKE_LIMITS.identifier,
      }),
      ...field({
        type: 'Input.ChoiceSet',
        id: F.role,
        label: f('role'),
        isRequired: true,
        errorMessage: f('roleError'),
        style: 'compact',
        choices: choices(SUBJECT_ROLES, t, 'intake.form.roles'),
      }),
      { type: 'TextBlock', text: f('request'), weight: 'Bolder', separator: true, wrap: true },
      ...field({
        type: 'Input.ChoiceSet',
        id: F.requestTypes,
        label: f('requestTypes'),
        isRequired: true,
        isMultiSelect: true,
        style: 'expanded',
        errorMessage: f('requestTypesError'),
        choices: choices(REQUEST_TYPES, t, 'intake.form.requestTypeChoices'),
      }),
      ...field({
        type: 'Input.ChoiceSet',
        id: F.regulation,
        label: f('regulation'),
        isRequired: true,
        style: 'compact',
        errorMessage: f('regulationError'),
        choices: choices(REGULATIONS, t, 'intake.form.regulations'),
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
              label: f('receivedDate'),
              isRequired: true,
              max: '${today}',
              errorMessage: f('receivedDateError'),
            }),
          },
          {
            type: 'Column',
            width: 'stretch',
            // The zone goes in as a binding, expanded per message like every other value.
            items: field({
              type: 'Input.Time',
              id: F.receivedTime,
              label: f('receivedTime', { timeZone: '${timeZone}' }),
            }),
          },
        ],
      },
      {
        type: 'Input.Toggle',
        $when: '${askOldDate}',
        id: F.receivedConfirmed,
        title: f('oldDateConfirm'),
        label: f('oldDateLabel'),
        valueOn: 'true',
        valueOff: 'false',
        value: 'false',
      },
      ...field({
        type: 'Input.ChoiceSet',
        id: F.identityCheck,
        label: f('identityCheck'),
        isRequired: true,
        style: 'compact',
        errorMessage: f('identityCheckError'),
        choices: choices(IDENTITY_CHECKS, t, 'intake.form.identityChecks'),
      }),
      ...field({
        type: 'Input.ChoiceSet',
        id: F.language,
        label: f('language'),
        isRequired: true,
        style: 'compact',
        errorMessage: f('languageError'),
        choices: [{ $data: '${languages}', title: '${title}', value: '${value}' }],
      }),
      ...field({
        type: 'Input.Text',
        id: F.details,
        label: f('details'),
        isMultiline: true,
        maxLength: INTAKE_LIMITS.details,
      }),
    ],
    actions: [executeAction(f('submit'), INTAKE_SUBMIT_VERB, { intakeId: '${intakeId}' }, 'positive')],
  });
}

/** Each language's form parsed once, on first use: the form is sent often, in few languages. */
const templates = new Map<string, CardTemplate<IntakeCardView>>();

function templateFor(locale: string | undefined): CardTemplate<IntakeCardView> {
  const key = locale ?? '';
  let template = templates.get(key);
  if (!template) {
    template = intakeTemplate(translator(locale));
    templates.set(key, template);
  }
  return template;
}

/**
 * A letter language as the reader names it: in English the built-in labels ("Deutsch (German)"); in
 * another language the language's own name and the reader's name for it, from the runtime's CLDR
 * data (Intl.DisplayNames), such as "English (Englisch)" for a German reader.
 */
function letterLanguageTitle(code: string, reader: UiLanguage): string {
  if (reader === 'en') return languageLabel(code);
  try {
    const own = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    const readers = new Intl.DisplayNames([reader], { type: 'language' }).of(code);
    return own && readers && own !== readers ? `${own} (${readers})` : (readers ?? code);
  } catch {
    return languageLabel(code);
  }
}

export interface IntakeCardInput {
  intakeId: string;
  now: Date;
  timeZone: string;
  values?: Partial<Record<IntakeField, string>>;
  errors?: IntakeErrors;
  /** The languages the letter templates provide; the built-in ones where not given. */
  languages?: readonly string[];
  suggestions?: IntakeSuggestionsView;
  /** The reader's Teams locale; the form is written in its language (English without one). */
  locale?: string;
}

/** The intake form, fresh or filled in again with what was submitted and the problems found. */
export function intakeCard(input: IntakeCardInput): CardJson {
  const local = DateTime.fromJSDate(input.now).setZone(input.timeZone);
  const errors = input.errors ?? {};
  const t = translator(input.locale);
  return templateFor(input.locale).render({
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
    errors: Object.fromEntries(Object.entries(errors).map(([field, words]) => [field, wordsOf(t, words)])),
    hasErrors: Object.keys(errors).length > 0,
    today: local.toISODate() ?? '',
    nowTime: local.toFormat('HH:mm'),
    timeZone: input.timeZone,
    askOldDate: errors[F.receivedDate]?.key === OLD_DATE_QUESTION.key,
    languages: (input.languages ?? LETTER_LANGUAGES).map((code) => ({
      title: letterLanguageTitle(code, languageOf(input.locale)),
      value: code,
    })),
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

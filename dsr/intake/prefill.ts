import type { RequestType } from '../case.js';
import type { Regulation } from '../deadlines.js';
import { INTAKE_FIELDS as F, INTAKE_LIMITS, type IntakeField } from '../intake.js';
import type { Extraction, Suggestion, SuggestionSource } from './extract.js';
import type { Right } from './rights.js';

/**
 * The product's request types for the rights a message names. Objection (Art. 21) has no workflow of
 * its own: it is shown to the person, never put in the form silently.
 */
const REQUEST_TYPE_OF: Partial<Record<Right, RequestType>> = {
  access: 'access',
  erasure: 'delete',
  rectification: 'rectify',
  restriction: 'restrict',
  portability: 'export',
};

export type SuggestedField =
  | 'name'
  | 'emails'
  | 'phone'
  | 'customerNumber'
  | 'orderNumber'
  | 'employeeNumber'
  | 'rights'
  | 'regulation'
  | 'language'
  | 'dates';

/** One value put in the form, with where it was read, for the card to show beside the form. */
export interface ShownSuggestion {
  field: SuggestedField;
  values: string[];
  source: SuggestionSource;
}

export interface IntakePrefill {
  values: Partial<Record<IntakeField, string>>;
  shown: ShownSuggestion[];
  objection: boolean;
  /** Another language franc-min recognised (ISO 639-3), when not one of ours. */
  otherLanguage: string | undefined;
  shortened: boolean;
}

function first<T>(list: Suggestion<T>[]): Suggestion<T> | undefined {
  return list[0];
}

/**
 * The intake form filled from an extraction. Every value stays an input the person edits, and each is
 * listed with its source; the text itself goes into the details, cut to the field's size.
 */
export function prefillIntake(extraction: Extraction, text: string): IntakePrefill {
  const values: Partial<Record<IntakeField, string>> = {};
  const shown: ShownSuggestion[] = [];
  const show = (field: SuggestedField, list: Suggestion<string>[]) => {
    if (list.length > 0) shown.push({ field, values: list.map((s) => s.value), source: list[0]!.source });
  };

  if (extraction.name) {
    values[F.name] = extraction.name.value.slice(0, INTAKE_LIMITS.name);
    show('name', [extraction.name]);
  }
  const emails = extraction.emails.slice(0, 5);
  if (emails.length > 0) {
    values[F.emails] = emails
      .map((e) => e.value)
      .join(', ')
      .slice(0, INTAKE_LIMITS.emails);
    show('emails', emails);
  }
  const phone = first(extraction.phones);
  if (phone && phone.value.length <= INTAKE_LIMITS.phone) {
    values[F.phone] = phone.value;
    show('phone', [phone]);
  }
  const customer = first(extraction.customerNumbers);
  if (customer) {
    values[F.customerNumber] = customer.value.slice(0, INTAKE_LIMITS.identifier);
    show('customerNumber', [customer]);
  }
  const employee = first(extraction.employeeNumbers);
  if (employee) {
    values[F.employeeId] = employee.value.slice(0, INTAKE_LIMITS.identifier);
    show('employeeNumber', [employee]);
  }
  // An order number finds the person through the order: the form's "other identifier".
  const order = first(extraction.orderNumbers);
  if (order) {
    values[F.otherIdentifier] = `Order ${order.value}`.slice(0, INTAKE_LIMITS.identifier);
    show('orderNumber', [order]);
  }
  const types = [
    ...new Set(extraction.rights.map((r) => REQUEST_TYPE_OF[r.value]).filter((t): t is RequestType => !!t)),
  ];
  if (types.length > 0) values[F.requestTypes] = types.join(',');
  if (extraction.rights.length > 0) {
    shown.push({
      field: 'rights',
      values: extraction.rights.map((r) => r.value),
      source: extraction.rights[0]!.source,
    });
  }
  const regulation = first(extraction.regulations);
  if (regulation) {
    values[F.regulation] = regulation.value satisfies Regulation;
    show('regulation', [regulation]);
  }
  if (extraction.language.code) {
    values[F.language] = extraction.language.code;
    shown.push({ field: 'language', values: [extraction.language.code], source: 'text' });
  }
  if (extraction.dates.length > 0) show('dates', extraction.dates.slice(0, 3));
  const details = text.trim();
  if (details) values[F.details] = details.slice(0, INTAKE_LIMITS.details);

  return {
    values,
    shown,
    objection: extraction.rights.some((r) => r.value === 'objection'),
    otherLanguage:
      extraction.language.code === undefined && extraction.language.detected !== 'und'
        ? extraction.language.detected
        : undefined,
    shortened: extraction.notes.includes('truncated') || text.trim().length > INTAKE_LIMITS.details,
  };
}

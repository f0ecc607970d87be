import { DateTime } from 'luxon';
import { z } from 'zod';
import { said, type Said } from '../i18n/index.js';
import {
  IDENTITY_CHECKS,
  REQUEST_TYPES,
  SUBJECT_ROLES,
  type DataSubject,
  type IdentityCheck,
  type RequestType,
} from './case.js';
import { REGULATIONS, type Regulation } from './deadlines.js';
import { LETTER_LANGUAGES } from './letters/letterKinds.js';

/** The intake form's field ids, shared by the card that renders them and the validation that reads them. */
export const INTAKE_FIELDS = {
  name: 'subjectName',
  emails: 'subjectEmails',
  phone: 'subjectPhone',
  customerNumber: 'customerNumber',
  employeeId: 'employeeId',
  otherIdentifier: 'otherIdentifier',
  role: 'subjectRole',
  requestTypes: 'requestTypes',
  regulation: 'regulation',
  receivedDate: 'receivedDate',
  receivedTime: 'receivedTime',
  receivedConfirmed: 'receivedConfirmed',
  identityCheck: 'identityCheck',
  language: 'subjectLanguage',
  details: 'details',
} as const;
export type IntakeField = (typeof INTAKE_FIELDS)[keyof typeof INTAKE_FIELDS];

export const INTAKE_LIMITS = {
  name: 200,
  emails: 500,
  phone: 40,
  identifier: 100,
  details: 2000,
} as const;

export interface IntakeRequest {
  subject: DataSubject;
  requestTypes: RequestType[];
  regulation: Regulation;
  receivedAt: Date;
  identityCheck: IdentityCheck;
  /** The language the person's letters are written in: one the letter templates provide. */
  language: string;
  details: string;
}

/** The first problem per field, in the catalogue's words ("intake.errors.…"), worded for the reader by the card. */
export type IntakeErrors = Partial<Record<IntakeField, Said>>;

export type IntakeResult = { ok: true; request: IntakeRequest } | { ok: false; errors: IntakeErrors };

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]{2,}$/;
const PHONE = /^\+?[0-9 ()./-]{5,}$/;

// Card inputs arrive as strings (or absent); anything else is a forged or broken client.
const optionalText = z
  .string()
  .optional()
  .transform((value) => value?.trim() ?? '');

const rawIntakeSchema = z.object({
  [INTAKE_FIELDS.name]: optionalText,
  [INTAKE_FIELDS.emails]: optionalText,
  [INTAKE_FIELDS.phone]: optionalText,
  [INTAKE_FIELDS.customerNumber]: optionalText,
  [INTAKE_FIELDS.employeeId]: optionalText,
  [INTAKE_FIELDS.otherIdentifier]: optionalText,
  [INTAKE_FIELDS.role]: optionalText,
  [INTAKE_FIELDS.requestTypes]: optionalText,
  [INTAKE_FIELDS.regulation]: optionalText,
  [INTAKE_FIELDS.receivedDate]: optionalText,
  [INTAKE_FIELDS.receivedTime]: optionalText,
  [INTAKE_FIELDS.receivedConfirmed]: optionalText,
  [INTAKE_FIELDS.identityCheck]: optionalText,
  [INTAKE_FIELDS.language]: optionalText,
  [INTAKE_FIELDS.details]: optionalText,
});

function splitList(text: string): string[] {
  return text
    .split(/[,;\s]+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function tooLong(max: number): Said {
  return said('intake.errors.tooLong', { max });
}

/**
 * Validates an intake form as submitted. The card validates too, but a client can send anything,
 * so every rule is checked again here and the first problem per field is reported by field.
 */
export function validateIntake(
  raw: unknown,
  now: Date,
  timeZone: string,
  /** The languages the letter templates provide; the built-in ones where not given. */
  languages: readonly string[] = LETTER_LANGUAGES,
): IntakeResult {
  const parsed = rawIntakeSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: IntakeErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (typeof field === 'string') errors[field as IntakeField] = said('intake.errors.unreadable');
    }
    return { ok: false, errors };
  }
  const form = parsed.data;
  const errors: IntakeErrors = {};
  const F = INTAKE_FIELDS;

  const name = form[F.name];
  if (!name) errors[F.name] = said('intake.errors.name');
  else if (name.length > INTAKE_LIMITS.name) errors[F.name] = tooLong(INTAKE_LIMITS.name);

  const emails = splitList(form[F.emails]).map((email) => email.toLowerCase());
  if (form[F.emails].length > INTAKE_LIMITS.emails) errors[F.emails] = tooLong(INTAKE_LIMITS.emails);
  else {
    const bad = emails.find((email) => !EMAIL.test(email));
    if (bad !== undefined) errors[F.emails] = said('intake.errors.email', { value: bad.slice(0, 200) });
  }

  const phone = form[F.phone];
  if (phone.length > INTAKE_LIMITS.phone) errors[F.phone] = tooLong(INTAKE_LIMITS.phone);
  else if (phone && !PHONE.test(phone)) errors[F.phone] = said('intake.errors.phone');

  for (const field of [F.customerNumber, F.employeeId, F.otherIdentifier] as const) {
    if (form[field].length > INTAKE_LIMITS.identifier) errors[field] = tooLong(INTAKE_LIMITS.identifier);
  }

  const hasIdentifier =
    emails.length > 0 || phone || form[F.customerNumber] || form[F.employeeId] || form[F.otherIdentifier];
  if (!hasIdentifier && !errors[F.emails]) {
    errors[F.emails] = said('intake.errors.identifier');
  }

  const role = form[F.role] || 'customer';
  if (!(SUBJECT_ROLES as readonly string[]).includes(role)) errors[F.role] = said('intake.errors.role');

  const requestTypes = [...new Set(splitList(form[F.requestTypes]))];
  if (requestTypes.length === 0) errors[F.requestTypes] = said('intake.errors.rights');
  else {
    const unknown = requestTypes.find((type) => !(REQUEST_TYPES as readonly string[]).includes(type));
    if (unknown !== undefined) errors[F.requestTypes] = said('intake.errors.right', { value: unknown.slice(0, 40) });
  }

  const regulation = form[F.regulation] || 'GDPR';
  if (!(REGULATIONS as readonly string[]).includes(regulation)) {
    errors[F.regulation] = said('intake.errors.oneOf', { values: REGULATIONS.join(', ') });
  }

  const identityCheck = form[F.identityCheck] || 'not-yet';
  if (!(IDENTITY_CHECKS as readonly string[]).includes(identityCheck)) {
    errors[F.identityCheck] = said('intake.errors.identityCheck');
  }

  const language = form[F.language] || 'en';
  if (!languages.includes(language)) {
    errors[F.language] = said('intake.errors.oneOf', { values: languages.join(', ') });
  }

  const details = form[F.details];
  if (details.length > INTAKE_LIMITS.details) errors[F.details] = tooLong(INTAKE_LIMITS.details);

  const receivedAt = parseReceived(
    form[F.receivedDate],
    form[F.receivedTime],
    now,
    timeZone,
    form[F.receivedConfirmed] === 'true',
  );
  if (!(receivedAt instanceof Date)) errors[F.receivedDate] = receivedAt;

  if (Object.keys(errors).length > 0 || !(receivedAt instanceof Date)) return { ok: false, errors };

  const identifiers: DataSubject['identifiers'] = {};
  if (form[F.customerNumber]) identifiers.customerNumber = form[F.customerNumber];
  if (form[F.employeeId]) identifiers.employeeId = form[F.employeeId];
  if (form[F.otherIdentifier]) identifiers.other = form[F.otherIdentifier];

  return {
    ok: true,
    request: {
      subject: {
        name,
        emails: [...new Set(emails)],
        phones: phone ? [phone] : [],
        identifiers,
        role: role as DataSubject['role'],
      },
      requestTypes: requestTypes as RequestType[],
      regulation: regulation as Regulation,
      receivedAt,
      identityCheck: identityCheck as IdentityCheck,
      language,
      details,
    },
  };
}

// A received time a little ahead of the server clock is a skewed client, not a future date.
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Shown when a received date lies more than a year back, until the employee confirms it. */
export const OLD_DATE_QUESTION: Said = said('intake.errors.oldDate');

function parseReceived(date: string, time: string, now: Date, timeZone: string, confirmed: boolean): Date | Said {
  if (!date) return new Date(now.getTime());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return said('intake.errors.dateFormat');
  if (time && !/^\d{2}:\d{2}(:\d{2})?$/.test(time)) return said('intake.errors.timeFormat');
  const local = DateTime.fromISO(time ? `${date}T${time}` : date, { zone: timeZone });
  if (!local.isValid) return said('intake.errors.noSuchDate');
  // A date without a time means "some time that day": take the latest moment not in the future.
  let instant = local.toJSDate();
  if (!time) {
    const endOfDay = local.endOf('day').toJSDate();
    instant = endOfDay.getTime() < now.getTime() ? local.startOf('day').toJSDate() : new Date(now.getTime());
    if (local.startOf('day').toMillis() > now.getTime()) return said('intake.errors.future');
  }
  if (instant.getTime() > now.getTime() + CLOCK_SKEW_MS) return said('intake.errors.future');
  // A real request is never refused for its age; an old date is only confirmed, as it is more often a typo.
  if (!confirmed && instant.getTime() < now.getTime() - 366 * 24 * 3600 * 1000) return OLD_DATE_QUESTION;
  return instant;
}

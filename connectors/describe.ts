import { z } from 'zod';
import { IDENTIFIER_KINDS } from '../dsr/discovery.js';
import { basisSchema, KEPT_COUNTED, KEPT_ENDS } from '../dsr/keptRecords.js';
import { I18NEXT } from '../i18n/index.js';

/**
 * What one entity set holds about a person, described as data: the built-in entities and an
 * organisation's own tables are written the same way and walked by the same engine.
 */

const propertyName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain property name (letters, digits, underscore)');

export const IDENTIFIERS = IDENTIFIER_KINDS;
export type Identifier = (typeof IDENTIFIERS)[number];

export const matchSchema = z
  .object({
    field: propertyName,
    by: z.enum(IDENTIFIERS),
    /** `any`: the field is a collection of strings (Graph's otherMails); one element equal to the value matches. */
    mode: z.enum(['exact', 'case-insensitive', 'wildcard', 'any']).default('case-insensitive'),
  })
  .strict();

const scalar = z.union([z.string().max(200), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof scalar>;

const keptReasonSaid = z
  .object({
    key: z
      .string()
      .regex(/^change\.keptReasons\.[A-Za-z]+$/, 'must name a reason under change.keptReasons')
      .refine((key) => I18NEXT.exists(key), 'names a reason the catalogue does not hold'),
  })
  .strict();

/**
 * Records kept "as is" whatever the request: always (no `field`), or when `field` holds one of
 * `in` / none of `notIn`. `keepsOwner` also keeps the main record this one belongs to, where the
 * system refuses to delete a record that still has it (an open invoice keeps its customer).
 * `basis` names the reason for the period the organisation sets (DSR_KEPT_PERIODS); `ends` says
 * whether the reason lasts a fixed time, counted from the record's `dateField` (or from the end of
 * that date's calendar year), or while a condition holds, checked again each period.
 */
export const retainRuleSchema = z
  .object({
    field: propertyName.optional(),
    in: z.array(scalar).min(1).max(20).optional(),
    notIn: z.array(scalar).min(1).max(20).optional(),
    /** In English: the audit trail and the response letter's appendix read it. */
    reason: z.string().trim().min(1).max(300),
    /**
     * The same reason in the catalogue's words, so each reader reads it in their language. Only a
     * reason the catalogue holds can be named: an organisation's own reason is shown as written.
     */
    said: keptReasonSaid.optional(),
    keepsOwner: z.boolean().default(false),
    basis: basisSchema.default('legal-obligation'),
    ends: z.enum(KEPT_ENDS).default('period'),
    dateField: propertyName.optional(),
    counted: z.enum(KEPT_COUNTED).default('date'),
  })
  .strict()
  .refine((rule) => (rule.field === undefined) === (rule.in === undefined && rule.notIn === undefined), {
    message: 'give `field` together with `in` or `notIn`, or neither for records always kept',
  })
  .refine((rule) => rule.ends === 'period' || rule.dateField === undefined, {
    message: '`dateField` counts a period; a reason that ends with a condition is checked again instead',
  });

export type RetainRule = z.output<typeof retainRuleSchema>;

/** What rectify and restrict may change on a kind, and which of its records are kept. */
export const changeRulesSchema = z
  .object({
    /** The fields a correction may name. */
    rectify: z.array(propertyName).max(40).default([]),
    /** The values a restriction sets, such as `{ "privacyBlocked": true }`. */
    restrict: z.record(propertyName, scalar).default({}),
    retain: z.array(retainRuleSchema).max(8).default([]),
  })
  .strict();

export type ChangeRules = z.output<typeof changeRulesSchema>;

export const entitySchema = z
  .object({
    /** The record kind shown on the card, such as `contact`. */
    kind: z.string().trim().min(1).max(40),
    entitySet: propertyName,
    /** The field (or, for composite keys such as F&O's, the fields) that identify a record. */
    key: z.union([propertyName, z.array(propertyName).min(1).max(4)]),
    /** Fields compared with the person's identifiers; absent for records found through a relation. */
    match: z.array(matchSchema).max(12).default([]),
    /** Records that belong to the person through a record found directly, such as notes on a contact. */
    related: z
      .object({
        /** The `kind` of the main record. */
        to: z.string().trim().min(1).max(40),
        /** `filter`: this entity's `field` holds the main record's id; `navigation`: `main(id)/field`. */
        via: z.enum(['filter', 'navigation']).default('filter'),
        field: propertyName,
      })
      .strict()
      .optional(),
    /**
     * The fields read for the package and for changes, where the service returns only some without
     * `$select` (Graph's users); every field when empty.
     */
    read: z.array(propertyName).max(80).default([]),
    /** A few fields that let the privacy team recognise the record; never the whole record. */
    show: z.array(propertyName).min(1).max(6),
    operations: z
      .object({
        export: z.boolean().default(false),
        rectify: z.boolean().default(false),
        restrict: z.boolean().default(false),
        delete: z.boolean().default(false),
      })
      .strict()
      .default({ export: false, rectify: false, restrict: false, delete: false }),
    changes: changeRulesSchema.default({ rectify: [], restrict: {}, retain: [] }),
    /**
     * Where the service refuses to delete through this entity set, the set that deletes each record,
     * chosen by the value of `field` (Dataverse deletes an activity through its own type's set).
     */
    deleteThrough: z
      .object({ field: propertyName, entitySets: z.record(z.string().min(1).max(60), propertyName) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((entity) => entity.match.length > 0 || entity.related !== undefined, {
    message: 'give `match` (fields compared with the person) or `related` (how it belongs to a main record)',
  })
  .refine((entity) => entity.changes.rectify.length === 0 || entity.operations.rectify, {
    message: '`changes.rectify` names fields, but `operations.rectify` is not on',
    path: ['changes', 'rectify'],
  })
  .refine((entity) => Object.keys(entity.changes.restrict).length === 0 || entity.operations.restrict, {
    message: '`changes.restrict` sets fields, but `operations.restrict` is not on',
    path: ['changes', 'restrict'],
  })
  .refine((entity) => !entity.changes.retain.some((rule) => rule.keepsOwner) || entity.related !== undefined, {
    message: '`keepsOwner` only applies to a related record',
    path: ['changes', 'retain'],
  });

export type EntityDescription = z.output<typeof entitySchema>;
export type EntityInput = z.input<typeof entitySchema>;

/** Checks what only a set of entities can show: unique kinds and relations to a main record. */
export function entitySetProblems(entities: readonly EntityDescription[]): { index: number; reason: string }[] {
  const problems: { index: number; reason: string }[] = [];
  const kinds = new Map<string, number>();
  entities.forEach((entity, index) => {
    if (kinds.has(entity.kind)) problems.push({ index, reason: `the kind '${entity.kind}' is described twice` });
    kinds.set(entity.kind, index);
  });
  entities.forEach((entity, index) => {
    if (!entity.related) return;
    const target = entities[kinds.get(entity.related.to) ?? -1];
    if (!target) problems.push({ index, reason: `related.to names '${entity.related.to}', which is not described` });
    else if (target.related)
      problems.push({ index, reason: `related.to names '${entity.related.to}', which is itself a related record` });
  });
  return problems;
}

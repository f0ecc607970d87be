import { z } from 'zod';
import { CASE_STATUSES, REQUEST_TYPES } from '../case.js';
import { REGULATIONS } from '../deadlines.js';

export const SORT_KEYS = ['id', 'received', 'due', 'status', 'answered'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** A comma-separated list of allowed words, given once: `status=triage,approved`. */
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string({ error: `one value, a comma-separated list of ${values.join(', ')}` })
    .transform((text) => text.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(values, { error: `each one of ${values.join(', ')}` })).min(1));

const SYSTEM_ID = /^[A-Za-z0-9._-]{1,64}$/;
const PERSON_ID = /^[A-Za-z0-9:._-]{1,128}$/;

/**
 * What the register may be asked, as query parameters. Strict: a parameter the register does not
 * know is refused rather than silently ignored, so a mistyped filter never shows unfiltered data.
 */
export const registerQuerySchema = z.strictObject(
  {
    status: oneOf(CASE_STATUSES).optional(),
    right: oneOf(REQUEST_TYPES).optional(),
    regulation: oneOf(REGULATIONS).optional(),
    system: z.string().regex(SYSTEM_ID, 'a system id such as dataverse or businessCentral').optional(),
    assignee: z.string().regex(PERSON_ID, 'a team member id, or "none" for cases nobody is assigned to').optional(),
    dueWithin: z.coerce
      .number({ error: 'a number of days' })
      .int('a whole number of days')
      .min(0, 'at least 0 days')
      .max(366, 'at most 366 days')
      .optional(),
    overdue: z.enum(['true', 'false'], { error: 'true or false' }).optional(),
    open: z.enum(['true', 'false'], { error: 'true or false' }).optional(),
    q: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{1,20}$/, 'part of a case id, such as DSR-2026-0001 or 0001')
      .optional(),
    sort: z.enum(SORT_KEYS, { error: `one of ${SORT_KEYS.join(', ')}` }).default('due'),
    order: z.enum(['asc', 'desc'], { error: 'asc or desc' }).default('asc'),
    page: z.coerce.number({ error: 'a page number' }).int('a whole page number').min(1, 'from 1').default(1),
    pageSize: z.coerce
      .number({ error: 'a number of rows' })
      .int('a whole number of rows')
      .min(1, 'at least 1 row')
      .max(100, 'at most 100 rows')
      .default(25),
  },
  {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter: ${issue.keys.join(', ')}` : undefined),
  },
);

export type RegisterQuery = z.output<typeof registerQuerySchema>;

export type QueryResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Checks query parameters against a schema; every problem names the parameter and what it expects. */
export function parseQuery<S extends z.ZodType>(schema: S, params: Record<string, unknown>): QueryResult<z.output<S>> {
  const repeated = Object.entries(params).filter(([, value]) => Array.isArray(value));
  if (repeated.length > 0) {
    return { ok: false, problems: repeated.map(([key]) => `${key}: given more than once; give it once`) };
  }
  const parsed = schema.safeParse(params);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const where = issue.path.filter((part) => typeof part === 'string')[0];
      const message = issue.message.replace(/^Invalid input: /, '');
      return where ? `${where}: expected ${message}` : message;
    }),
  };
}

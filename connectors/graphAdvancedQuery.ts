/**
 * Which directory queries Microsoft Graph answers only as *advanced queries*: with the header
 * `ConsistencyLevel: eventual` and (except for `$search`) `$count=true`. Source: Learn, "Advanced
 * query capabilities on Microsoft Entra ID objects"
 * (https://learn.microsoft.com/en-us/graph/aad-advanced-queries), its "Query scenarios that require
 * advanced query capabilities" and its table of `$filter` support by user property. Queries that
 * work by default also work as advanced queries, but their answer is only eventually consistent, so
 * the parameters are sent only where a query needs them.
 */

/** `$filter` operators and functions only advanced queries accept, on every directory object. */
export const ADVANCED_OPERATORS: readonly string[] = ['ne', 'not', 'endswith'];

/**
 * User properties that need advanced queries for any comparison, `eq` included (the page's table:
 * "Advanced" in the `eq` column). Only the properties the product or the sandbox reads are listed.
 */
export const ADVANCED_USER_PROPERTIES: readonly string[] = [
  'companyName',
  'employeeHireDate',
  'employeeType',
  'mobilePhone',
  'officeLocation',
  'postalCode',
  'preferredLanguage',
  'streetAddress',
];

/**
 * Not settled by the page, so treated as needing advanced queries: `contains` (not in the page's
 * tables; the default query engine refuses it on users) and a comparison with `null` on a property
 * whose "null values" cell is blank rather than "Advanced".
 */
export const UNSETTLED_OPERATORS: readonly string[] = ['contains'];

/** The user properties `$orderby` sorts only in advanced queries (the page's `$orderby` table). */
export const ADVANCED_USER_ORDERBY: readonly string[] = ['createdDateTime', 'deletedDateTime'];

/** Every string literal of a filter blanked out, so a value can never look like an operator. */
function withoutLiterals(filter: string): string {
  return filter.replace(/'(?:[^']|'')*'/g, "''");
}

/**
 * Whether a users query with this `$filter` (and `$orderby`) needs the advanced query parameters.
 * Values are ignored: only operators and property names decide.
 */
export function needsAdvancedQuery(filter: string | undefined, orderby?: string): boolean {
  const text = withoutLiterals(filter ?? '').toLowerCase();
  const words = new Set(text.match(/[a-z_][a-z0-9_]*/g) ?? []);
  if ([...ADVANCED_OPERATORS, ...UNSETTLED_OPERATORS].some((op) => words.has(op))) return true;
  if (ADVANCED_USER_PROPERTIES.some((prop) => words.has(prop.toLowerCase()))) return true;
  if (words.has('null')) return true;
  if (orderby) {
    // `$filter` and `$orderby` together are always an advanced query.
    if (filter) return true;
    const sorted = orderby.toLowerCase();
    if (ADVANCED_USER_ORDERBY.some((prop) => sorted.includes(prop.toLowerCase()))) return true;
  }
  return false;
}

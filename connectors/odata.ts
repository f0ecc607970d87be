/**
 * Builds OData `$filter` text from values without pasting them: every string goes through
 * `stringLiteral`, so a value such as `x' or 1 eq 1 or 'a' eq 'a` stays one literal and can only
 * ever be compared, never widen the filter.
 */

export type MatchMode = 'exact' | 'case-insensitive' | 'wildcard' | 'any';

/** How a system's `$filter` treats text, which decides how a match mode is written. */
export interface FilterDialect {
  /** F&O reads `*` inside an `eq` literal as a wildcard, so a literal `*` cannot be sent there. */
  wildcardEq: boolean;
  /** `tolower()` is available (Dataverse, Business Central, Graph do not all allow it). */
  tolower: boolean;
  /**
   * False where the service refuses `or` between two different fields (Business Central: Learn,
   * "Known Limitations with Business Central OData"); each field is then searched on its own.
   */
  orAcrossFields?: boolean;
  /** Text compares as written, so a case-insensitive match is sent as the spellings people use. */
  caseSensitive?: boolean;
}

/**
 * The spellings of a value a case-sensitive service is asked for: as given, lower case, upper case,
 * and each word capitalised (`maria.garcia@contoso.com` -> `Maria.Garcia@contoso.com`, the domain
 * kept in lower case). Any other mix of cases cannot be found without a case-insensitive filter.
 */
export function caseVariants(value: string): string[] {
  const capitalise = (part: string) =>
    part.replace(/(^|[\s.\-_'])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
  const at = value.lastIndexOf('@');
  const titled =
    at > 0
      ? `${capitalise(value.slice(0, at).toLowerCase())}${value.slice(at).toLowerCase()}`
      : capitalise(value.toLowerCase());
  return [...new Set([value, value.toLowerCase(), value.toUpperCase(), titled])];
}

const PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class UnsafeQueryError extends Error {}

/** A property path as configured; anything else is a configuration mistake, not a value to quote. */
export function property(name: string): string {
  if (!PROPERTY.test(name)) throw new UnsafeQueryError(`'${name}' is not a property name.`);
  return name;
}

/** OData string literal: single quotes, with each quote inside doubled (OData ABNF `SQUOTE-in-string`). */
export function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function guidLiteral(value: string): string {
  if (!GUID.test(value)) throw new UnsafeQueryError('Not a GUID.');
  return value.toLowerCase();
}

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * One comparison of a property with a value in the given mode, or undefined when the system
 * cannot express it without widening the match (a `*` where `eq` means wildcard).
 */
export function compare(field: string, value: string, mode: MatchMode, dialect: FilterDialect): string | undefined {
  const name = property(field);
  if (dialect.wildcardEq) {
    // F&O compares case-insensitively already; `*` is the only character with a meaning.
    if (value.includes('*')) return undefined;
    if (mode === 'any') return `${name}/any(x:x eq ${stringLiteral(value)})`;
    return mode === 'wildcard' ? `${name} eq ${stringLiteral(`*${value}*`)}` : `${name} eq ${stringLiteral(value)}`;
  }
  switch (mode) {
    case 'any':
      // A collection of strings (Graph's otherMails): any element equal to the value.
      return `${name}/any(x:x eq ${stringLiteral(value)})`;
    case 'exact':
      return `${name} eq ${stringLiteral(value)}`;
    case 'case-insensitive':
      if (dialect.tolower) return `tolower(${name}) eq ${stringLiteral(value.toLowerCase())}`;
      if (dialect.caseSensitive) return anyOf(caseVariants(value).map((v) => `${name} eq ${stringLiteral(v)}`));
      return `${name} eq ${stringLiteral(value)}`;
    case 'wildcard':
      return `contains(${name},${stringLiteral(value)})`;
  }
}

export function equalsGuid(field: string, value: string): string {
  return `${property(field)} eq ${guidLiteral(value)}`;
}

export function anyOf(terms: readonly string[]): string | undefined {
  if (terms.length === 0) return undefined;
  return terms.length === 1 ? terms[0] : terms.map((term) => `(${term})`).join(' or ');
}

/** Appends query options to a URL, encoding each value. */
export function withQuery(url: string, options: Record<string, string | undefined>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(options)) if (value !== undefined) target.searchParams.set(name, value);
  // URLSearchParams writes spaces as '+', which OData services read as a literal plus.
  return target.toString().replace(/\+/g, '%20');
}

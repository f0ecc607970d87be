import { ODataQueryError, tokenize, type Token } from './lexer.js';

export interface Segment {
  name: string;
  /** Absent when the segment has no parentheses; a single value or named values otherwise. */
  key?: string | Record<string, string>;
}

/** Splits a resource path such as `companies(id)/customers(id)` and reads each key predicate. */
export function parsePath(rawPath: string): Segment[] {
  const parts = rawPath.split('/').filter((part) => part !== '');
  return parts.map((raw) => {
    let part: string;
    try {
      part = decodeURIComponent(raw);
    } catch {
      throw new ODataQueryError(`The path segment '${raw}' is not valid.`);
    }
    const open = part.indexOf('(');
    if (open === -1) return { name: part };
    if (!part.endsWith(')')) throw new ODataQueryError(`Bad Request - Error in query syntax: '${part}'.`);
    return { name: part.slice(0, open), key: parseKey(part.slice(open + 1, -1)) };
  });
}

function literalValue(token: Token): string | undefined {
  switch (token.kind) {
    case 'string':
    case 'guid':
    case 'date':
    case 'enum':
      return token.value;
    case 'number':
      return String(token.value);
    default:
      return undefined;
  }
}

function parseKey(text: string): string | Record<string, string> {
  const tokens = tokenize(text);
  const single = tokens[0];
  if (tokens.length === 2 && single) {
    const value = literalValue(single);
    if (value === undefined) throw new ODataQueryError(`Bad Request - Error in query syntax: key '${text}'.`);
    return value;
  }
  const named: Record<string, string> = {};
  let i = 0;
  for (;;) {
    const name = tokens[i];
    const eq = tokens[i + 1];
    const value = tokens[i + 2];
    if (!name || name.kind !== 'ident' || !eq || eq.kind !== 'punct' || eq.value !== '=' || !value) {
      throw new ODataQueryError(`Bad Request - Error in query syntax: key '${text}'.`);
    }
    const literal = literalValue(value);
    if (literal === undefined) throw new ODataQueryError(`Bad Request - Error in query syntax: key '${text}'.`);
    named[name.value] = literal;
    const after = tokens[i + 3];
    if (!after || after.kind === 'end') return named;
    if (after.kind !== 'punct' || after.value !== ',') {
      throw new ODataQueryError(`Bad Request - Error in query syntax: key '${text}'.`);
    }
    i += 4;
  }
}

/** Orders the key values as the entity declares its key, or fails the way OData does. */
export function keyValues(key: string | Record<string, string>, keyProps: readonly string[]): string[] {
  if (typeof key === 'string') {
    if (keyProps.length !== 1) {
      throw new ODataQueryError(
        'The number of keys specified in the URI does not match number of key properties for the resource.',
      );
    }
    return [key];
  }
  const names = Object.keys(key);
  if (names.length !== keyProps.length || !keyProps.every((prop) => prop in key)) {
    throw new ODataQueryError(
      'The number of keys specified in the URI does not match number of key properties for the resource.',
    );
  }
  return keyProps.map((prop) => key[prop]!);
}

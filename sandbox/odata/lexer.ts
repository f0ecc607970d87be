/** A query the service cannot understand; every system answers it with 400, never a crash. */
export class ODataQueryError extends Error {
  constructor(
    message: string,
    readonly position = -1,
  ) {
    super(message);
    this.name = 'ODataQueryError';
  }
}

export type Token =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'guid'; value: string; pos: number }
  | { kind: 'date'; value: string; pos: number }
  | { kind: 'enum'; type: string; value: string; pos: number }
  | { kind: 'ident'; value: string; pos: number }
  | { kind: 'punct'; value: '(' | ')' | ',' | '/' | ':' | '='; pos: number }
  | { kind: 'end'; pos: number };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
// Dates are unquoted in OData v4; they stay strings, which compare correctly in ISO form.
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/;
const IDENT = /^[A-Za-z_$@][A-Za-z0-9_.$@]*/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === '/' || ch === ':' || ch === '=') {
      tokens.push({ kind: 'punct', value: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      const start = i;
      const [value, next] = readString(text, i);
      tokens.push({ kind: 'string', value, pos: start });
      i = next;
      continue;
    }
    const rest = text.slice(i);
    const guid = GUID.exec(rest);
    if (guid && !/[0-9A-Za-z_]/.test(rest[guid[0].length] ?? '')) {
      tokens.push({ kind: 'guid', value: guid[0].toLowerCase(), pos: i });
      i += guid[0].length;
      continue;
    }
    const date = DATE.exec(rest);
    if (date) {
      tokens.push({ kind: 'date', value: date[0], pos: i });
      i += date[0].length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num) {
      tokens.push({ kind: 'number', value: Number(num[0].replace(/[mMdDfFlL]$/, '')), pos: i });
      i += num[0].length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      const name = ident[0];
      // Finance and Operations writes enum values as Namespace.Type'Member'.
      if (text[i + name.length] === "'" && name.includes('.')) {
        const [value, next] = readString(text, i + name.length);
        tokens.push({ kind: 'enum', type: name, value, pos: i });
        i = next;
        continue;
      }
      tokens.push({ kind: 'ident', value: name, pos: i });
      i += name.length;
      continue;
    }
    throw new ODataQueryError(`Syntax error: character '${ch}' is not valid at position ${i} in '${text}'.`, i);
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

/** Reads a quoted literal starting at `start`; a doubled quote stands for one quote. */
function readString(text: string, start: number): [string, number] {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) {
      throw new ODataQueryError(`Syntax error: unterminated string literal at position ${start} in '${text}'.`, start);
    }
    const ch = text[i]!;
    if (ch === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return [value, i + 1];
    }
    value += ch;
    i++;
  }
}

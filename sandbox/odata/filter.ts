import { ODataQueryError, tokenize, type Token } from './lexer.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonRecord = Record<string, Json>;

/** Edm types the sandbox models; `strings` is a collection of strings such as Graph's otherMails. */
export type PropType = 'string' | 'guid' | 'number' | 'boolean' | 'date' | 'datetime' | 'enum' | 'strings' | 'json';

export type LiteralType = 'string' | 'number' | 'guid' | 'date' | 'boolean' | 'null' | 'enum';

export type Expr =
  | { kind: 'literal'; type: LiteralType; value: string | number | boolean | null }
  | { kind: 'prop'; name: string }
  | { kind: 'var'; name: string }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'not'; operand: Expr }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'lambda'; op: 'any' | 'all'; collection: string; variable: string | null; predicate: Expr | null };

type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
type BinaryOp = CompareOp | 'and' | 'or';
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS: Record<string, number> = {
  contains: 2,
  startswith: 2,
  endswith: 2,
  tolower: 1,
  toupper: 1,
  trim: 1,
  length: 1,
  indexof: 2,
};

export function parseFilter(text: string): Expr {
  if (text.trim() === '') throw new ODataQueryError('The $filter expression is empty.', 0);
  const parser = new Parser(text, tokenize(text));
  return parser.parseAll();
}

class Parser {
  private index = 0;
  private readonly lambdaVars: string[] = [];

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parseAll(): Expr {
    const expr = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') this.fail(next, 'unexpected token');
    return expr;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private take(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private fail(token: Token, why: string): never {
    throw new ODataQueryError(`Syntax error at position ${token.pos} in '${this.text}': ${why}.`, token.pos);
  }

  private isKeyword(token: Token, word: string): boolean {
    return token.kind === 'ident' && token.value === word;
  }

  private expectPunct(value: string): void {
    const token = this.take();
    if (token.kind !== 'punct' || token.value !== value) this.fail(token, `'${value}' expected`);
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), 'or')) {
      this.take();
      left = { kind: 'binary', op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isKeyword(this.peek(), 'and')) {
      this.take();
      left = { kind: 'binary', op: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isKeyword(this.peek(), 'not')) {
      this.take();
      return { kind: 'not', operand: this.parseNot() };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parsePrimary();
    const next = this.peek();
    if (next.kind === 'ident' && COMPARE_OPS.has(next.value)) {
      this.take();
      return { kind: 'binary', op: next.value as CompareOp, left, right: this.parsePrimary() };
    }
    if (next.kind === 'ident' && ['add', 'sub', 'mul', 'div', 'mod', 'has', 'in'].includes(next.value)) {
      this.fail(next, `operator '${next.value}' is not supported`);
    }
    return left;
  }

  private parsePrimary(): Expr {
    const token = this.take();
    switch (token.kind) {
      case 'punct':
        if (token.value === '(') {
          const inner = this.parseOr();
          this.expectPunct(')');
          return inner;
        }
        return this.fail(token, `unexpected '${token.value}'`);
      case 'string':
        return { kind: 'literal', type: 'string', value: token.value };
      case 'number':
        return { kind: 'literal', type: 'number', value: token.value };
      case 'guid':
        return { kind: 'literal', type: 'guid', value: token.value };
      case 'date':
        return { kind: 'literal', type: 'date', value: token.value };
      case 'enum':
        return { kind: 'literal', type: 'enum', value: token.value };
      case 'end':
        return this.fail(token, 'expression expected');
      case 'ident':
        return this.parseIdentifier(token);
    }
  }

  private parseIdentifier(token: Token & { kind: 'ident' }): Expr {
    const name = token.value;
    if (name === 'null') return { kind: 'literal', type: 'null', value: null };
    if (name === 'true' || name === 'false') return { kind: 'literal', type: 'boolean', value: name === 'true' };
    const next = this.peek();
    if (next.kind === 'punct' && next.value === '(') {
      const arity = FUNCTIONS[name];
      if (arity === undefined) this.fail(token, `unknown function '${name}'`);
      this.take();
      const args: Expr[] = [this.parseOr()];
      while (this.peek().kind === 'punct' && (this.peek() as { value: string }).value === ',') {
        this.take();
        args.push(this.parseOr());
      }
      this.expectPunct(')');
      if (args.length !== arity) this.fail(token, `function '${name}' takes ${arity} argument(s)`);
      return { kind: 'call', name, args };
    }
    if (next.kind === 'punct' && next.value === '/') {
      this.take();
      const op = this.take();
      if (op.kind !== 'ident' || (op.value !== 'any' && op.value !== 'all')) {
        return this.fail(op, 'navigation paths are not supported in $filter here; only any() and all()');
      }
      return this.parseLambda(name, op.value);
    }
    if (this.lambdaVars.includes(name)) return { kind: 'var', name };
    return { kind: 'prop', name };
  }

  private parseLambda(collection: string, op: 'any' | 'all'): Expr {
    this.expectPunct('(');
    if (this.peek().kind === 'punct' && (this.peek() as { value: string }).value === ')') {
      this.take();
      if (op === 'all') this.fail(this.peek(), 'all() needs a predicate');
      return { kind: 'lambda', op, collection, variable: null, predicate: null };
    }
    const variable = this.take();
    if (variable.kind !== 'ident') return this.fail(variable, 'lambda variable expected');
    this.expectPunct(':');
    this.lambdaVars.push(variable.value);
    const predicate = this.parseOr();
    this.lambdaVars.pop();
    this.expectPunct(')');
    return { kind: 'lambda', op, collection, variable: variable.value, predicate };
  }
}

export interface FilterSchema {
  /** Qualified type name, used in error messages the way the service words them. */
  typeName: string;
  properties: Record<string, PropType>;
  /** Dataverse, Graph and F&O compare strings without regard to case (SQL collation). */
  caseInsensitive: boolean;
  /** Finance and Operations treats `*` inside an eq string literal as a wildcard. */
  wildcardEq: boolean;
}

export type Predicate = (record: JsonRecord) => boolean;
type Value = string | number | boolean | null | readonly Json[];
type Evaluator = (record: JsonRecord, vars: Map<string, Json>) => Value;
type ExprType = PropType | LiteralType | 'any';

/** Checks names and types once, then returns a fast predicate for scans over many records. */
export function compileFilter(expr: Expr, schema: FilterSchema): Predicate {
  const compiler = new Compiler(schema);
  const [evaluate, type] = compiler.compile(expr, new Map());
  if (type !== 'boolean') throw new ODataQueryError('The $filter expression must evaluate to a boolean value.');
  return (record) => evaluate(record, new Map()) === true;
}

export function filterPredicate(text: string, schema: FilterSchema): Predicate {
  return compileFilter(parseFilter(text), schema);
}

/** Walks the tree; Graph uses it to refuse operators that need advanced query parameters. */
/** The properties an expression reads, lambda collections included. */
export function collectProperties(expr: Expr, into = new Set<string>()): Set<string> {
  switch (expr.kind) {
    case 'prop':
      into.add(expr.name);
      break;
    case 'binary':
      collectProperties(expr.left, into);
      collectProperties(expr.right, into);
      break;
    case 'not':
      collectProperties(expr.operand, into);
      break;
    case 'call':
      expr.args.forEach((arg) => collectProperties(arg, into));
      break;
    case 'lambda':
      into.add(expr.collection);
      break;
    default:
      break;
  }
  return into;
}

/** The first `or` whose two sides read different properties, if any. */
export function orAcrossFields(expr: Expr): Expr | undefined {
  switch (expr.kind) {
    case 'binary': {
      if (expr.op === 'or') {
        const left = collectProperties(expr.left);
        const right = collectProperties(expr.right);
        const all = new Set([...left, ...right]);
        if (all.size > 1) return expr;
      }
      return orAcrossFields(expr.left) ?? orAcrossFields(expr.right);
    }
    case 'not':
      return orAcrossFields(expr.operand);
    default:
      return undefined;
  }
}

export function collectOperators(expr: Expr, into = new Set<string>()): Set<string> {
  switch (expr.kind) {
    case 'binary':
      into.add(expr.op);
      collectOperators(expr.left, into);
      collectOperators(expr.right, into);
      break;
    case 'not':
      into.add('not');
      collectOperators(expr.operand, into);
      break;
    case 'call':
      into.add(expr.name);
      expr.args.forEach((arg) => collectOperators(arg, into));
      break;
    case 'lambda':
      into.add(expr.op);
      if (expr.predicate) collectOperators(expr.predicate, into);
      break;
    default:
      break;
  }
  return into;
}

/** Whether any comparison in the filter is with `null`. */
export function comparesWithNull(expr: Expr): boolean {
  switch (expr.kind) {
    case 'literal':
      return expr.type === 'null';
    case 'binary':
      return comparesWithNull(expr.left) || comparesWithNull(expr.right);
    case 'not':
      return comparesWithNull(expr.operand);
    case 'call':
      return expr.args.some(comparesWithNull);
    case 'lambda':
      return expr.predicate !== null && comparesWithNull(expr.predicate);
    default:
      return false;
  }
}

class Compiler {
  constructor(private readonly schema: FilterSchema) {}

  private fold(value: string): string {
    return this.schema.caseInsensitive ? value.toLowerCase() : value;
  }

  compile(expr: Expr, vars: Map<string, PropType>): [Evaluator, ExprType] {
    switch (expr.kind) {
      case 'literal': {
        const value = expr.value;
        return [() => value, expr.type];
      }
      case 'prop': {
        const type = this.schema.properties[expr.name];
        if (type === undefined) {
          throw new ODataQueryError(
            `Could not find a property named '${expr.name}' on type '${this.schema.typeName}'.`,
          );
        }
        const name = expr.name;
        return [(record) => toValue(record[name]), type];
      }
      case 'var': {
        const name = expr.name;
        return [(_record, values) => toValue(values.get(name)), vars.get(name) ?? 'any'];
      }
      case 'not': {
        const [operand, type] = this.compile(expr.operand, vars);
        if (type !== 'boolean') throw new ODataQueryError("The operand of 'not' must be a boolean expression.");
        return [(record, values) => operand(record, values) !== true, 'boolean'];
      }
      case 'binary':
        return this.compileBinary(expr.op, expr.left, expr.right, vars);
      case 'call':
        return this.compileCall(expr.name, expr.args, vars);
      case 'lambda':
        return this.compileLambda(expr, vars);
    }
  }

  private compileBinary(
    op: BinaryOp,
    leftExpr: Expr,
    rightExpr: Expr,
    vars: Map<string, PropType>,
  ): [Evaluator, ExprType] {
    const [left, leftType] = this.compile(leftExpr, vars);
    const [right, rightType] = this.compile(rightExpr, vars);
    if (op === 'and' || op === 'or') {
      if (leftType !== 'boolean' || rightType !== 'boolean') {
        throw new ODataQueryError(`The operands of '${op}' must be boolean expressions.`);
      }
      return op === 'and'
        ? [(r, v) => left(r, v) === true && right(r, v) === true, 'boolean']
        : [(r, v) => left(r, v) === true || right(r, v) === true, 'boolean'];
    }
    checkComparable(op, leftType, rightType);
    const wildcard =
      this.schema.wildcardEq &&
      (op === 'eq' || op === 'ne') &&
      rightExpr.kind === 'literal' &&
      typeof rightExpr.value === 'string' &&
      rightExpr.value.includes('*');
    if (wildcard) {
      const pattern = wildcardRegex(rightExpr.value as string, this.schema.caseInsensitive);
      const negate = op === 'ne';
      return [
        (r, v) => {
          const value = left(r, v);
          const hit = typeof value === 'string' && pattern.test(value);
          return negate ? !hit : hit;
        },
        'boolean',
      ];
    }
    const compare = (a: Value, b: Value): number | null => {
      if (a === null || b === null || Array.isArray(a) || Array.isArray(b)) return null;
      if (typeof a === 'string' && typeof b === 'string') {
        const x = this.fold(a);
        const y = this.fold(b);
        return x < y ? -1 : x > y ? 1 : 0;
      }
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
      return null;
    };
    const test = (a: Value, b: Value): boolean => {
      if (op === 'eq' || op === 'ne') {
        const equal = a === null || b === null ? a === b : compare(a, b) === 0;
        return op === 'eq' ? equal : !equal;
      }
      const c = compare(a, b);
      if (c === null) return false;
      if (op === 'gt') return c > 0;
      if (op === 'ge') return c >= 0;
      if (op === 'lt') return c < 0;
      return c <= 0;
    };
    return [(r, v) => test(left(r, v), right(r, v)), 'boolean'];
  }

  private compileCall(name: string, argExprs: Expr[], vars: Map<string, PropType>): [Evaluator, ExprType] {
    const compiled = argExprs.map((arg) => this.compile(arg, vars));
    for (const [, type] of compiled) {
      if (!isStringLike(type) && type !== 'null') {
        throw new ODataQueryError(`No function signature for the function with name '${name}' matches the arguments.`);
      }
    }
    const args = compiled.map(([evaluate]) => evaluate);
    const str = (value: Value): string | null => (typeof value === 'string' ? value : null);
    const first = args[0]!;
    const second = args[1] ?? first;
    const two = (fn: (a: string, b: string) => Value): Evaluator => {
      return (r, v) => {
        const a = str(first(r, v));
        const b = str(second(r, v));
        return a === null || b === null ? null : fn(this.fold(a), this.fold(b));
      };
    };
    const one = (fn: (a: string) => Value): Evaluator => {
      return (r, v) => {
        const a = str(first(r, v));
        return a === null ? null : fn(a);
      };
    };
    switch (name) {
      case 'contains':
        return [two((a, b) => a.includes(b)), 'boolean'];
      case 'startswith':
        return [two((a, b) => a.startsWith(b)), 'boolean'];
      case 'endswith':
        return [two((a, b) => a.endsWith(b)), 'boolean'];
      case 'indexof':
        return [two((a, b) => a.indexOf(b)), 'number'];
      case 'tolower':
        return [one((a) => a.toLowerCase()), 'string'];
      case 'toupper':
        return [one((a) => a.toUpperCase()), 'string'];
      case 'trim':
        return [one((a) => a.trim()), 'string'];
      default:
        return [one((a) => a.length), 'number'];
    }
  }

  private compileLambda(expr: Expr & { kind: 'lambda' }, vars: Map<string, PropType>): [Evaluator, ExprType] {
    const type = this.schema.properties[expr.collection];
    if (type === undefined) {
      throw new ODataQueryError(
        `Could not find a property named '${expr.collection}' on type '${this.schema.typeName}'.`,
      );
    }
    if (type !== 'strings')
      throw new ODataQueryError(`'${expr.collection}' is not a collection; any() and all() need one.`);
    const collection = expr.collection;
    const items = (record: JsonRecord): Json[] => {
      const value = record[collection];
      return Array.isArray(value) ? value : [];
    };
    if (expr.predicate === null || expr.variable === null) {
      return [(record) => items(record).length > 0, 'boolean'];
    }
    const variable = expr.variable;
    const inner = new Map(vars);
    inner.set(variable, 'string');
    const [predicate, predicateType] = this.compile(expr.predicate, inner);
    if (predicateType !== 'boolean') throw new ODataQueryError('A lambda predicate must be a boolean expression.');
    const all = expr.op === 'all';
    return [
      (record, values) => {
        const test = (item: Json): boolean => {
          const scoped = new Map(values);
          scoped.set(variable, item);
          return predicate(record, scoped) === true;
        };
        return all ? items(record).every(test) : items(record).some(test);
      },
      'boolean',
    ];
  }
}

function toValue(value: Json | undefined): Value {
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return null;
  return value;
}

function isStringLike(type: ExprType): boolean {
  return type === 'string' || type === 'enum' || type === 'any';
}

const COMPATIBLE: Record<string, readonly string[]> = {
  string: ['string'],
  enum: ['string', 'enum'],
  guid: ['guid'],
  number: ['number'],
  boolean: ['boolean'],
  date: ['date'],
  datetime: ['date'],
  any: ['string', 'number', 'guid', 'boolean', 'date', 'enum', 'any'],
};

const EDM: Record<string, string> = {
  string: 'Edm.String',
  enum: 'Edm.Enum',
  guid: 'Edm.Guid',
  number: 'Edm.Decimal',
  boolean: 'Edm.Boolean',
  date: 'Edm.DateTimeOffset',
  datetime: 'Edm.DateTimeOffset',
  strings: 'Collection(Edm.String)',
  json: 'Edm.ComplexType',
};

/**
 * The real services reject comparisons across types (a quoted GUID against an Edm.Guid column is
 * the classic one), so a connector that gets literals wrong must fail here too.
 */
function checkComparable(op: string, left: ExprType, right: ExprType): void {
  if (left === 'null' || right === 'null') return;
  const ok = (a: ExprType, b: ExprType): boolean => (COMPATIBLE[a] ?? []).includes(b) || a === b;
  if (ok(left, right) || ok(right, left)) return;
  throw new ODataQueryError(
    `A binary operator with incompatible types was detected. Found operand types '${EDM[left] ?? left}' and '${EDM[right] ?? right}' for operator kind '${op}'.`,
  );
}

function wildcardRegex(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, caseInsensitive ? 'si' : 's');
}

/** A column value as text for messages and comparisons; structured values as JSON. */
export function text(value: Json | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

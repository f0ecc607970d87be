import { strict as assert } from 'node:assert';
import { filterPredicate, parseFilter, type FilterSchema, type JsonRecord } from '../../sandbox/odata/filter.js';
import { ODataQueryError } from '../../sandbox/odata/lexer.js';
import { parsePath } from '../../sandbox/odata/keys.js';

const schema: FilterSchema = {
  typeName: 'Test.person',
  properties: { name: 'string', id: 'guid', age: 'number', vip: 'boolean', mails: 'strings', born: 'date' },
  caseInsensitive: true,
  wildcardEq: false,
};

const people: JsonRecord[] = [
  {
    name: "Sean O'Brien",
    id: '11111111-1111-4111-8111-111111111111',
    age: 41,
    vip: true,
    mails: ['sean@x.org'],
    born: '1983-01-02',
  },
  {
    name: 'Seana Brien',
    id: '22222222-2222-4222-8222-222222222222',
    age: 29,
    vip: false,
    mails: [],
    born: '1995-05-06',
  },
  {
    name: 'Maria Garcia',
    id: '33333333-3333-4333-8333-333333333333',
    age: 38,
    vip: false,
    mails: ['m@x.org', 'maria@y.org'],
    born: null,
  },
];

const names = (filter: string, options: Partial<FilterSchema> = {}): string[] => {
  const predicate = filterPredicate(filter, { ...schema, ...options });
  return people.filter(predicate).map((p) => p.name as string);
};

describe('sandbox: OData $filter engine', () => {
  it('reads doubled quotes as one quote', () => {
    assert.deepEqual(names("name eq 'Sean O''Brien'"), ["Sean O'Brien"]);
  });

  it('keeps an escaped injection attempt a literal', () => {
    assert.deepEqual(names("name eq 'x'' or 1 eq 1 or ''a'' eq ''a'"), []);
  });

  it('honours precedence: and binds tighter than or, parentheses override', () => {
    assert.deepEqual(names("name eq 'Maria Garcia' or age gt 30 and vip eq true"), ["Sean O'Brien", 'Maria Garcia']);
    assert.deepEqual(names("(name eq 'Maria Garcia' or age gt 30) and vip eq true"), ["Sean O'Brien"]);
    assert.deepEqual(names('not (age ge 30)'), ['Seana Brien']);
  });

  it('supports guid, number, boolean, date and null literals', () => {
    assert.deepEqual(names('id eq 22222222-2222-4222-8222-222222222222'), ['Seana Brien']);
    assert.deepEqual(names('age lt 30.5'), ['Seana Brien']);
    assert.deepEqual(names('born eq null'), ['Maria Garcia']);
    assert.deepEqual(names('born gt 1990-01-01'), ['Seana Brien']);
    assert.deepEqual(names('vip ne false'), ["Sean O'Brien"]);
  });

  it('supports string functions and any()', () => {
    assert.deepEqual(names("contains(name,'brien')"), ["Sean O'Brien", 'Seana Brien']);
    assert.deepEqual(names("startswith(name,'sean ')"), ["Sean O'Brien"]);
    assert.deepEqual(names("endswith(name,'garcia')"), ['Maria Garcia']);
    assert.deepEqual(names("tolower(name) eq 'seana brien'"), ['Seana Brien']);
    assert.deepEqual(names("mails/any(m:m eq 'maria@y.org')"), ['Maria Garcia']);
    assert.deepEqual(names('mails/any()'), ["Sean O'Brien", 'Maria Garcia']);
  });

  it('compares case-sensitively when the system does', () => {
    assert.deepEqual(names("name eq 'maria garcia'", { caseInsensitive: false }), []);
  });

  it('treats * as a wildcard only where the system does', () => {
    assert.deepEqual(names("name eq '*brien*'"), []);
    assert.deepEqual(names("name eq '*brien*'", { wildcardEq: true }), ["Sean O'Brien", 'Seana Brien']);
    assert.deepEqual(names("name eq 'Sean*'", { wildcardEq: true }), ["Sean O'Brien", 'Seana Brien']);
  });

  for (const bad of [
    '',
    "name eq 'open",
    'name eq',
    'eq 1',
    "name eq 'a' and",
    "(name eq 'a'",
    "name eq 'a')",
    "nosuch eq 'a'",
    "id eq '11111111-1111-4111-8111-111111111111'",
    "age eq 'forty'",
    "foo(name,'a')",
    'contains(name)',
    'name',
    "name eq 'a' xor age eq 1",
    'age add 1 eq 2',
    '#',
  ]) {
    it(`refuses ${JSON.stringify(bad)} with an ODataQueryError`, () => {
      assert.throws(() => filterPredicate(bad, schema), ODataQueryError);
    });
  }

  it('never throws anything but ODataQueryError on random input', () => {
    const alphabet = ["'", '(', ')', ' ', 'eq', 'and', 'or', 'name', '1', ',', '/', 'any', ':', 'x', 'null', '-', '.'];
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const length = 1 + Math.floor(random() * 12);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(' ');
      try {
        filterPredicate(text, schema)(people[0]!);
      } catch (error) {
        assert.ok(error instanceof ODataQueryError, `${text}: ${String(error)}`);
      }
    }
  });

  it('parses composite and single keys in resource paths', () => {
    assert.deepEqual(parsePath("/CustomersV3(dataAreaId='usmf',CustomerAccount='O''Neil%2F1')"), [
      { name: 'CustomersV3', key: { dataAreaId: 'usmf', CustomerAccount: "O'Neil/1" } },
    ]);
    assert.deepEqual(parsePath('/companies(11111111-1111-4111-8111-111111111111)/customers'), [
      { name: 'companies', key: '11111111-1111-4111-8111-111111111111' },
      { name: 'customers' },
    ]);
    assert.throws(() => parsePath("/Workers('E-1"), ODataQueryError);
  });

  it('exposes the parse tree', () => {
    assert.equal(parseFilter("a eq 'b'").kind, 'binary');
  });
});

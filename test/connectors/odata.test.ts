import { strict as assert } from 'node:assert';
import { compare, property, stringLiteral, UnsafeQueryError, withQuery } from '../../connectors/odata.js';
import { INJECTION } from './contract.js';

const dataverse = { wildcardEq: false, tolower: false };
const fno = { wildcardEq: true, tolower: false };

describe('OData filter building', () => {
  it("doubles quotes, so O'Brien and an injection attempt stay one literal", () => {
    assert.equal(stringLiteral("O'Brien"), "'O''Brien'");
    assert.equal(compare('fullname', INJECTION, 'exact', dataverse), "fullname eq 'x'' or 1 eq 1 or ''a'' eq ''a'");
  });

  it('writes each match mode the way the system understands it', () => {
    assert.equal(compare('fullname', 'Maria', 'wildcard', dataverse), "contains(fullname,'Maria')");
    assert.equal(
      compare('Name', 'Maria', 'case-insensitive', { wildcardEq: false, tolower: true }),
      "tolower(Name) eq 'maria'",
    );
    assert.equal(compare('Name', 'Maria', 'wildcard', fno), "Name eq '*Maria*'");
  });

  it('drops a value with * where eq means wildcard, rather than widening the match', () => {
    assert.equal(compare('Name', '*', 'exact', fno), undefined);
  });

  it('refuses a property name that is not one', () => {
    assert.throws(() => property('fullname eq 1 or x'), UnsafeQueryError);
  });

  it('encodes values in the URL, spaces as %20', () => {
    const url = withQuery('https://host/api/contacts', { $filter: "fullname eq 'A+B C&D'" });
    assert.equal(url, 'https://host/api/contacts?%24filter=fullname%20eq%20%27A%2BB%20C%26D%27');
  });
});

import { strict as assert } from 'node:assert';
import { needsAdvancedQuery } from '../../connectors/graphAdvancedQuery.js';
import { people, subjects } from '../../sandbox/seed.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { bearer, call } from '../sandbox/helpers.js';
import { connectorFor, query } from './contract.js';

const q = (value: string): string => encodeURIComponent(value);
const jordan = subjects.jordanLee;
const EVENTUAL = { ConsistencyLevel: 'eventual' };

describe('Graph advanced queries (ConsistencyLevel: eventual and $count)', () => {
  describe('what needs them', () => {
    it('the operators and properties the Learn page marks as advanced, never the values', () => {
      assert.equal(needsAdvancedQuery(`mail eq 'a@b.c' or userPrincipalName eq 'a@b.c'`), false);
      assert.equal(needsAdvancedQuery(`otherMails/any(x:x eq 'a@b.c') or employeeId eq 'E-1'`), false);
      assert.equal(needsAdvancedQuery(`endswith(mail,'@contoso.com')`), true);
      assert.equal(needsAdvancedQuery(`accountEnabled ne true`), true);
      assert.equal(needsAdvancedQuery(`not(accountEnabled eq true)`), true);
      assert.equal(needsAdvancedQuery(`mobilePhone eq '+1 206 555 0143'`), true);
      assert.equal(needsAdvancedQuery(`department eq null`), true);
      // A value that reads like an operator or an advanced property is only a value.
      assert.equal(needsAdvancedQuery(`mail eq 'x'' ne 1 or endswith(mobilePhone,null)'`), false);
      assert.equal(needsAdvancedQuery(`mail eq 'a@b.c'`, 'displayName'), true, '$filter with $orderby');
      assert.equal(needsAdvancedQuery(undefined, 'displayName'), false);
      assert.equal(needsAdvancedQuery(undefined, 'createdDateTime'), true);
    });
  });

  describe('the sandbox holds queries to the rules', () => {
    let sandbox: Sandbox;
    let auth: Record<string, string>;
    let graph: string;
    before(async () => {
      sandbox = await startSandbox();
      auth = await bearer(sandbox, sandbox.resources.graph);
      graph = sandbox.endpoints.graph;
    });
    after(() => sandbox.close());
    beforeEach(() => sandbox.reset());

    const users = (query: string, headers: Record<string, string> = {}) =>
      call(sandbox, `${graph}users?${query}`, { headers: { ...auth, ...headers } });

    it('answers what works by default without the parameters', async () => {
      const found = await users(`$filter=${q(`employeeId eq '${jordan.employeeId}'`)}`);
      assert.deepEqual(
        found.json.value.map((u) => u.id),
        [people.jordanLee],
      );
      const other = await users(`$filter=${q(`otherMails/any(m:m eq 'jordan.lee.home@example.net')`)}`);
      assert.equal(other.status, 200);
      // $count=true without the header is ignored, silently: no count in the answer.
      const counted = await users(`$filter=${q(`mail eq '${jordan.email}'`)}&$count=true`);
      assert.equal(counted.status, 200);
      assert.equal('@odata.count' in counted.json, false);
      const withHeader = await users(`$filter=${q(`mail eq '${jordan.email}'`)}&$count=true`, EVENTUAL);
      assert.equal(withHeader.json['@odata.count'], 1);
    });

    for (const [what, filter] of [
      ['ne', `accountEnabled ne true`],
      ['not', `not(accountEnabled eq true)`],
      ['endsWith', `endswith(mail,'@contoso.com')`],
      ['an advanced-only property', `mobilePhone eq '+1 206 555 0143'`],
      ['a comparison with null', `department eq null`],
    ]) {
      it(`refuses ${what} without both parameters, with Graph's error body, and answers with them`, async () => {
        const filter$ = `$filter=${q(filter!)}`;
        for (const [query, headers] of [
          [filter$, {}],
          [`${filter$}&$count=true`, {}],
          [filter$, EVENTUAL],
        ] as const) {
          const refused = await users(query, headers);
          assert.equal(refused.status, 400, `${query} ${JSON.stringify(headers)}`);
          assert.equal(refused.json.error.code, 'Request_UnsupportedQuery');
          assert.match(
            refused.json.error.message,
            /required parameters might be missing\. Try adding \$count=true query parameter and ConsistencyLevel:eventual header/,
          );
        }
        const answered = await users(`${filter$}&$count=true`, EVENTUAL);
        assert.equal(answered.status, 200, JSON.stringify(answered.json));
      });
    }

    it('refuses $filter with $orderby, and $search, without the parameters', async () => {
      const sorted = await users(`$filter=${q(`mail eq '${jordan.email}'`)}&$orderby=displayName`);
      assert.equal(sorted.status, 400);
      assert.equal(sorted.json.error.code, 'Request_UnsupportedQuery');
      const search = await users(`$search=${q('"displayName:Jordan"')}`);
      assert.equal(search.status, 400);
      assert.equal(search.json.error.code, 'Request_UnsupportedQuery');
      assert.match(search.json.error.message, /only works through MSGraph with a special request header/);
    });
  });

  describe('the connector sends them only where needed', () => {
    let sandbox: Sandbox;
    before(async () => {
      sandbox = await startSandbox();
    });
    after(() => sandbox.close());
    beforeEach(() => sandbox.reset());

    const userQueries = () =>
      sandbox
        .requests('graph')
        .filter((r) => r.path.endsWith('/users'))
        .map((r) => new URLSearchParams(r.query));

    it('searches by mail, UPN, otherMails and employeeId as a default query', async () => {
      const findings = await connectorFor(sandbox, 'graph').find(
        query({ emails: [jordan.email], employeeIds: [jordan.employeeId] }),
      );
      assert.equal(findings.status, 'found');
      assert.ok(findings.records.some((r) => r.kind === 'user'));
      const asked = userQueries();
      assert.ok(asked.length > 0);
      for (const params of asked) assert.equal(params.get('$count'), null, 'no advanced query where none is needed');
    });

    it('searches an organisation’s own field that needs it as an advanced query, and finds the person', async () => {
      const connector = connectorFor(sandbox, 'graph', {
        builtIn: false,
        entities: [
          {
            kind: 'user by mobile',
            entitySet: 'users',
            key: 'id',
            match: [{ field: 'mobilePhone', by: 'phone', mode: 'exact' }],
            show: ['displayName'],
          },
        ],
      });
      const findings = await connector.find(query({ phones: ['+1 206 555 0143'] }));
      assert.equal(findings.status, 'found', JSON.stringify(findings));
      assert.deepEqual(
        findings.records.map((r) => r.id),
        [people.jordanLee],
      );
      assert.deepEqual(
        userQueries().map((params) => params.get('$count')),
        ['true'],
      );
    });
  });
});

import { strict as assert } from 'node:assert';
import { API_SYSTEMS, BUILT_IN_ENTITIES } from '../../connectors/systems/index.js';
import { entitySchema } from '../../connectors/describe.js';
import { personFilters } from '../../connectors/engine.js';
import { stringLiteral } from '../../connectors/odata.js';
import { startSandbox, type Sandbox, type SystemId } from '../../sandbox/index.js';
import { bearer, call } from '../sandbox/helpers.js';
import { connectorFor, query } from './contract.js';

/**
 * Identifiers whose characters mean something to a URL or to OData. Each must reach every service
 * as one literal: found nowhere (no seeded record holds it), refused nowhere, widened nowhere.
 */
const HOSTILE = [
  "o'brien@example.org",
  "x' or 1 eq 1 or 'a' eq 'a",
  '100%',
  '50%41',
  'maria%27garcia',
  'a+b@example.org',
  'x#y',
  'a&$filter=true',
  "a'&$top=1",
  'maria.garcia_example.org#EXT#@contoso.onmicrosoft.com',
  'name with  two spaces',
];

const SANDBOX_SYSTEM: Record<(typeof API_SYSTEMS)[number], SystemId> = {
  crm: 'crm',
  bc: 'bc',
  fno: 'fno',
  hr: 'hr',
  graph: 'graph',
};

/** The `$filter` a service read, decoded as the service decodes its query string. */
function filtersRead(sandbox: Sandbox, system: SystemId): string[] {
  return sandbox
    .requests(system)
    .map((r) => new URLSearchParams(r.query).get('$filter'))
    .filter((f): f is string => f !== null);
}

describe('hostile identifiers through every connector', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  for (const system of API_SYSTEMS) {
    it(`${system}: every character stays one literal, and nothing is found or refused`, async () => {
      const connector = connectorFor(sandbox, system);
      for (const value of HOSTILE) {
        sandbox.clearRequests();
        const findings = await connector.find(
          query({ names: [value], emails: [value], customerNumbers: [value], employeeIds: [value], phones: [value] }),
        );
        assert.equal(findings.status, 'nothing', `${value}: ${findings.error ?? JSON.stringify(findings.counts)}`);
        const log = sandbox.requests(SANDBOX_SYSTEM[system]);
        assert.ok(
          log.every((r) => r.status === 200),
          `${value}: ${log.map((r) => `${r.status} ${r.query}`).join('\n')}`,
        );
        const read = filtersRead(sandbox, SANDBOX_SYSTEM[system]);
        // F&O reads `*` as a wildcard, so a value with one is not sent; none here has one.
        assert.ok(
          read.some((filter) => filter.includes(stringLiteral(value))),
          `${value} did not arrive as one literal: ${read.join(' | ')}`,
        );
      }
    });
  }
});

describe("Business Central's filter rules", () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  const customers = async (filter: string) => {
    const companies = await call(sandbox, `${sandbox.endpoints.businessCentral}companies`, {
      headers: await bearer(sandbox, sandbox.resources.businessCentral),
    });
    const company = (companies.json.value as { id: string }[])[0]!.id;
    return call(
      sandbox,
      `${sandbox.endpoints.businessCentral}companies(${company})/customers?$filter=${encodeURIComponent(filter)}`,
      { headers: await bearer(sandbox, sandbox.resources.businessCentral) },
    );
  };
  const customer = entitySchema.parse(BUILT_IN_ENTITIES.bc[0]);
  const person = query({ names: ['Maria Garcia'], emails: ['maria.garcia@example.org'], customerNumbers: ['C00010'] });

  it("refuses a connector that sends 'or' across fields, with the service's own message", async () => {
    const [across] = personFilters(customer, person, { wildcardEq: false, tolower: false });
    const refused = await customers(across!);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /The 'OR' operator is not supported on distinct fields/);
  });

  it('accepts every filter the connector sends: one per field, run at once, merged by key', async () => {
    const filters = personFilters(customer, person, {
      wildcardEq: false,
      tolower: false,
      orAcrossFields: false,
      caseSensitive: true,
    });
    assert.ok(filters.length >= 3, filters.join(' | '));
    for (const filter of filters) assert.equal((await customers(filter)).status, 200, filter);
    const connector = connectorFor(sandbox, 'bc');
    const findings = await connector.find(person);
    assert.equal(findings.status, 'found', findings.error);
    // Found by email, name and number alike: counted once.
    assert.equal(findings.counts.customer, 1);
  });

  it('finds an email typed in capitals, which the service compares as written', async () => {
    const connector = connectorFor(sandbox, 'bc');
    const findings = await connector.find(query({ emails: ['MARIA.GARCIA@EXAMPLE.ORG'] }));
    assert.equal(findings.counts.customer, 1, findings.error);
    const exact = await customers("email eq 'MARIA.GARCIA@EXAMPLE.ORG'");
    assert.equal(exact.json.value.length, 0, 'the service itself does not fold case');
  });
});

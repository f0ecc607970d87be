import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_SYSTEMS, BUILT_IN_ENTITIES, SYSTEM_METADATA, type ApiSystemId } from '../../connectors/systems/index.js';
import { checkConformance, describeProblem } from '../../connectors/conformance.js';
import { entitySchema, type EntityInput } from '../../connectors/describe.js';
import { metadataOf, readMetadata } from '../../connectors/metadata.js';
import { loadConnectorFile, parseConnectorConfig } from '../../connectors/registry.js';

const example = fileURLToPath(new URL('../../../connectors.example.json', import.meta.url));

function problemsOf(system: ApiSystemId, entities: EntityInput[]) {
  const parsed = entities.map((e) => entitySchema.parse(e));
  const result = checkConformance(parsed, metadataOf(SYSTEM_METADATA[system]).entitySets);
  return { ...result, messages: result.problems.map((p) => describeProblem(system, p)) };
}

describe('conformance of the connector descriptions to the published metadata', () => {
  for (const system of API_SYSTEMS) {
    it(`${system}: every entity set, key, field, navigation and write of the built-in description is published`, () => {
      assert.deepEqual(problemsOf(system, BUILT_IN_ENTITIES[system]).messages, []);
    });
  }

  it('uses a column of an optional solution only where it is known to be one', () => {
    const columns = API_SYSTEMS.flatMap((system) =>
      problemsOf(system, BUILT_IN_ENTITIES[system]).solutionColumns.map((c) => `${system}:${c.entitySet}.${c.field}`),
    );
    // msdyn_gdproptout comes with Project Service Automation (CDM projectCommon), not with every environment.
    assert.deepEqual([...new Set(columns)].sort(), ['crm:contacts.msdyn_gdproptout', 'crm:leads.msdyn_gdproptout']);
  });

  it('holds connectors.example.json to the metadata: its built-in parts conform, its own tables are named', () => {
    const systems = parseConnectorConfig(loadConnectorFile(example), example);
    assert.ok(systems.length > 0);
    for (const { id, entities } of systems) {
      const { problems } = checkConformance(entities, metadataOf(SYSTEM_METADATA[id]).entitySets);
      const builtIn = new Set(BUILT_IN_ENTITIES[id].map((e) => e.kind));
      // The organisation's own tables are not in Microsoft's metadata: they are checked against the
      // live service at start. Every problem must be one of them, never a built-in kind.
      for (const problem of problems) {
        assert.ok(!builtIn.has(problem.kind), describeProblem(id, problem));
        assert.equal(problem.field, '');
        assert.match(problem.reason, /no entity set/);
      }
    }
  });

  it('fails a description that names a field the metadata lacks, naming system, entity and field', () => {
    const contact = BUILT_IN_ENTITIES.crm[0]!;
    const { messages } = problemsOf('crm', [{ ...contact, show: ['fullname', 'emailaddress9'] }]);
    assert.deepEqual(messages, [
      'crm: contacts (contact): emailaddress9: show: the metadata has no property of this name on Microsoft.Dynamics.CRM.contact',
    ]);
  });

  it('fails a deletion through activitypointers, which Dataverse does not allow', () => {
    const [contact, , , activity] = BUILT_IN_ENTITIES.crm as [EntityInput, EntityInput, EntityInput, EntityInput];
    assert.equal(activity.kind, 'activity');
    const { deleteThrough: _dropped, ...plain } = activity;
    const { messages } = problemsOf('crm', [contact, plain]);
    assert.deepEqual(messages, [
      "crm: activitypointers (activity): operations.delete: Microsoft.Dynamics.CRM.activitypointer cannot be deleted through 'activitypointers'",
    ]);
  });

  it('fails a correction of a field the API page makes read-only, and an unknown entity set', () => {
    const customer = BUILT_IN_ENTITIES.bc[0]!;
    const { messages } = problemsOf('bc', [
      { ...customer, changes: { rectify: ['balanceDue'] } },
      {
        kind: 'payroll',
        entitySet: 'payrollEntries',
        key: 'id',
        match: [{ field: 'email', by: 'email' }],
        show: ['id'],
      },
    ]);
    assert.deepEqual(messages, [
      'bc: customers (customer): balanceDue: rectify: the property is read-only',
      'bc: payrollEntries (payroll): the metadata has no entity set of this name',
    ]);
  });

  it('records each file with its source repository, commit, date and licence', () => {
    for (const service of ['graph', 'bc', 'dataverse', 'fno'] as const) {
      const { source } = metadataOf(service);
      assert.match(source.repository, /^https:\/\/github\.com\/(microsoftgraph|microsoft)\//);
      assert.match(source.commit, /^[0-9a-f]{40}$/);
      assert.match(source.committed, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(source.licence.length > 0 && source.paths.length > 0);
    }
  });
});

describe('a metadata file that is missing, malformed or too old', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-metadata-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops with a message naming the missing file', () => {
    assert.throws(
      () => readMetadata('graph', { dir }),
      (error: Error) => {
        assert.match(error.message, new RegExp(`${join(dir, 'graph.json')}: the metadata file is missing`));
        return true;
      },
    );
  });

  it('stops with a message naming a file that is not JSON', async () => {
    await writeFile(join(dir, 'bc.json'), '{ "format": 1, ');
    assert.throws(() => readMetadata('bc', { dir }), /bc\.json: not valid JSON/);
  });

  it('stops with a message naming a file of an older format or without what a description needs', async () => {
    const current = metadataOf('dataverse');
    await writeFile(join(dir, 'dataverse.json'), JSON.stringify({ ...current, format: 0 }));
    assert.throws(() => readMetadata('dataverse', { dir }), /dataverse\.json: format 0 is older than 1/);
    const { activityparties: _gone, ...older } = current.entitySets;
    await writeFile(join(dir, 'dataverse.json'), JSON.stringify({ ...current, entitySets: older }));
    assert.throws(
      () => readMetadata('dataverse', { dir, needs: { activityparties: ['addressused'] } }),
      /dataverse\.json: has no entity set 'activityparties', which is needed/,
    );
    await writeFile(join(dir, 'dataverse.json'), JSON.stringify({ ...current, entitySets: { contacts: {} } }));
    assert.throws(() => readMetadata('dataverse', { dir }), /dataverse\.json: malformed at entitySets\.contacts\.type/);
  });
});

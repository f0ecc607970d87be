import { strict as assert } from 'node:assert';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import { ConnectorConfigError, ConnectorRegistry } from '../../connectors/registry.js';
import { entitySetsOfCsdl } from '../../connectors/liveMetadata.js';
import { EVERY_RECORD } from '../../dsr/matching.js';
import { startSandbox, subjects, type Sandbox } from '../../sandbox/index.js';
import { bearer, call } from '../sandbox/helpers.js';
import { listed, query } from './contract.js';

const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000 };
const maria = subjects.mariaGarcia;

describe('the live $metadata check at start', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  /** A registry of one system as the sandbox serves it, with the organisation's own entities added. */
  function registryOf(system: 'crm' | 'bc' | 'fno' | 'hr' | 'graph', entities: unknown[] = []): ConnectorRegistry {
    const settings = sandboxConnectorSettings(sandbox);
    const config = { ...settings.config.systems![system]!, entities };
    return ConnectorRegistry.fromConfig(
      { systems: { [system]: config } },
      { source: 'connectors.json', credentials: settings.credentials, caPem: settings.caPem, retry: FAST_RETRY },
    );
  }

  it('the sandbox serves each OData service its CSDL, without the columns of solutions not installed', async () => {
    const roots = {
      crm: [sandbox.endpoints.dataverse, sandbox.resources.dataverse],
      bc: [sandbox.endpoints.businessCentral, sandbox.resources.businessCentral],
      fno: [sandbox.endpoints.financeOperations, sandbox.resources.financeOperations],
      hr: [sandbox.endpoints.humanResources, sandbox.resources.humanResources],
      graph: [sandbox.endpoints.graph, sandbox.resources.graph],
    } as const;
    const sets: Record<string, string[]> = {};
    for (const [system, [root, resource]] of Object.entries(roots)) {
      const answer = await call(sandbox, `${root}$metadata`, { headers: await bearer(sandbox, resource) });
      assert.equal(answer.status, 200, system);
      assert.match(answer.text, /^<\?xml/);
      sets[system] = Object.keys(entitySetsOfCsdl(answer.text));
    }
    assert.ok(sets.crm!.includes('contacts') && sets.crm!.includes('emails'));
    assert.ok(sets.bc!.includes('customers'));
    assert.ok(sets.fno!.includes('CustomersV3') && sets.hr!.includes('Workers'));
    assert.ok(sets.graph!.includes('users'));

    const auth = await bearer(sandbox, sandbox.resources.dataverse);
    const full = entitySetsOfCsdl(
      (await call(sandbox, `${sandbox.endpoints.dataverse}$metadata`, { headers: auth })).text,
    );
    assert.ok('msdyn_gdproptout' in full.contacts!.properties);
    sandbox.setSwitches({ crm: { solutions: ['Marketing'] } });
    const without = entitySetsOfCsdl(
      (await call(sandbox, `${sandbox.endpoints.dataverse}$metadata`, { headers: auth })).text,
    );
    assert.equal('msdyn_gdproptout' in without.contacts!.properties, false);
    assert.ok('_msdyncrm_emailid_value' in without.contacts!.properties, 'Marketing is installed');
  });

  it('stops the start on an own entity naming a field the live service lacks, with the file, the entry and the reason', async () => {
    const registry = registryOf('crm', [
      {
        kind: 'loyalty contact',
        entitySet: 'contacts',
        key: 'contactid',
        match: [{ field: 'emailaddress1', by: 'email' }],
        show: ['fullname', 'new_loyaltytier'],
      },
    ]);
    const warnings: string[] = [];
    await assert.rejects(
      registry.checkLiveMetadata((message) => warnings.push(message)),
      (error: unknown) =>
        error instanceof ConnectorConfigError &&
        error.problems.length === 1 &&
        /^connectors\.json: systems\.crm\.entities\[0\] \(loyalty contact\): new_loyaltytier: show: .*live service's \$metadata/.test(
          error.problems[0]!,
        ),
    );
    assert.deepEqual(warnings, []);
  });

  it('accepts own entities the live service has', async () => {
    const registry = registryOf('crm', [
      {
        kind: 'contact by phone',
        entitySet: 'contacts',
        key: 'contactid',
        match: [{ field: 'mobilephone', by: 'phone', mode: 'exact' }],
        show: ['fullname'],
      },
    ]);
    const warnings: string[] = [];
    await registry.checkLiveMetadata((message) => warnings.push(message));
    assert.deepEqual(warnings, []);
  });

  it('leaves out a missing column of an optional solution with one warning, and searches and restricts without it', async () => {
    sandbox.setSwitches({ crm: { solutions: ['Marketing'] } });
    const unchecked = registryOf('crm');
    const failing = await unchecked.get('crm')!.find(query({ emails: [maria.email] }));
    assert.equal(failing.status, 'failed', 'without the check every search names the missing column');

    const registry = registryOf('crm');
    const warnings: string[] = [];
    await registry.checkLiveMetadata((message) => warnings.push(message));
    await registry.checkLiveMetadata((message) => warnings.push(message));
    const gdpr = warnings.filter((w) => w.includes('msdyn_gdproptout'));
    assert.deepEqual(
      gdpr.map((w) => /of (\w+) comes with the optional solution 'Project Service Automation'/.exec(w)?.[1]),
      ['contacts', 'leads'],
      'one warning per description, and the $metadata is read once',
    );
    assert.equal(sandbox.requests('crm').filter((r) => r.path.endsWith('$metadata')).length, 1);

    const connector = registry.get('crm')!;
    const found = await connector.find(query({ emails: [maria.email] }));
    assert.equal(found.status, 'found', JSON.stringify(found));
    const preview = await listed(connector.changes!).previewChange(
      { right: 'restrict', mode: 'flag' },
      query({ emails: [maria.email] }),
      EVERY_RECORD,
    );
    const fields = new Set(preview.targets.flatMap((t) => t.changes.map((c) => c.field)));
    assert.ok(fields.has('donotemail'), 'the restriction relies on the other flags');
    assert.equal(fields.has('msdyn_gdproptout'), false);
  });

  it('warns and goes on when a service cannot be reached', async () => {
    sandbox.setSwitches({ bc: { disconnected: true } });
    const warnings: string[] = [];
    await registryOf('bc').checkLiveMetadata((message) => warnings.push(message), 2_000);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Business Central: its \$metadata could not be read/);
  });
});

import assert from 'node:assert/strict';
import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import { ConnectorRegistry } from '../../connectors/registry.js';
import { CachedManagerDirectory } from '../../dsr/reminders/managers.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { people } from '../../sandbox/seed.js';

describe('managers from Microsoft Graph, through the Graph connection', () => {
  let sandbox: Sandbox;
  let directory: CachedManagerDirectory;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  beforeEach(() => {
    const local = sandboxConnectorSettings(sandbox);
    const registry = ConnectorRegistry.fromConfig(local.config, {
      source: 'test',
      credentials: local.credentials,
      caPem: local.caPem,
    });
    directory = new CachedManagerDirectory({
      configured: { [people.meganBowen]: people.adeleVance },
      lookup: registry.managerLookup()!,
    });
    sandbox.clearRequests();
  });

  it('asks /users/{id}/manager once and remembers the answer', async () => {
    assert.deepEqual(await directory.managerOf(people.alexWilber), { id: people.isaiahLanger, name: 'Isaiah Langer' });
    assert.equal((await directory.managerOf(people.alexWilber))?.id, people.isaiahLanger);
    const asked = sandbox.requests('graph').filter((r) => r.path.endsWith('/manager'));
    assert.equal(asked.length, 1);
  });

  it('prefers the configured manager, and has none for a user Graph has none for', async () => {
    assert.equal((await directory.managerOf(people.meganBowen))?.id, people.adeleVance);
    assert.equal(await directory.managerOf(people.isaiahLanger), undefined);
  });
});

import assert from 'node:assert/strict';
import { GraphManagerDirectory } from '../../connectors/graphManagers.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { people } from '../../sandbox/seed.js';
import { tokenFor } from '../sandbox/helpers.js';

describe('managers from Microsoft Graph', () => {
  let sandbox: Sandbox;
  let directory: GraphManagerDirectory;
  let tokens = 0;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  beforeEach(() => {
    tokens = 0;
    directory = new GraphManagerDirectory({
      graphUrl: sandbox.endpoints.graph,
      caPem: sandbox.caCertPem,
      configured: { [people.meganBowen]: people.adeleVance },
      getToken: async () => {
        tokens += 1;
        const result = await tokenFor(sandbox, sandbox.resources.graph);
        return String(result.json.access_token);
      },
    });
  });

  it('asks /users/{id}/manager once and remembers the answer', async () => {
    assert.equal(await directory.managerOf(people.alexWilber), people.isaiahLanger);
    assert.equal(await directory.managerOf(people.alexWilber), people.isaiahLanger);
    assert.equal(tokens, 1);
  });

  it('prefers the configured manager, and has none for a user Graph has none for', async () => {
    assert.equal(await directory.managerOf(people.meganBowen), people.adeleVance);
    assert.equal(await directory.managerOf(people.isaiahLanger), undefined);
  });
});

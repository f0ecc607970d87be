import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectorConfigError, ConnectorRegistry } from '../../connectors/registry.js';
import { query } from './contract.js';

describe('the connector registry', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-connectors-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows unconfigured systems as not connected, with the guide’s manual steps', async () => {
    const registry = ConnectorRegistry.fromConfig({}, { source: 'empty' });
    const ids = registry.all().map((c) => c.info.id);
    assert.deepEqual(ids, ['crm', 'bc', 'fno', 'hr', 'graph', 'social', 'powerbi', 'logs']);
    for (const connector of registry.all()) {
      const findings = await connector.find(query({ names: ['Maria Garcia'] }));
      assert.equal(findings.status, 'not-connected', connector.info.id);
      assert.ok((findings.manualSteps ?? []).length > 0, `${connector.info.id} has manual steps`);
    }
    const social = await registry.get('social')!.find(query({}));
    assert.match(JSON.stringify(social.manualSteps), /author/i);
    const logs = await registry.get('logs')!.find(query({}));
    assert.match(JSON.stringify(logs.manualSteps), /Service Trust Portal/);
  });

  it('reports every wrong entry at start with the file, the entry and the reason', async () => {
    const file = join(dir, 'connectors.json');
    await writeFile(
      file,
      JSON.stringify({
        systems: {
          crm: {
            url: 'https://contoso.crm4.dynamics.com/api/data/v9.2/',
            resource: 'https://contoso.crm4.dynamics.com',
            entities: [
              { kind: 'loyalty card', entitySet: 'new_loyaltycards', key: 'new_loyaltycardid', show: ['new_number'] },
              {
                kind: 'donation',
                entitySet: 'new_donations',
                key: 'new_donationid',
                match: [{ field: "new_email') or (1 eq 1", by: 'email' }],
                show: ['new_amount'],
              },
              {
                kind: 'visit',
                entitySet: 'new_visits',
                key: 'new_visitid',
                related: { to: 'member', field: '_new_member_value' },
                show: ['new_date'],
              },
            ],
          },
          bc: { url: 'http://bc.example.com/', resource: 'https://api.businesscentral.dynamics.com' },
        },
      }),
    );
    let error: unknown;
    try {
      ConnectorRegistry.fromFile(file, {});
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ConnectorConfigError);
    const text = error.problems.join('\n');
    assert.match(text, new RegExp(`${file.replace(/[\\.]/g, '\\$&')}: systems\\.bc\\.url: must be an https URL`));
    assert.match(text, /systems\.crm\.entities\[0\] \(loyalty card\): entry: give `match`/);
    assert.match(text, /systems\.crm\.entities\[1\] \(donation\): match\[0\]\.field: must be a plain property name/);
    // The first two entries were refused, so the third is the only custom one the set check sees.
    assert.match(text, /related\.to names 'member', which is not described/);
  });

  it('accepts the documented example, custom tables included', () => {
    const example = fileURLToPath(new URL('../../../connectors.example.json', import.meta.url));
    const registry = ConnectorRegistry.fromFile(example, {
      credentials: { tenantId: 'contoso.onmicrosoft.com', clientId: 'app', clientSecret: 'secret' },
    });
    assert.deepEqual(
      registry.all().map((c) => `${c.info.id}:${c.connected}`),
      ['crm:true', 'bc:true', 'fno:true', 'hr:true', 'graph:true', 'social:false', 'powerbi:false', 'logs:false'],
    );
  });

  it('names the file that cannot be read or parsed', () => {
    assert.throws(
      () => ConnectorRegistry.fromFile(join(dir, 'missing.json'), {}),
      (e: unknown) => e instanceof ConnectorConfigError && /missing\.json: the file cannot be read/.test(e.message),
    );
  });
});

import { strict as assert } from 'node:assert';
import { EVERY_RECORD } from '../../dsr/matching.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { connectorFor, query } from './contract.js';

describe('changes: records a system keeps', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  it('keeps a Business Central customer with an outstanding invoice, and says why, instead of failing to delete it', async () => {
    const changes = connectorFor(sandbox, 'bc').changes!;
    const preview = await changes.previewChange(
      { right: 'delete' },
      query({ customerNumbers: ['C00020'] }),
      EVERY_RECORD,
    );
    assert.deepEqual(preview.targets, []);
    const kinds = preview.retained.map((r) => r.kind).sort();
    assert.deepEqual(kinds, ['customer', 'sales invoice']);
    const customer = preview.retained.find((r) => r.kind === 'customer')!;
    assert.match(customer.reason, /outstanding posted invoice/);
    // The card puts the kind in front of the label, so the label does not say it again.
    assert.match(customer.label, /^C00020 · /);
    assert.ok(!sandbox.requests('bc').some((r) => r.method === 'DELETE'), 'nothing deleted by a preview');
  });

  it('leaves a Customer Engagement restriction in mode `flag` as flags, not a deletion', async () => {
    const changes = connectorFor(sandbox, 'crm').changes!;
    const preview = await changes.previewChange(
      { right: 'restrict', mode: 'flag' },
      query({ emails: ['maria.garcia@example.org'] }),
      EVERY_RECORD,
    );
    assert.deepEqual(
      preview.targets.map((t) => t.kind),
      ['contact'],
    );
    const fields = preview.targets[0]!.changes.map((c) => c.field);
    assert.ok(fields.includes('donotemail') && fields.includes('msdyn_gdproptout'), fields.join());
    assert.deepEqual(preview.guided, []);
  });
});

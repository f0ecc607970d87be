import { strict as assert } from 'node:assert';
import { API_SYSTEM_LIST, API_SYSTEMS, BUILT_IN_ENTITIES } from '../../connectors/systems/index.js';
import { inEnglish } from '../../i18n/index.js';
import { entitySchema, type EntityInput } from '../../connectors/describe.js';
import { ConnectorRegistry } from '../../connectors/registry.js';

const contact: EntityInput = {
  kind: 'member',
  entitySet: 'new_members',
  key: 'new_memberid',
  match: [{ field: 'new_email', by: 'email' }],
  show: ['new_name'],
  operations: { export: true, rectify: true, restrict: true, delete: true },
};

const problems = (input: unknown): string[] => {
  const parsed = entitySchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('entity descriptions: what a change may do', () => {
  it('takes the fields a correction may name, the values a restriction sets and the records kept', () => {
    const parsed = entitySchema.parse({
      ...contact,
      changes: {
        rectify: ['new_email', 'new_phone'],
        restrict: { new_donotcontact: true, new_status: 'Blocked' },
        retain: [{ field: 'new_status', in: ['Paid'], reason: 'Kept for tax law.' }],
      },
    });
    assert.deepEqual(parsed.changes.rectify, ['new_email', 'new_phone']);
    assert.deepEqual(parsed.changes.restrict, { new_donotcontact: true, new_status: 'Blocked' });
    assert.equal(parsed.changes.retain[0]!.keepsOwner, false);
  });

  it('defaults to changing nothing, so an existing description still reads the same', () => {
    const parsed = entitySchema.parse(contact);
    assert.deepEqual(parsed.changes, { rectify: [], restrict: {}, retain: [] });
  });

  it('refuses rules for an operation the entity does not allow, unknown keys and unsafe names', () => {
    const readOnly = { ...contact, operations: { export: true } };
    assert.match(problems({ ...readOnly, changes: { rectify: ['new_email'] } }).join(), /operations\.rectify/);
    assert.match(problems({ ...readOnly, changes: { restrict: { new_flag: true } } }).join(), /operations\.restrict/);
    assert.match(problems({ ...contact, changes: { erase: true } }).join(), /erase/);
    assert.match(problems({ ...contact, changes: { rectify: ["x') or (1 eq 1"] } }).join(), /plain property name/);
    assert.match(problems({ ...contact, changes: { restrict: { new_flag: { nested: 1 } } } }).join(), /restrict/);
  });

  it('needs a reason for every record kept, and a field with its values or neither', () => {
    assert.match(problems({ ...contact, changes: { retain: [{ field: 'new_status' }] } }).join(), /reason/);
    assert.match(
      problems({ ...contact, changes: { retain: [{ field: 'new_status', reason: 'Kept.' }] } }).join(),
      /`field` together with `in` or `notIn`/,
    );
    assert.match(
      problems({ ...contact, changes: { retain: [{ in: ['Paid'], reason: 'Kept.' }] } }).join(),
      /`field` together with `in` or `notIn`/,
    );
    assert.deepEqual(problems({ ...contact, changes: { retain: [{ reason: 'Always kept.' }] } }), []);
  });

  it('lets only a related record keep its owner', () => {
    const rule = { field: 'status', in: ['Open'], reason: 'Open invoice.', keepsOwner: true };
    assert.match(problems({ ...contact, changes: { retain: [rule] } }).join(), /keepsOwner/);
    const invoice = {
      kind: 'invoice',
      entitySet: 'invoices',
      key: 'id',
      related: { to: 'member', field: 'memberId' },
      show: ['number'],
      changes: { retain: [rule] },
    };
    assert.deepEqual(problems(invoice), []);
  });

  it('describes every built-in system validly, with a reason for each record kept in every language', () => {
    for (const id of API_SYSTEMS) {
      for (const entity of BUILT_IN_ENTITIES[id]) {
        const parsed = entitySchema.parse(entity);
        for (const rule of parsed.changes.retain) {
          assert.ok(rule.reason.length > 30, `${id} ${parsed.kind}`);
          // The English the letter and the audit trail read is the catalogue's English, word for word.
          assert.ok(rule.said, `${id} ${parsed.kind} names no catalogue reason`);
          assert.equal(inEnglish(rule.said), rule.reason, `${id} ${parsed.kind}`);
        }
      }
    }
    for (const system of API_SYSTEM_LIST)
      for (const [kind, step] of Object.entries(system.deleteByHand ?? {})) {
        assert.ok(step.said, `${system.id} ${kind}`);
        assert.equal(inEnglish(step.said), step.text, `${system.id} ${kind}`);
      }
  });

  it("shows an organisation's own reason as written, and names only a reason the catalogue holds", () => {
    const own = { field: 'new_status', in: ['Paid'], reason: 'Kept for tax law.' };
    assert.deepEqual(problems({ ...contact, changes: { retain: [own] } }), []);
    const named = (key: string) => problems({ ...contact, changes: { retain: [{ ...own, said: { key } }] } }).join();
    assert.equal(named('change.keptReasons.postedDocument'), '');
    assert.match(named('change.keptReasons.madeUp'), /catalogue does not hold/);
    assert.match(named('refusals.plan.onlyTeam'), /change\.keptReasons/);
    assert.match(
      problems({
        ...contact,
        changes: { retain: [{ ...own, said: { key: 'change.keptReasons.postedDocument', x: 1 } }] },
      }).join(),
      /Unrecognized key/,
    );
  });

  it('gives a connected system change support exactly where its entities allow a change', () => {
    const registry = ConnectorRegistry.fromConfig(
      {
        systems: {
          crm: {
            url: 'https://contoso.crm4.dynamics.com/api/data/v9.2/',
            resource: 'https://contoso.crm4.dynamics.com',
          },
          fno: {
            url: 'https://contoso.operations.dynamics.com/data/',
            resource: 'https://contoso.operations.dynamics.com',
            builtIn: false,
            entities: [{ ...contact, operations: { export: true } }],
          },
        },
      },
      { source: 'test', credentials: { tenantId: 'contoso.onmicrosoft.com', clientId: 'c', clientSecret: 's' } },
    );
    assert.ok(registry.get('crm')!.changes);
    assert.equal(registry.get('fno')!.changes, undefined);
    assert.equal(registry.get('social')!.changes, undefined);
  });
});

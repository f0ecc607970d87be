import { z } from 'zod';
import { json, parseJsonBody, ServiceError, type Reply, type SystemRequest } from '../http.js';
import { text, type JsonRecord, type PropType } from '../odata/filter.js';
import { parsePath } from '../odata/keys.js';
import type { EntitySetDef } from '../odata/query.js';
import { conformDefs } from '../odata/conform.js';
import { ODataService, type Binding } from '../odata/service.js';
import { BulkSource, Table, type EntityRow } from '../odata/store.js';
import { crmSeed, subjects } from '../seed.js';
import { bulkGuid, bulkGuidIndex, isoFromIndex, type SandboxCore, type SystemService } from './common.js';

export const DATAVERSE_PREFIX = '/crm';
export const DATAVERSE_API_PATH = '/api/data/v9.2';
/** Dataverse never returns more than 5000 rows per page. */
export const DATAVERSE_MAX_PAGE_SIZE = 5000;

const consent: Record<string, PropType> = {
  donotemail: 'boolean',
  donotbulkemail: 'boolean',
  donotphone: 'boolean',
  donotpostalmail: 'boolean',
  donotfax: 'boolean',
  msdyn_gdproptout: 'boolean',
};

const ns = 'Microsoft.Dynamics.CRM';

/**
 * The activity types the sandbox holds besides email, each its own entity set over the shared
 * activity table: Dataverse deletes and updates an activity only through its type's set, never
 * through activitypointers (Learn, activitypointer table reference: Retrieve, RetrieveMultiple, Rollup).
 */
const ACTIVITY_TYPES: Record<string, string> = {
  tasks: 'task',
  phonecalls: 'phonecall',
  appointments: 'appointment',
  letters: 'letter',
  faxes: 'fax',
};

/** The columns every activity shares, whether read through activitypointers or through its type's set. */
const ACTIVITY_PROPERTIES: Record<string, PropType> = {
  activityid: 'guid',
  activitytypecode: 'string',
  subject: 'string',
  description: 'string',
  _regardingobjectid_value: 'guid',
  statecode: 'number',
  createdon: 'datetime',
  actualend: 'datetime',
};

const ACTIVITY_TYPE_SETS: Record<string, EntitySetDef> = Object.fromEntries(
  Object.entries(ACTIVITY_TYPES).map(([set, type]) => [
    set,
    {
      name: set,
      typeName: `${ns}.${type}`,
      key: ['activityid'],
      properties: ACTIVITY_PROPERTIES,
    },
  ]),
);

export function createDataverse(core: SandboxCore): SystemService {
  const tables = {
    contacts: new Table('contacts', ['contactid'], core.clock),
    leads: new Table('leads', ['leadid'], core.clock),
    accounts: new Table('accounts', ['accountid'], core.clock),
    activities: new Table('activities', ['activityid'], core.clock),
    activityparties: new Table('activityparties', ['activitypartyid'], core.clock),
    annotations: new Table('annotations', ['annotationid'], core.clock),
  };
  let interactions: JsonRecord[] = [];

  const rowsWhere = (table: Table, test: (data: JsonRecord) => boolean): EntityRow[] =>
    [...table.values()].filter((row) => test(row.data));

  const defs: Record<string, EntitySetDef> = {
    contacts: {
      name: 'contacts',
      typeName: `${ns}.contact`,
      key: ['contactid'],
      properties: {
        contactid: 'guid',
        firstname: 'string',
        lastname: 'string',
        fullname: 'string',
        emailaddress1: 'string',
        emailaddress2: 'string',
        emailaddress3: 'string',
        telephone1: 'string',
        mobilephone: 'string',
        birthdate: 'date',
        address1_line1: 'string',
        address1_city: 'string',
        address1_postalcode: 'string',
        address1_country: 'string',
        _parentcustomerid_value: 'guid',
        statecode: 'number',
        createdon: 'datetime',
        modifiedon: 'datetime',
        ...consent,
      },
      navigation: {
        Contact_Annotation: {
          target: 'annotations',
          collection: true,
          related: (parent) => rowsWhere(tables.annotations, (note) => note._objectid_value === parent.contactid),
        },
        Contact_ActivityPointers: {
          target: 'activitypointers',
          collection: true,
          related: (parent) =>
            rowsWhere(tables.activities, (activity) => activity._regardingobjectid_value === parent.contactid),
        },
      },
    },
    leads: {
      name: 'leads',
      typeName: `${ns}.lead`,
      key: ['leadid'],
      properties: {
        leadid: 'guid',
        firstname: 'string',
        lastname: 'string',
        fullname: 'string',
        emailaddress1: 'string',
        telephone1: 'string',
        mobilephone: 'string',
        companyname: 'string',
        subject: 'string',
        statecode: 'number',
        createdon: 'datetime',
        ...consent,
      },
    },
    accounts: {
      name: 'accounts',
      typeName: `${ns}.account`,
      key: ['accountid'],
      properties: {
        accountid: 'guid',
        name: 'string',
        emailaddress1: 'string',
        telephone1: 'string',
        address1_city: 'string',
        _primarycontactid_value: 'guid',
      },
    },
    activitypointers: {
      name: 'activitypointers',
      typeName: `${ns}.activitypointer`,
      key: ['activityid'],
      properties: ACTIVITY_PROPERTIES,
    },
    emails: {
      name: 'emails',
      typeName: `${ns}.email`,
      key: ['activityid'],
      properties: {
        activityid: 'guid',
        subject: 'string',
        description: 'string',
        _regardingobjectid_value: 'guid',
        sender: 'string',
        torecipients: 'string',
        directioncode: 'boolean',
        statecode: 'number',
        createdon: 'datetime',
        actualend: 'datetime',
      },
      navigation: {
        email_activity_parties: {
          target: 'activityparties',
          collection: true,
          related: (parent) =>
            rowsWhere(tables.activityparties, (party) => party._activityid_value === parent.activityid),
        },
      },
    },
    ...ACTIVITY_TYPE_SETS,
    activityparties: {
      name: 'activityparties',
      typeName: `${ns}.activityparty`,
      key: ['activitypartyid'],
      properties: {
        activitypartyid: 'guid',
        _activityid_value: 'guid',
        _partyid_value: 'guid',
        participationtypemask: 'number',
        addressused: 'string',
      },
    },
    annotations: {
      name: 'annotations',
      typeName: `${ns}.annotation`,
      key: ['annotationid'],
      properties: {
        annotationid: 'guid',
        subject: 'string',
        notetext: 'string',
        _objectid_value: 'guid',
        objecttypecode: 'string',
        filename: 'string',
        mimetype: 'string',
        createdon: 'datetime',
      },
    },
  };

  const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const fullname = (data: JsonRecord): JsonRecord => ({
    ...data,
    fullname: [text(data.firstname), text(data.lastname)].filter((part) => part !== '').join(' '),
    ...('modifiedon' in data ? { modifiedon: now() } : {}),
  });

  /** Deleting a person takes their notes, the activities about them and their marketing interactions along. */
  const cascadeFromParty = (id: string): void => {
    for (const note of [...tables.annotations.values()]) {
      if (note.data._objectid_value === id) tables.annotations.delete(note.key);
    }
    for (const activity of [...tables.activities.values()]) {
      if (activity.data._regardingobjectid_value === id) deleteActivity(activity.data.activityid as string);
    }
    // Parties on other people's emails stay, unresolved, with the address that was used: as in Dataverse.
    for (const party of tables.activityparties.values()) {
      if (party.data._partyid_value === id) tables.activityparties.update(party, { _partyid_value: null });
    }
    for (const account of tables.accounts.values()) {
      if (account.data._primarycontactid_value === id)
        tables.accounts.update(account, { _primarycontactid_value: null });
    }
    interactions = interactions.filter((interaction) => interaction.ContactId !== id);
  };

  const deleteActivity = (activityId: string): void => {
    tables.activities.delete(tables.activities.keyOf({ activityid: activityId }));
    for (const party of [...tables.activityparties.values()]) {
      if (party.data._activityid_value === activityId) tables.activityparties.delete(party.key);
    }
  };

  /** One activity type's entity set: a view of the shared activity table, stored and generated rows alike. */
  const activityTypeBinding = (set: string, type: string): Binding => ({
    def: defs[set]!,
    table: tables.activities,
    view: (data: JsonRecord) => data.activitytypecode === type,
    includeBulk: true,
    readOnlyProps: ['activitytypecode', 'createdon'],
    afterDelete: (row: EntityRow) => deleteActivity(row.data.activityid as string),
  });

  const bindings: Record<string, Binding> = {
    contacts: {
      def: defs.contacts!,
      table: tables.contacts,
      includeBulk: true,
      readOnlyProps: ['fullname', 'createdon', 'modifiedon'],
      derive: fullname,
      afterDelete: (row) => cascadeFromParty(row.data.contactid as string),
    },
    leads: {
      def: defs.leads!,
      table: tables.leads,
      readOnlyProps: ['fullname', 'createdon'],
      derive: fullname,
      afterDelete: (row) => cascadeFromParty(row.data.leadid as string),
    },
    accounts: { def: defs.accounts!, table: tables.accounts },
    activitypointers: {
      def: defs.activitypointers!,
      table: tables.activities,
      includeBulk: true,
      readOnlyProps: ['activitytypecode', 'createdon'],
      afterDelete: (row) => deleteActivity(row.data.activityid as string),
    },
    emails: activityTypeBinding('emails', 'email'),
    ...Object.fromEntries(Object.entries(ACTIVITY_TYPES).map(([set, type]) => [set, activityTypeBinding(set, type)])),
    activityparties: { def: defs.activityparties!, table: tables.activityparties },
    annotations: { def: defs.annotations!, table: tables.annotations, includeBulk: true, readOnlyProps: ['createdon'] },
  };

  // Every entity set and column served must be in the published metadata, or the sandbox does not start;
  // what a set may be asked to do (update, delete) is the metadata's too.
  const conformed = conformDefs('dataverse', defs);
  for (const [name, binding] of Object.entries(bindings)) {
    const { update, delete: remove } = conformed[name]!.meta.operations;
    binding.operations = { update, delete: remove };
  }
  /** The binding as the environment shows it: without the columns of solutions it does not have. */
  const bindingFor = (name: string): Binding | undefined => {
    const binding = bindings[name];
    if (!binding) return undefined;
    const def = conformed[name]!.def(core.solutions('crm'));
    return def === binding.def ? binding : { ...binding, def };
  };

  const serviceRoot = `${core.baseUrl}${DATAVERSE_PREFIX}${DATAVERSE_API_PATH}`;
  const service = new ODataService({
    serviceRoot,
    paging: {
      defaultPageSize: DATAVERSE_MAX_PAGE_SIZE,
      preferHeader: true,
      topMode: 'total',
      maxTop: 5000,
      allowSkip: false,
    },
    context: { caseInsensitive: true, wildcardEq: false, sets: defs },
    codes: {
      badRequest: '0x80060888',
      notFound: '0x80040217',
      preconditionFailed: {
        status: 412,
        code: '0x80060882',
        message: "The version of the existing record doesn't match the RowVersion property provided.",
      },
      methodNotAllowed: '0x80060888',
    },
    ifMatchRequired: false,
    upsert: true,
    patchReturnsEntity: false,
  });

  const reset = (): void => {
    for (const table of Object.values(tables)) table.clear();
    crmSeed.contacts.forEach((row) => tables.contacts.insert(row));
    crmSeed.leads.forEach((row) => tables.leads.insert(row));
    crmSeed.accounts.forEach((row) => tables.accounts.insert(row));
    crmSeed.activities.forEach((row) => tables.activities.insert(row));
    crmSeed.activityparties.forEach((row) => tables.activityparties.insert(row));
    crmSeed.annotations.forEach((row) => tables.annotations.insert(row));
    interactions = crmSeed.interactions.map((row) => ({ ...row }));
    core.bulk.forEach((spec, specIndex) => {
      if (spec.system !== 'crm') return;
      const regarding = spec.regardingId ?? subjects.mariaGarcia.crmContactId;
      const base = Date.UTC(2024, 11, 31);
      if (spec.entitySet === 'activitypointers') {
        const prefix = 'b0';
        tables.activities.bulk.push(
          new BulkSource(
            spec.count,
            (i) => ({
              activityid: bulkGuid(prefix, specIndex, i),
              activitytypecode: i % 2 === 0 ? 'phonecall' : 'task',
              subject: `${i % 2 === 0 ? 'Call' : 'Task'} #${i}`,
              description: `Synthetic activity ${i} for load tests.`,
              _regardingobjectid_value: regarding,
              statecode: 1,
              createdon: isoFromIndex(base, i, 60),
              actualend: isoFromIndex(base, i, 60),
            }),
            (i) => bulkGuid(prefix, specIndex, i),
            (key) => bulkGuidIndex(prefix, specIndex, key),
          ),
        );
      } else if (spec.entitySet === 'annotations') {
        const prefix = 'b1';
        tables.annotations.bulk.push(
          new BulkSource(
            spec.count,
            (i) => ({
              annotationid: bulkGuid(prefix, specIndex, i),
              subject: `Note #${i}`,
              notetext: `Synthetic note ${i} for load tests.`,
              _objectid_value: regarding,
              objecttypecode: 'contact',
              filename: null,
              mimetype: null,
              createdon: isoFromIndex(base, i, 60),
            }),
            (i) => bulkGuid(prefix, specIndex, i),
            (key) => bulkGuidIndex(prefix, specIndex, key),
          ),
        );
      } else if (spec.entitySet === 'contacts') {
        const prefix = 'b2';
        tables.contacts.bulk.push(
          new BulkSource(
            spec.count,
            (i) => ({
              contactid: bulkGuid(prefix, specIndex, i),
              firstname: 'Bulk',
              lastname: `Contact ${i}`,
              fullname: `Bulk Contact ${i}`,
              emailaddress1: `bulk.contact.${i}@example.invalid`,
              emailaddress2: null,
              emailaddress3: null,
              telephone1: null,
              mobilephone: null,
              birthdate: null,
              address1_line1: null,
              address1_city: 'Testville',
              address1_postalcode: null,
              address1_country: null,
              _parentcustomerid_value: null,
              statecode: 0,
              createdon: isoFromIndex(base, i, 60),
              modifiedon: isoFromIndex(base, i, 60),
              donotemail: false,
              donotbulkemail: false,
              donotphone: false,
              donotpostalmail: false,
              donotfax: false,
              msdyn_gdproptout: false,
            }),
            (i) => bulkGuid(prefix, specIndex, i),
            (key) => bulkGuidIndex(prefix, specIndex, key),
          ),
        );
      } else {
        throw new Error(`Bulk data is not available for Dataverse entity set '${spec.entitySet}'.`);
      }
    });
  };
  reset();

  const interactionBody = z.object({
    ContactId: z.string(),
    InteractionType: z.string(),
    DateFrom: z.string().optional(),
    DateTo: z.string().optional(),
    Top: z.number().int().min(0).optional(),
    SkipToken: z.string().optional(),
  });

  const loadInteractions = (request: SystemRequest): Reply => {
    if (request.method !== 'POST')
      throw new ServiceError(405, '0x80060888', 'msdyncrm_LoadInteractionsPublic is an action: use POST.');
    const parsed = interactionBody.safeParse(parseJsonBody(request));
    if (!parsed.success) {
      throw new ServiceError(400, '0x80040203', 'ContactId and InteractionType are required parameters.');
    }
    const { ContactId, InteractionType, Top } = parsed.data;
    const found = interactions.filter(
      (row) => row.ContactId === ContactId.toLowerCase() && row.InteractionType === InteractionType,
    );
    const data = Top === undefined ? found : found.slice(0, Top);
    return json(200, {
      '@odata.context': `${serviceRoot}/$metadata#${ns}.msdyncrm_LoadInteractionsPublicResponse`,
      Data: JSON.stringify(data),
    });
  };

  const handle = (request: SystemRequest): Reply => {
    const match = /^\/api\/data\/v9\.[0-2](\/.*)?$/.exec(request.path);
    if (!match) throw new ServiceError(404, '0x80060888', `Resource not found for the segment '${request.path}'.`);
    const segments = parsePath(match[1] ?? '/');
    const first = segments[0];
    if (!first) {
      return json(200, {
        '@odata.context': `${serviceRoot}/$metadata`,
        value: Object.keys(bindings).map((name) => ({ name, kind: 'EntitySet', url: name })),
      });
    }
    if (segments.length === 1 && first.name === 'WhoAmI') {
      return json(200, {
        '@odata.context': `${serviceRoot}/$metadata#${ns}.WhoAmIResponse`,
        BusinessUnitId: '5e500000-0000-4000-8000-0000000000b0',
        UserId: '5e500000-0000-4000-8000-0000000000a0',
        OrganizationId: '5e500000-0000-4000-8000-0000000000c0',
      });
    }
    if (segments.length === 1 && first.name === 'msdyncrm_LoadInteractionsPublic') return loadInteractions(request);
    const binding = bindingFor(first.name);
    if (!binding || segments.length > 1) {
      throw new ServiceError(404, '0x80060888', `Resource not found for the segment '${first.name}'.`);
    }
    return service.handle(binding, first.key, request);
  };

  return {
    id: 'crm',
    prefix: DATAVERSE_PREFIX,
    resource: `${core.baseUrl}${DATAVERSE_PREFIX}`,
    codes: {
      unauthorized: '0x80072560',
      throttled: '0x80072322',
      throttledMessage: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
      internal: '0x80040216',
      unavailable: '0x80040216',
      notFound: '0x80060888',
      badRequest: '0x80060888',
    },
    handle,
    reset,
  };
}

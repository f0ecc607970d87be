/**
 * Rebuilds `connectors/metadata/*.json` from Microsoft's published descriptions, trimmed to the
 * entity sets the product reads or writes. Each source is a local clone of its repository (or the
 * raw published files, with `--raw REF`):
 *
 *   node dist/scripts/refreshMetadata.js --graph ../msgraph-metadata --bc ../ALAppExtensions --cdm ../CDM
 *   node dist/scripts/refreshMetadata.js --raw main
 *
 * Only data is read from the sources: the Graph CSDL, the Business Central API pages' declarations,
 * the Common Data Model's entity schemas. What no source states (Dataverse entity set names and the
 * messages a table supports, Graph's default user properties) is written below beside its Learn page.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { METADATA_DIR, type EntitySetMeta, type MetadataFile } from '../connectors/metadata.js';

interface Repo {
  name: string;
  licence: string;
  /** A local clone, or undefined to read raw published files. */
  dir?: string;
  ref: string;
  /** The upstream commit and its date, when the clone's own history is not the upstream's. */
  commit?: { commit: string; committed: string };
}

async function read(repo: Repo, path: string): Promise<string> {
  if (repo.dir) return readFileSync(join(repo.dir, path), 'utf8');
  const url = `https://raw.githubusercontent.com/${repo.name}/${repo.ref}/${path}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.text();
}

function commitOf(repo: Repo): { commit: string; committed: string } {
  if (repo.commit) return repo.commit;
  if (!repo.dir) return { commit: repo.ref, committed: '' };
  const [commit = '', committed = ''] = execFileSync('git', ['-C', repo.dir, 'log', '-1', '--format=%H %cs'], {
    encoding: 'utf8',
  })
    .trim()
    .split(' ');
  return { commit, committed };
}

function sourceOf(repo: Repo, paths: string[]): MetadataFile['source'] {
  return {
    repository: `https://github.com/${repo.name}`,
    ...commitOf(repo),
    paths,
    licence: repo.licence,
    retrieved: new Date().toISOString().slice(0, 10),
  };
}

// ---------------------------------------------------------------- Microsoft Graph

const GRAPH_CSDL = 'clean_v10_metadata/cleanMetadata.xml';

/** The entity sets (and contained navigations) of Graph the product uses. */
const GRAPH_SETS: Record<string, { type: string; contained?: boolean }> = {
  users: { type: 'user' },
  groups: { type: 'group' },
  subscribedSkus: { type: 'subscribedSku' },
  licenseDetails: { type: 'licenseDetails', contained: true },
  deletedItems: { type: 'directoryObject', contained: true },
};

/**
 * Properties Graph returns for a user when no `$select` is sent. Not in the CSDL; from Learn,
 * "user resource type" and "List users" (https://learn.microsoft.com/graph/api/user-list, "Optional
 * query parameters": "by default, only a limited set of properties are returned").
 */
const GRAPH_USER_DEFAULT = [
  'businessPhones',
  'displayName',
  'givenName',
  'id',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
];

/**
 * The entity set whose properties a navigation's target has. `manager`, `memberOf` and
 * `transitiveMembers` are declared as directoryObject; the product reads users (a manager) and
 * ids (members) through them, and Graph answers with the derived type, so they are held to users.
 */
const GRAPH_NAV_TARGETS: Record<string, string> = {
  user: 'users',
  group: 'groups',
  directoryObject: 'users',
  licenseDetails: 'licenseDetails',
};

type Xml = Record<string, unknown>;
const list = (value: unknown): Xml[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]) as Xml[];

async function graph(repo: Repo): Promise<MetadataFile> {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
  const doc = parser.parse(await read(repo, GRAPH_CSDL)) as Xml;
  const schemas = list((((doc['edmx:Edmx'] as Xml)['edmx:DataServices'] as Xml) ?? {}).Schema);
  const schema = schemas.find((s) => s.Namespace === 'microsoft.graph');
  if (!schema) throw new Error(`${GRAPH_CSDL}: no microsoft.graph schema`);
  const types = new Map(list(schema.EntityType).map((t) => [String(t.Name), t]));
  const complex = new Set(list(schema.ComplexType).map((t) => `microsoft.graph.${String(t.Name)}`));
  // The CSDL names its own types through the alias `graph.`.
  const qualified = (type: string): string => type.replace(/(^|\()(?:microsoft\.)?graph\./g, '$1microsoft.graph.');
  const chain = (name: string): Xml[] => {
    const type = types.get(name);
    if (!type) throw new Error(`${GRAPH_CSDL}: no entity type ${name}`);
    const base = typeof type.BaseType === 'string' ? type.BaseType.replace(/^.*\./, '') : undefined;
    return base ? [...chain(base), type] : [type];
  };
  const entitySets: Record<string, EntitySetMeta> = {};
  for (const [set, { type, contained }] of Object.entries(GRAPH_SETS)) {
    const properties: Record<string, string> = {};
    const navigation: Record<string, { target: string; collection: boolean }> = {};
    let key: string[] = [];
    for (const level of chain(type)) {
      const keyRef = list((level.Key as Xml | undefined)?.PropertyRef);
      if (keyRef.length > 0) key = keyRef.map((k) => String(k.Name));
      for (const prop of list(level.Property)) {
        const edm = qualified(String(prop.Type));
        const inner = edm.replace(/^Collection\((.*)\)$/, '$1');
        properties[String(prop.Name)] = complex.has(inner) ? edm.replace(inner, 'complex') : edm;
      }
      for (const nav of list(level.NavigationProperty)) {
        const target = qualified(String(nav.Type));
        const targetType = target.replace(/^Collection\((.*)\)$/, '$1').replace('microsoft.graph.', '');
        navigation[String(nav.Name)] = {
          target: GRAPH_NAV_TARGETS[targetType] ?? targetType,
          collection: target.startsWith('Collection('),
        };
      }
    }
    entitySets[set] = {
      type: `microsoft.graph.${type}`,
      key,
      properties,
      navigation: Object.fromEntries(
        Object.entries(navigation).filter(([name]) =>
          ['manager', 'licenseDetails', 'transitiveMembers', 'memberOf'].includes(name),
        ),
      ),
      // Learn, "Delete a user" / "Update user" / "Delete an item in deleted items"; subscribedSkus and licenseDetails are read-only lists.
      operations: {
        insert: set === 'users',
        update: set === 'users',
        delete: set === 'users' || set === 'deletedItems',
      },
      ...(contained ? { contained: true } : {}),
      ...(set === 'users' ? { defaultSelect: GRAPH_USER_DEFAULT, actions: ['assignLicense'] } : {}),
    };
  }
  return {
    format: 1,
    service: 'graph',
    title: 'Microsoft Graph v1.0',
    source: sourceOf(repo, [GRAPH_CSDL]),
    notes: [
      'Properties and navigation are the CSDL entity type with its base types (user: directoryObject, entity).',
      `defaultSelect: Learn, List users (https://learn.microsoft.com/graph/api/user-list): not in the CSDL.`,
    ],
    entitySets,
  };
}

// ---------------------------------------------------------------- Business Central

const BC_PAGES = ['Customers', 'Vendors', 'Contacts', 'Employees', 'SalesInvoices'].map(
  (name) => `Apps/W1/APIV2/app/src/pages/APIV2${name}.Page.al`,
);

/** Reads the declarations of one API page: its names, key, fields, which are read-only, and what it allows. */
function alPage(path: string, text: string): [string, EntitySetMeta] {
  const declared = (name: string): string | undefined =>
    new RegExp(`^\\s*${name}\\s*=\\s*'?([^';]+)'?;`, 'm').exec(text.slice(0, text.indexOf('layout')))?.[1]?.trim();
  const set = declared('EntitySetName');
  const entity = declared('EntityName');
  if (!set || !entity) throw new Error(`${path}: no EntitySetName`);
  const allowed = (name: string) => declared(name)?.toLowerCase() !== 'false';
  const properties: Record<string, string> = {};
  const readOnly: string[] = [];
  const labels: Record<string, string> = {};
  const navigation: Record<string, { target: string; collection: boolean }> = {};
  let keySource = declared('ODataKeyFields') ?? 'SystemId';
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const field = /^\s*field\((\w+);\s*(.+)\)\s*$/.exec(line);
    if (field) {
      current = field[1]!;
      // The Edm type of a field comes from its table in the Base Application, which these pages do not carry.
      properties[current] = 'unknown';
      if (/^Rec\.(SystemId|Id)$/.test(field[2]!.trim()) && /^Rec\.(.*)$/.exec(field[2]!.trim())?.[1] === keySource) {
        keySource = current;
      }
      continue;
    }
    const part = /^\s*part\((\w+);/.exec(line);
    if (part) {
      current = undefined;
      navigation[part[1]!] = { target: part[1]!, collection: true };
      continue;
    }
    if (current && /^\s*Editable\s*=\s*false;/i.test(line)) readOnly.push(current);
    const caption = /^\s*Caption\s*=\s*'([^']+)'/.exec(line);
    if (current && caption && !(current in labels)) labels[current] = caption[1]!;
  }
  return [
    set,
    {
      type: `Microsoft.NAV.${entity}`,
      key: [keySource === 'SystemId' || keySource === 'Id' ? 'id' : keySource],
      properties,
      labels,
      readOnly,
      navigation,
      operations: {
        insert: allowed('InsertAllowed'),
        update: allowed('ModifyAllowed'),
        delete: allowed('DeleteAllowed'),
      },
    },
  ];
}

async function businessCentral(repo: Repo): Promise<MetadataFile> {
  const entitySets: Record<string, EntitySetMeta> = {
    // A platform entity, not an API page (Learn, "company resource type", API v2.0): read-only.
    companies: {
      type: 'Microsoft.NAV.company',
      key: ['id'],
      properties: {
        id: 'Edm.Guid',
        systemVersion: 'Edm.String',
        name: 'Edm.String',
        displayName: 'Edm.String',
        businessProfileId: 'Edm.String',
      },
      operations: { insert: false, update: false, delete: false },
    },
  };
  for (const path of BC_PAGES) {
    const [set, meta] = alPage(path, await read(repo, path));
    entitySets[set] = meta;
  }
  return {
    format: 1,
    service: 'bc',
    title: 'Business Central API v2.0',
    source: sourceOf(repo, BC_PAGES),
    notes: [
      'Field names, the key, read-only fields (Editable = false) and InsertAllowed/ModifyAllowed/DeleteAllowed come from the API pages.',
      'Field types are "unknown": they come from Base Application tables, which the pages do not carry.',
      'labels: the Caption of each field on the API page.',
      'companies is a platform entity (Learn, company resource type), written by hand.',
    ],
    entitySets,
  };
}

// ---------------------------------------------------------------- Common Data Model

const CDM_CORE = 'schemaDocuments/core/applicationCommon';
const CRM_COMMON = `${CDM_CORE}/foundationCommon/crmCommon`;

/** Dataverse tables: entity set name and the messages Learn's table reference lists for each. */
const DATAVERSE: Record<
  string,
  { file: string; key: string; typeName: string; delete: boolean; update: boolean; activity?: string }
> = {
  contacts: { file: `${CDM_CORE}/Contact.cdm.json`, key: 'contactid', typeName: 'contact', update: true, delete: true },
  leads: { file: `${CRM_COMMON}/Lead.cdm.json`, key: 'leadid', typeName: 'lead', update: true, delete: true },
  accounts: { file: `${CDM_CORE}/Account.cdm.json`, key: 'accountid', typeName: 'account', update: true, delete: true },
  // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/activitypointer:
  // messages Retrieve, RetrieveMultiple and Rollup only; no Create, Update or Delete.
  activitypointers: {
    file: `${CDM_CORE}/Activity.cdm.json`,
    key: 'activityid',
    typeName: 'activitypointer',
    update: false,
    delete: false,
  },
  emails: {
    file: `${CDM_CORE}/Email.cdm.json`,
    key: 'activityid',
    typeName: 'email',
    update: true,
    delete: true,
    activity: 'email',
  },
  tasks: {
    file: `${CDM_CORE}/Task.cdm.json`,
    key: 'activityid',
    typeName: 'task',
    update: true,
    delete: true,
    activity: 'task',
  },
  phonecalls: {
    file: `${CDM_CORE}/PhoneCall.cdm.json`,
    key: 'activityid',
    typeName: 'phonecall',
    update: true,
    delete: true,
    activity: 'phonecall',
  },
  appointments: {
    file: `${CDM_CORE}/Appointment.cdm.json`,
    key: 'activityid',
    typeName: 'appointment',
    update: true,
    delete: true,
    activity: 'appointment',
  },
  letters: {
    file: `${CDM_CORE}/Letter.cdm.json`,
    key: 'activityid',
    typeName: 'letter',
    update: true,
    delete: true,
    activity: 'letter',
  },
  faxes: {
    file: `${CDM_CORE}/Fax.cdm.json`,
    key: 'activityid',
    typeName: 'fax',
    update: true,
    delete: true,
    activity: 'fax',
  },
  // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/activityparty:
  // no Create, Update or Delete of its own; parties are written through their activity.
  activityparties: {
    file: `${CDM_CORE}/ActivityParty.cdm.json`,
    key: 'activitypartyid',
    typeName: 'activityparty',
    update: false,
    delete: false,
  },
  annotations: {
    file: `${CDM_CORE}/Note.cdm.json`,
    key: 'annotationid',
    typeName: 'annotation',
    update: true,
    delete: true,
  },
};

/**
 * Columns Dataverse has that the CDM schema leaves out, each from its Learn table reference:
 * ActivityTypeCode is listed among the read-only columns of activitypointer and of every activity type.
 */
const LEARN_COLUMNS: Record<string, Record<string, string>> = {
  ...Object.fromEntries(
    ['activitypointers', 'emails', 'tasks', 'phonecalls', 'appointments', 'letters', 'faxes'].map((set) => [
      set,
      { activitytypecode: 'Edm.String' },
    ]),
  ),
  // The annotation reference gives ObjectTypeCode the type EntityName (a table's logical name), a text
  // in the Web API; the CDM models it as a numeric list.
  annotations: { objecttypecode: 'Edm.String' },
};

/** Columns an optional solution adds, by the CDM folder that holds them. */
const DATAVERSE_SOLUTIONS: { file: string; set: string; solution: string }[] = [
  { file: `${CRM_COMMON}/projectCommon/Contact.cdm.json`, set: 'contacts', solution: 'Project Service Automation' },
  { file: `${CRM_COMMON}/projectCommon/Lead.cdm.json`, set: 'leads', solution: 'Project Service Automation' },
  { file: `${CRM_COMMON}/solutions/marketing/Contact.cdm.json`, set: 'contacts', solution: 'Marketing' },
];

type CdmAttribute = Xml & {
  name?: string;
  sourceName?: string;
  dataType?: unknown;
  entity?: unknown;
  resolutionGuidance?: Xml;
  attributeGroupReference?: { members?: unknown[] };
};

const CDM_EDM: Record<string, string> = {
  entityId: 'Edm.Guid',
  guid: 'Edm.Guid',
  boolean: 'Edm.Boolean',
  dateTime: 'Edm.DateTimeOffset',
  date: 'Edm.Date',
  integer: 'Edm.Int32',
  bigInteger: 'Edm.Int64',
  listLookup: 'Edm.Int32',
  listLookupCorrelated: 'Edm.Int32',
  decimal: 'Edm.Decimal',
  currency: 'Edm.Decimal',
  double: 'Edm.Double',
};

function cdmType(dataType: unknown): string {
  const name = typeof dataType === 'string' ? dataType : ((dataType as Xml | undefined)?.dataTypeReference as string);
  return CDM_EDM[name] ?? 'Edm.String';
}

/** Attribute groups and base entities (CdsStandard, ActivityCommon) that CDM entities name. */
interface CdmShared {
  groups: Map<string, unknown[]>;
  bases: Map<string, { extends?: string; attributes: unknown[] }>;
}

const CDM_SHARED = 'schemaDocuments/core/wellKnownCDSAttributeGroups.cdm.json';

function cdmShared(text: string): CdmShared {
  const doc = JSON.parse(text) as { definitions?: Xml[] };
  const shared: CdmShared = { groups: new Map(), bases: new Map() };
  for (const d of doc.definitions ?? []) {
    if (typeof d.attributeGroupName === 'string')
      shared.groups.set(d.attributeGroupName, (d.members as unknown[]) ?? []);
    if (typeof d.entityName === 'string') {
      shared.bases.set(d.entityName, {
        ...(typeof d.extendsEntity === 'string' ? { extends: d.extendsEntity } : {}),
        attributes: (d.hasAttributes as unknown[]) ?? [],
      });
    }
  }
  return shared;
}

/**
 * The Web API columns of one CDM entity and its bases: plain attributes by source (logical) name,
 * lookups as `_x_value`, addresses inlined as `address<n>_<column>`.
 */
function cdmColumns(
  text: string,
  path: string,
  /** The address columns with their display names, inlined for each address of the entity. */
  address: Record<string, string>,
  shared: CdmShared,
): { properties: Record<string, string>; labels: Record<string, string>; navigation: string[] } {
  const doc = JSON.parse(text) as { definitions?: Xml[] };
  const entity = doc.definitions?.find((d) => typeof d.entityName === 'string');
  if (!entity) throw new Error(`${path}: no entity definition`);
  const properties: Record<string, string> = {};
  // The CDM's displayName of each column: the label Dynamics shows for it (English).
  const labels: Record<string, string> = {};
  const label = (name: string, displayName: unknown): void => {
    if (typeof displayName === 'string' && displayName.trim() !== '') labels[name] = displayName.trim();
  };
  const navigation: string[] = [];
  const walk = (attributes: unknown[]): void => {
    for (const raw of attributes) {
      if (typeof raw === 'string') {
        walk(shared.groups.get(raw) ?? []);
        continue;
      }
      const attribute = raw as CdmAttribute;
      if (attribute.attributeGroupReference) {
        const ref = attribute.attributeGroupReference as unknown;
        walk(
          typeof ref === 'string' ? (shared.groups.get(ref) ?? []) : (attribute.attributeGroupReference.members ?? []),
        );
        continue;
      }
      if (attribute.entity !== undefined) {
        const guidance = attribute.resolutionGuidance ?? {};
        const expansion = guidance.expansion as Xml | undefined;
        if (expansion && attribute.name === 'address') {
          // Addresses are inlined as address1_..., address2_... (renameFormat {a}{o}{M}).
          const count = Number(expansion.maximumExpansion ?? 1);
          for (let n = 1; n <= count; n++)
            for (const [column, title] of Object.entries(address)) {
              properties[`address${n}_${column}`] = 'Edm.String';
              label(`address${n}_${column}`, `Address ${n}: ${title}`);
            }
          continue;
        }
        const foreignKey = (guidance.entityByReference as Xml | undefined)?.foreignKeyAttribute as Xml | undefined;
        const fk = foreignKey?.sourceName;
        // A polymorphic lookup (regarding, party) names its key only by the attribute: `party` is partyid.
        const name =
          typeof fk === 'string'
            ? fk
            : `${String(attribute.name)
                .replace(/^[A-Za-z]+_/, '')
                .toLowerCase()}id`;
        properties[`_${name}_value`] = 'Edm.Guid';
        label(`_${name}_value`, foreignKey?.displayName);
        continue;
      }
      if (typeof attribute.name !== 'string') continue;
      const name = (attribute.sourceName ?? attribute.name).toLowerCase();
      if (name.endsWith('_display')) continue;
      if (JSON.stringify(attribute.dataType) === '"partylist"') {
        navigation.push(name);
        continue;
      }
      properties[name] = cdmType(attribute.dataType);
      label(name, attribute.displayName);
    }
  };
  const bases: string[] = [];
  for (let base = entity.extendsEntity as string | undefined; base; base = shared.bases.get(base)?.extends) {
    bases.unshift(base);
  }
  for (const base of bases) walk(shared.bases.get(base)?.attributes ?? []);
  walk((entity.hasAttributes as unknown[]) ?? []);
  return { properties, labels, navigation };
}

async function dataverse(repo: Repo): Promise<MetadataFile> {
  const shared = cdmShared(await read(repo, CDM_SHARED));
  const addressText = await read(repo, `${CDM_CORE}/Address.cdm.json`);
  const addressColumns = cdmColumns(addressText, 'Address', {}, shared);
  const address = Object.fromEntries(
    Object.keys(addressColumns.properties)
      .filter(
        (c) => !c.startsWith('_') && !['addressid', 'customeraddressid', 'parentid', 'objecttypecode'].includes(c),
      )
      .map((c) => [c, addressColumns.labels[c] ?? c]),
  );
  const common = await read(repo, `${CDM_CORE}/Activity.cdm.json`);
  const commonActivity = cdmColumns(common, 'Activity', address, shared);
  const commonColumns = commonActivity.properties;
  const entitySets: Record<string, EntitySetMeta> = {};
  const paths = [CDM_SHARED, `${CDM_CORE}/Address.cdm.json`];
  for (const [set, table] of Object.entries(DATAVERSE)) {
    paths.push(table.file);
    const columns = cdmColumns(await read(repo, table.file), table.file, address, shared);
    // Every activity type carries the activity's common columns (Learn: "Activity tables").
    const properties = {
      ...(table.activity ? commonColumns : {}),
      ...columns.properties,
      ...(LEARN_COLUMNS[set] ?? {}),
    };
    properties[table.key] = 'Edm.Guid';
    const labels = { ...(table.activity ? commonActivity.labels : {}), ...columns.labels };
    entitySets[set] = {
      type: `Microsoft.Dynamics.CRM.${table.typeName}`,
      key: [table.key],
      properties,
      labels: Object.fromEntries(Object.keys(properties).flatMap((p) => (labels[p] ? [[p, labels[p]]] : []))),
      operations: { insert: table.update, update: table.update, delete: table.delete },
      operationsSource: `https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/${table.typeName}`,
      ...(table.activity ? { activityTypeCode: table.activity } : {}),
    };
  }
  for (const { file, set, solution } of DATAVERSE_SOLUTIONS) {
    paths.push(file);
    const meta = entitySets[set]!;
    const columns = cdmColumns(await read(repo, file), file, address, shared);
    for (const [name, type] of Object.entries(columns.properties)) {
      if (name in meta.properties) continue;
      meta.properties[name] = type;
      if (columns.labels[name]) meta.labels = { ...meta.labels, [name]: columns.labels[name] };
      meta.solutions = { ...meta.solutions, [name]: solution };
    }
  }
  return {
    format: 1,
    service: 'dataverse',
    title: 'Dataverse (Customer Engagement), Web API v9.2',
    source: sourceOf(repo, paths),
    notes: [
      'Columns: CDM attributes by source (logical) name; a lookup is the Web API column _<name>_value; addresses are inlined as address<n>_<column>.',
      'Entity set names and the messages each table supports: Learn, Dataverse table/entity reference (operationsSource of each).',
      'solutions: columns an optional solution adds, by the CDM folder that holds them; absent from an environment without it.',
      'labels: the CDM displayName of each column (a lookup: of its foreign key attribute; an address column: "Address <n>: " and the Address entity\'s displayName).',
    ],
    entitySets,
  };
}

const FNO_ENTITIES: Record<string, { file: string; key: string[] }> = {
  CustomersV3: {
    file: 'schemaDocuments/core/operationsCommon/Entities/Finance/AccountsReceivable/CustCustomerV3Entity.cdm.json',
    key: ['dataAreaId', 'CustomerAccount'],
  },
  VendorsV2: {
    file: 'schemaDocuments/core/operationsCommon/Entities/SupplyChain/ProcurementAndSourcing/VendVendorV2Entity.cdm.json',
    key: ['dataAreaId', 'VendorAccountNumber'],
  },
  // Workers are shared by all legal entities: no dataAreaId in the key.
  Workers: {
    file: 'schemaDocuments/core/operationsCommon/Entities/HumanResources/HRM/HcmWorkerEntity.cdm.json',
    key: ['PersonnelNumber'],
  },
};

async function financeOperations(repo: Repo): Promise<MetadataFile> {
  const entitySets: Record<string, EntitySetMeta> = {};
  for (const [set, { file, key }] of Object.entries(FNO_ENTITIES)) {
    const doc = JSON.parse(await read(repo, file)) as { definitions?: Xml[] };
    const entity = doc.definitions?.find((d) => typeof d.entityName === 'string');
    if (!entity) throw new Error(`${file}: no entity definition`);
    const properties: Record<string, string> = {};
    const labels: Record<string, string> = {};
    const walk = (attributes: unknown[]): void => {
      for (const raw of attributes) {
        const attribute = raw as CdmAttribute;
        if (attribute.attributeGroupReference) walk(attribute.attributeGroupReference.members ?? []);
        // The CDM types every data entity field as a string, dates and enums included: not a type to hold to.
        else if (typeof attribute.name === 'string') {
          properties[attribute.name] = 'unknown';
          if (typeof attribute.displayName === 'string' && attribute.displayName.trim() !== '')
            labels[attribute.name] = attribute.displayName.trim();
        }
      }
    };
    walk((entity.hasAttributes as unknown[]) ?? []);
    // Company-specific data entities carry dataAreaId from their DataEntityView base.
    if (key.includes('dataAreaId')) properties.dataAreaId = 'unknown';
    entitySets[set] = {
      type: `Microsoft.Dynamics.DataEntities.${String(entity.entityName).replace(/Entity$/, '')}`,
      key,
      properties,
      labels,
      // Public data entities allow create, update and delete unless the entity says otherwise (not stated in the CDM).
      operations: { insert: true, update: true, delete: true },
    };
  }
  return {
    format: 1,
    service: 'fno',
    title: 'Finance and Operations / Human Resources data entities (OData)',
    source: sourceOf(
      repo,
      Object.values(FNO_ENTITIES).map((e) => e.file),
    ),
    notes: [
      'Fields are the CDM entity attributes, whose types the CDM gives as string: the types are not checked.',
      'Entity set (public collection) names are the ones the OData endpoint publishes, written by hand.',
      'Operations: the CDM does not state them; all are assumed allowed.',
      'labels: the CDM displayName of each attribute.',
    ],
    entitySets,
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // Usage: --graph DIR --bc DIR --cdm DIR [--graph-commit SHA@DATE ...] | --raw REF
  const option = (name: string): string | undefined => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const raw = option('raw');
  const repo = (name: string, flag: string, licence: string): Repo => {
    const dir = option(flag);
    if (!dir && !raw) throw new Error(`Give --${flag} DIR (a local clone of ${name}) or --raw REF.`);
    // `--graph-commit SHA@YYYY-MM-DD`: the upstream commit, for a copy made without its history.
    const [commit, committed = ''] = (option(`${flag}-commit`) ?? '').split('@');
    return {
      name,
      licence,
      ref: raw ?? 'HEAD',
      ...(dir ? { dir: resolve(dir) } : {}),
      ...(commit ? { commit: { commit, committed } } : {}),
    };
  };
  const cdm = repo('microsoft/CDM', 'cdm', 'CC-BY-4.0 (documentation and schema content); MIT for its code');
  const files: MetadataFile[] = [
    await graph(repo('microsoftgraph/msgraph-metadata', 'graph', 'MIT')),
    await businessCentral(repo('microsoft/ALAppExtensions', 'bc', 'MIT')),
    await dataverse(cdm),
    await financeOperations(cdm),
  ];
  for (const file of files) {
    const path = join(METADATA_DIR, `${file.service}.json`);
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
    console.log(`${path}: ${Object.keys(file.entitySets).length} entity sets`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

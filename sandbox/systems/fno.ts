import { json, ServiceError, type Reply, type SystemRequest } from '../http.js';
import { text, type PropType } from '../odata/filter.js';
import { parsePath } from '../odata/keys.js';
import type { EntitySetDef } from '../odata/query.js';
import { conformDefs } from '../odata/conform.js';
import { ODataService, type Binding } from '../odata/service.js';
import { BulkSource, keyString, Table } from '../odata/store.js';
import { fnoSeed, hrSeed } from '../seed.js';
import type { SandboxCore, SystemService } from './common.js';

export const FINANCE_OPERATIONS_PREFIX = '/fno';
export const HUMAN_RESOURCES_PREFIX = '/hr';
/** Finance and Operations pages server-side at 10,000 records. */
export const FINANCE_OPERATIONS_PAGE_SIZE = 10000;

const ns = 'Microsoft.Dynamics.DataEntities';

/** Employment dates are not worker fields (the CDM's HcmWorkerEntity has none): they belong to employments. */
const workerProps: Record<string, PropType> = {
  PersonnelNumber: 'string',
  FirstName: 'string',
  LastName: 'string',
  Name: 'string',
  PrimaryContactEmail: 'string',
  PrimaryContactPhone: 'string',
  WorkerType: 'enum',
  WorkerStatus: 'enum',
  BirthDate: 'date',
};

const fnoDefs: Record<string, EntitySetDef> = {
  CustomersV3: {
    name: 'CustomersV3',
    typeName: `${ns}.CustomerV3`,
    key: ['dataAreaId', 'CustomerAccount'],
    properties: {
      dataAreaId: 'string',
      CustomerAccount: 'string',
      PartyType: 'enum',
      OrganizationName: 'string',
      PersonFirstName: 'string',
      PersonLastName: 'string',
      NameAlias: 'string',
      PrimaryContactEmail: 'string',
      PrimaryContactPhone: 'string',
      AddressCity: 'string',
      AddressStreet: 'string',
      AddressCountryRegionId: 'string',
      CustomerGroupId: 'string',
      SalesCurrencyCode: 'string',
      OnHoldStatus: 'enum',
    },
  },
  VendorsV2: {
    name: 'VendorsV2',
    typeName: `${ns}.VendorV2`,
    key: ['dataAreaId', 'VendorAccountNumber'],
    properties: {
      dataAreaId: 'string',
      VendorAccountNumber: 'string',
      VendorOrganizationName: 'string',
      VendorPartyType: 'enum',
      PersonFirstName: 'string',
      PersonLastName: 'string',
      PrimaryEmailAddress: 'string',
      PrimaryPhoneNumber: 'string',
      AddressCity: 'string',
      OnHoldStatus: 'enum',
    },
  },
  Workers: { name: 'Workers', typeName: `${ns}.Worker`, key: ['PersonnelNumber'], properties: workerProps },
};

const hrDefs: Record<string, EntitySetDef> = {
  Workers: fnoDefs.Workers!,
};

type Variant = 'fno' | 'hr';

/** Finance and Operations and Human Resources share the data entity protocol; they differ in data. */
export function createFinanceOperations(core: SandboxCore, variant: Variant): SystemService {
  const defs = variant === 'fno' ? fnoDefs : hrDefs;
  // Every entity set and field served must be in the data entities' metadata, or the sandbox does not start.
  const conformed = conformDefs('fno', defs);
  const prefix = variant === 'fno' ? FINANCE_OPERATIONS_PREFIX : HUMAN_RESOURCES_PREFIX;
  const tables: Record<string, Table> = {};
  for (const def of Object.values(defs)) tables[def.name] = new Table(def.name, def.key, core.clock);

  const serviceRoot = `${core.baseUrl}${prefix}/data`;
  const service = new ODataService({
    serviceRoot,
    paging: { defaultPageSize: FINANCE_OPERATIONS_PAGE_SIZE, preferHeader: false, topMode: 'total', allowSkip: true },
    context: { caseInsensitive: true, wildcardEq: true, sets: defs, extraOptions: ['cross-company'] },
    codes: {
      badRequest: 'BadRequest',
      notFound: 'NotFound',
      preconditionFailed: {
        status: 412,
        code: 'PreconditionFailed',
        message: 'The record has been changed by another user since it was read. Refresh it and try again.',
      },
      methodNotAllowed: 'MethodNotAllowed',
    },
    ifMatchRequired: false,
    upsert: false,
    patchReturnsEntity: false,
  });

  const reset = (): void => {
    for (const table of Object.values(tables)) table.clear();
    const seed = variant === 'fno' ? fnoSeed : hrSeed;
    for (const [name, rows] of Object.entries(seed)) rows.forEach((row) => tables[name]!.insert(row));
    core.bulk.forEach((spec, specIndex) => {
      if (spec.system === 'hr' && variant === 'hr') {
        if (spec.entitySet !== 'Workers') {
          throw new Error(`Bulk data is not available for Human Resources entity '${spec.entitySet}'.`);
        }
        // Personnel numbers of the seeded workers start with E-, so generated ones never collide with them.
        const personnel = (i: number): string => `BK${specIndex}-${String(i).padStart(7, '0')}`;
        tables.Workers!.bulk.push(
          new BulkSource(
            spec.count,
            (i) => ({
              PersonnelNumber: personnel(i),
              FirstName: 'Bulk',
              LastName: `Worker ${i}`,
              Name: `Bulk Worker ${i}`,
              PrimaryContactEmail: spec.email ?? `bulk.worker.${i}@example.invalid`,
              PrimaryContactPhone: '',
              WorkerType: 'Contractor',
              WorkerStatus: 'Terminated',
              BirthDate: null,
            }),
            (i) => keyString([personnel(i)]),
            (key) => {
              const match = new RegExp(`^bk${specIndex}-(\\d{7})$`).exec(key);
              return match ? Number(match[1]) : undefined;
            },
          ),
        );
        return;
      }
      if (spec.system !== 'fno' || variant !== 'fno') return;
      if (spec.entitySet !== 'CustomersV3') {
        throw new Error(`Bulk data is not available for F&O entity '${spec.entitySet}'.`);
      }
      const area = spec.dataAreaId ?? core.fnoDefaultCompany;
      const account = (i: number): string => `BK${specIndex}-${String(i).padStart(7, '0')}`;
      tables.CustomersV3!.bulk.push(
        new BulkSource(
          spec.count,
          (i) => ({
            dataAreaId: area,
            CustomerAccount: account(i),
            PartyType: 'Person',
            OrganizationName: `Bulk Customer ${i}`,
            PersonFirstName: 'Bulk',
            PersonLastName: `Customer ${i}`,
            NameAlias: `Customer ${i}`,
            PrimaryContactEmail: `bulk.customer.${i}@example.invalid`,
            PrimaryContactPhone: '',
            AddressCity: 'Testville',
            AddressStreet: `${i} Load Street`,
            AddressCountryRegionId: 'USA',
            CustomerGroupId: '30',
            SalesCurrencyCode: 'USD',
            OnHoldStatus: 'No',
          }),
          (i) => keyString([area, account(i)]),
          (key) => {
            const match = new RegExp(`^${area.toLowerCase()}\u0000bk${specIndex}-(\\d{7})$`).exec(key);
            return match ? Number(match[1]) : undefined;
          },
        ),
      );
    });
  };
  reset();

  const bindingFor = (name: string, crossCompany: boolean): Binding => {
    const def = defs[name]!;
    const companySpecific = 'dataAreaId' in def.properties;
    const binding: Binding = {
      def,
      table: tables[name]!,
      includeBulk: true,
      readOnlyProps: companySpecific ? ['dataAreaId'] : [],
      operations: conformed[name]!.meta.operations,
    };
    if (companySpecific && !crossCompany) {
      // Without cross-company=true an entity shows only the caller's default company, even by key.
      const area = core.fnoDefaultCompany.toLowerCase();
      binding.where = (row) => text(row.data.dataAreaId).toLowerCase() === area;
      binding.includeBulk = core.bulk.every(
        (spec) => (spec.dataAreaId ?? core.fnoDefaultCompany).toLowerCase() === area,
      );
    }
    if (variant === 'hr' && name === 'Workers') {
      binding.guardDelete = (row) =>
        row.data.WorkerStatus === 'Terminated'
          ? undefined
          : new ServiceError(
              400,
              'BadRequest',
              `Write failed for table row of type 'HcmWorkerEntity'. Infolog: Error: Worker ${text(row.data.PersonnelNumber)} is not terminated; only terminated workers can be deleted.`,
            );
    }
    return binding;
  };

  const handle = (request: SystemRequest): Reply => {
    const match = /^\/data(\/.*)?$/.exec(request.path);
    if (!match) throw new ServiceError(404, 'NotFound', 'No HTTP resource was found that matches the request URI.');
    const segments = parsePath(match[1] ?? '/');
    const first = segments[0];
    if (!first) {
      return json(200, {
        '@odata.context': `${serviceRoot}/$metadata`,
        value: Object.keys(defs).map((name) => ({ name, kind: 'EntitySet', url: name })),
      });
    }
    if (!(first.name in defs) || segments.length > 1) {
      throw new ServiceError(
        404,
        'NotFound',
        `No HTTP resource was found that matches the request URI '${request.url.pathname}'.`,
      );
    }
    const crossCompany = (request.url.searchParams.get('cross-company') ?? '').toLowerCase() === 'true';
    return service.handle(bindingFor(first.name, crossCompany), first.key, request);
  };

  return {
    id: variant,
    prefix,
    resource: `${core.baseUrl}${prefix}`,
    codes: {
      unauthorized: 'Unauthorized',
      throttled: 'TooManyRequests',
      throttledMessage:
        'The request was throttled because the service is under load. Retry after the Retry-After interval.',
      internal: 'InternalServerError',
      unavailable: 'ServiceUnavailable',
      notFound: 'NotFound',
      badRequest: 'BadRequest',
    },
    handle,
    reset,
  };
}

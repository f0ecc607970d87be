import { ServiceError, type Reply, type SystemRequest } from '../http.js';
import { conformDefs } from '../odata/conform.js';
import { orAcrossFields, text, type JsonRecord } from '../odata/filter.js';
import { parsePath } from '../odata/keys.js';
import type { EntitySetDef } from '../odata/query.js';
import { ODataService, type Binding } from '../odata/service.js';
import { BulkSource, Table, type EntityRow } from '../odata/store.js';
import { bcSeed } from '../seed.js';
import {
  bulkGuid,
  bulkGuidIndex,
  isoFromIndex,
  withoutKeys,
  type BulkOption,
  type SandboxCore,
  type SystemService,
} from './common.js';

export const BUSINESS_CENTRAL_PREFIX = '/bc';
/** Business Central serves at most 20,000 entities per page. */
export const BUSINESS_CENTRAL_PAGE_SIZE = 20000;

const ns = 'Microsoft.NAV';
const audit = { lastModifiedDateTime: 'datetime' } as const;

const defs: Record<string, EntitySetDef> = {
  companies: {
    name: 'companies',
    typeName: `${ns}.company`,
    key: ['id'],
    properties: {
      id: 'guid',
      systemVersion: 'string',
      name: 'string',
      displayName: 'string',
      businessProfileId: 'string',
    },
  },
  customers: {
    name: 'customers',
    typeName: `${ns}.customer`,
    key: ['id'],
    properties: {
      id: 'guid',
      number: 'string',
      displayName: 'string',
      type: 'enum',
      addressLine1: 'string',
      addressLine2: 'string',
      city: 'string',
      state: 'string',
      country: 'string',
      postalCode: 'string',
      phoneNumber: 'string',
      email: 'string',
      website: 'string',
      taxLiable: 'boolean',
      currencyCode: 'string',
      blocked: 'enum',
      ...audit,
    },
  },
  vendors: {
    name: 'vendors',
    typeName: `${ns}.vendor`,
    key: ['id'],
    properties: {
      id: 'guid',
      number: 'string',
      displayName: 'string',
      addressLine1: 'string',
      city: 'string',
      country: 'string',
      postalCode: 'string',
      phoneNumber: 'string',
      email: 'string',
      currencyCode: 'string',
      blocked: 'enum',
      ...audit,
    },
  },
  contacts: {
    name: 'contacts',
    typeName: `${ns}.contact`,
    key: ['id'],
    properties: {
      id: 'guid',
      number: 'string',
      type: 'enum',
      displayName: 'string',
      companyNumber: 'string',
      companyName: 'string',
      jobTitle: 'string',
      addressLine1: 'string',
      city: 'string',
      country: 'string',
      postalCode: 'string',
      phoneNumber: 'string',
      mobilePhoneNumber: 'string',
      email: 'string',
      privacyBlocked: 'boolean',
      ...audit,
    },
  },
  employees: {
    name: 'employees',
    typeName: `${ns}.employee`,
    key: ['id'],
    properties: {
      id: 'guid',
      number: 'string',
      displayName: 'string',
      givenName: 'string',
      middleName: 'string',
      surname: 'string',
      jobTitle: 'string',
      addressLine1: 'string',
      city: 'string',
      country: 'string',
      postalCode: 'string',
      phoneNumber: 'string',
      mobilePhone: 'string',
      email: 'string',
      personalEmail: 'string',
      employmentDate: 'date',
      terminationDate: 'date',
      status: 'enum',
      birthDate: 'date',
      ...audit,
    },
  },
  salesInvoices: {
    name: 'salesInvoices',
    typeName: `${ns}.salesInvoice`,
    key: ['id'],
    properties: {
      id: 'guid',
      number: 'string',
      invoiceDate: 'date',
      customerId: 'guid',
      customerNumber: 'string',
      customerName: 'string',
      billToName: 'string',
      sellToAddressLine1: 'string',
      sellToCity: 'string',
      email: 'string',
      currencyCode: 'string',
      totalAmountIncludingTax: 'number',
      status: 'enum',
      ...audit,
    },
  },
};

const ALLOWED: Record<string, readonly string[]> = {
  customers: [' ', 'Ship', 'Invoice', 'All'],
  vendors: [' ', 'Payment', 'All'],
  employees: ['Active', 'Inactive', 'Terminated'],
};

const BULK_GENERATORS: Record<string, { prefix: string; row: (i: number, email: string, at: string) => JsonRecord }> = {
  contacts: {
    prefix: 'b5',
    row: (i, email, at) => ({
      number: `BKCT${String(i).padStart(7, '0')}`,
      type: 'Person',
      displayName: `Bulk Contact ${i}`,
      companyNumber: '',
      companyName: '',
      jobTitle: '',
      addressLine1: `${i} Load Street`,
      city: 'Testville',
      country: 'US',
      postalCode: '',
      phoneNumber: '',
      mobilePhoneNumber: '',
      email,
      privacyBlocked: false,
      lastModifiedDateTime: at,
    }),
  },
  customers: {
    prefix: 'b6',
    row: (i, email, at) => ({
      number: `BKC${String(i).padStart(7, '0')}`,
      displayName: `Bulk Customer ${i}`,
      type: 'Person',
      addressLine1: `${i} Load Street`,
      addressLine2: '',
      city: 'Testville',
      state: '',
      country: 'US',
      postalCode: '',
      phoneNumber: '',
      email,
      website: '',
      taxLiable: false,
      currencyCode: 'USD',
      blocked: ' ',
      lastModifiedDateTime: at,
    }),
  },
};

/**
 * Business Central's own OData rules, from Learn, "Known Limitations with Business Central OData"
 * (https://learn.microsoft.com/dynamics365/business-central/dev-itpro/webservices/odata-known-limitations):
 * `or` between two different fields is refused with this message. The page gives no error code;
 * `BadRequest` is the code this sandbox uses for every other refused query (not confirmed).
 */
function refuseOrAcrossFields(expr: Parameters<typeof orAcrossFields>[0]): void {
  if (orAcrossFields(expr)) {
    throw new ServiceError(
      400,
      'BadRequest',
      "An error occurred while processing this request. The 'OR' operator is not supported on distinct fields on an OData filter.",
    );
  }
}

export function createBusinessCentral(core: SandboxCore): SystemService {
  // Every entity set and property served must be in the API pages' metadata, or the sandbox does not start.
  const conformed = conformDefs('bc', defs);
  const tables: Record<string, Table> = {};
  for (const name of Object.keys(defs)) tables[name] = new Table(name, ['id'], core.clock);
  const table = (name: string): Table => tables[name]!;
  const stamp = (): string => new Date().toISOString();

  const bulkFor = (set: string): BulkOption[] =>
    core.bulk.filter((spec) => spec.system === 'bc' && spec.entitySet === set);
  const companyOf = (spec: BulkOption): string => (spec.companyId ?? bcSeed.companies[0]!.id).toLowerCase();

  const dialog = (message: string): ServiceError => new ServiceError(400, 'Application_DialogException', message);

  const guardEnum = (set: string, prop: string) => (_row: EntityRow, changes: JsonRecord) => {
    const value = changes[prop];
    const allowed = ALLOWED[set] ?? [];
    if (value !== undefined && (typeof value !== 'string' || !allowed.includes(value))) {
      return new ServiceError(
        400,
        'BadRequest',
        `The value '${text(value)}' is not valid for ${prop}. Allowed: ${allowed.map((v) => `'${v}'`).join(', ')}.`,
      );
    }
    return undefined;
  };

  const bindingFor = (set: string, companyId: string): Binding => {
    const base: Binding = {
      def: defs[set]!,
      table: table(set),
      where: (row) => row.scope === companyId,
      // Generated rows carry no scope, so they show only while every bulk option of the set is this company's.
      includeBulk: bulkFor(set).every((spec) => companyOf(spec) === companyId.toLowerCase()),
      scope: companyId,
      readOnlyProps: [...new Set(['number', 'lastModifiedDateTime', ...(conformed[set]!.meta.readOnly ?? [])])],
      derive: (data) => ({ ...data, lastModifiedDateTime: stamp() }),
      operations: conformed[set]!.meta.operations,
    };
    switch (set) {
      case 'customers':
        return {
          ...base,
          guardPatch: guardEnum('customers', 'blocked'),
          guardDelete: (row) => {
            const open = [...table('salesInvoices').values()].find(
              (invoice) => invoice.data.customerId === row.data.id && invoice.data.status === 'Open',
            );
            return open
              ? dialog(
                  `You cannot delete customer ${text(row.data.number)} because there is at least one outstanding Sales Invoice for this customer.`,
                )
              : undefined;
          },
        };
      case 'vendors':
        return { ...base, guardPatch: guardEnum('vendors', 'blocked') };
      case 'employees':
        return { ...base, guardPatch: guardEnum('employees', 'status') };
      case 'salesInvoices':
        // Posted documents are business transactions: kept as they are for tax and audit law.
        return {
          ...base,
          guardPatch: (row) =>
            row.data.status === 'Draft'
              ? undefined
              : dialog(`Posted sales invoice ${text(row.data.number)} cannot be changed.`),
          guardDelete: (row) =>
            row.data.status === 'Draft'
              ? undefined
              : dialog(
                  `Posted sales invoice ${text(row.data.number)} cannot be deleted; posted documents are kept for the retention period the law requires.`,
                ),
        };
      default:
        return base;
    }
  };

  const serviceRootFor = (tenant: string, environment: string): string =>
    `${core.baseUrl}${BUSINESS_CENTRAL_PREFIX}/v2.0/${tenant}/${environment}/api/v2.0`;

  const serviceFor = (tenant: string, environment: string): ODataService =>
    new ODataService({
      serviceRoot: serviceRootFor(tenant, environment),
      paging: { defaultPageSize: BUSINESS_CENTRAL_PAGE_SIZE, preferHeader: false, topMode: 'total', allowSkip: true },
      // Text compares case-sensitively: what a client sends is matched as written. No published page
      // states this either way; the sandbox takes the stricter reading so the connector cannot rely on folding.
      context: { caseInsensitive: false, wildcardEq: false, sets: defs },
      checkFilter: refuseOrAcrossFields,
      codes: {
        badRequest: 'BadRequest',
        notFound: 'Internal_RecordNotFound',
        preconditionFailed: {
          status: 409,
          code: 'Request_EntityChanged',
          message: 'Another user has already changed the record.',
        },
        ifMatchMissing: 'Internal_MissingIfMatchHeader',
        methodNotAllowed: 'BadRequest_MethodNotAllowed',
      },
      ifMatchRequired: true,
      upsert: false,
      patchReturnsEntity: true,
    });

  const reset = (): void => {
    for (const t of Object.values(tables)) t.clear();
    const modified = '2024-11-01T12:00:00Z';
    for (const company of bcSeed.companies) table('companies').insert(company);
    const load = (set: string, rows: readonly JsonRecord[]): void => {
      for (const row of rows) {
        table(set).insert(
          { ...withoutKeys(row, ['companyId']), lastModifiedDateTime: modified },
          row.companyId as string,
        );
      }
    };
    load('customers', bcSeed.customers);
    load('vendors', bcSeed.vendors);
    load('contacts', bcSeed.contacts);
    load('employees', bcSeed.employees);
    load('salesInvoices', bcSeed.salesInvoices);
    const base = Date.UTC(2024, 11, 31);
    core.bulk.forEach((spec, specIndex) => {
      if (spec.system !== 'bc') return;
      const generator = BULK_GENERATORS[spec.entitySet];
      if (!generator) throw new Error(`Bulk data is not available for Business Central entity '${spec.entitySet}'.`);
      const { prefix } = generator;
      const id = (i: number): string => bulkGuid(prefix, specIndex, i);
      table(spec.entitySet).bulk.push(
        new BulkSource(
          spec.count,
          (i) => ({
            id: id(i),
            ...generator.row(i, spec.email ?? `bulk.${spec.entitySet}.${i}@example.invalid`, isoFromIndex(base, i, 60)),
          }),
          id,
          (key) => bulkGuidIndex(prefix, specIndex, key),
        ),
      );
    });
  };
  reset();

  const handle = (request: SystemRequest): Reply => {
    const match = /^\/v2\.0\/([^/]+)\/([^/]+)\/api\/v2\.0(\/.*)?$/.exec(request.path);
    if (!match) throw new ServiceError(404, 'BadRequest_NotFound', 'The request URL is not valid.');
    const tenant = decodeURIComponent(match[1]!);
    const environment = decodeURIComponent(match[2]!);
    const claims = request.claims;
    if (claims && tenant.toLowerCase() !== claims.tid && tenant.toLowerCase() !== core.tenantDomain) {
      throw new ServiceError(401, 'Authentication_InvalidCredentials', 'The credentials provided are incorrect');
    }
    if (environment !== core.bcEnvironment) {
      throw new ServiceError(
        404,
        'NoEnvironment',
        `Environment '${environment}' does not exist in tenant '${tenant}'.`,
      );
    }
    const service = serviceFor(match[1]!, match[2]!);
    const segments = parsePath(match[3] ?? '/');
    const [companySeg, entitySeg, extra] = segments;
    if (!companySeg || companySeg.name !== 'companies' || extra) {
      throw new ServiceError(
        404,
        'BadRequest_NotFound',
        `Resource not found for the segment '${segments.map((s) => s.name).join('/')}'.`,
      );
    }
    const companies: Binding = { def: defs.companies!, table: table('companies') };
    if (!entitySeg) {
      if (request.method !== 'GET')
        throw new ServiceError(405, 'BadRequest_MethodNotAllowed', `'${request.method}' is not allowed on companies.`);
      return service.handle(companies, companySeg.key, request);
    }
    if (companySeg.key === undefined) throw new ServiceError(400, 'BadRequest', 'A company id is required.');
    const company = service.find(companies, companySeg.key);
    if (!company)
      throw new ServiceError(
        404,
        'Internal_CompanyNotFound',
        `Cannot process the request because the company cannot be found.`,
      );
    if (!(entitySeg.name in defs) || entitySeg.name === 'companies') {
      throw new ServiceError(404, 'BadRequest_NotFound', `Resource not found for the segment '${entitySeg.name}'.`);
    }
    const binding = bindingFor(entitySeg.name, company.row.data.id as string);
    return service.handle(binding, entitySeg.key, request);
  };

  return {
    id: 'bc',
    prefix: BUSINESS_CENTRAL_PREFIX,
    resource: `${core.baseUrl}${BUSINESS_CENTRAL_PREFIX}`,
    codes: {
      unauthorized: 'Authentication_InvalidCredentials',
      throttled: 'Application_TooManyRequests',
      throttledMessage: 'Too many requests reached. Please retry after the time specified in the Retry-After header.',
      internal: 'Internal_ServerError',
      unavailable: 'Internal_ServiceUnavailable',
      notFound: 'BadRequest_NotFound',
      badRequest: 'BadRequest',
    },
    handle,
    reset,
  };
}

import type { EntityInput } from '../describe.js';
import type { ApiSystem } from './types.js';
import { said } from '../../i18n/index.js';

const fnoGuide = 'https://docs.microsoft.com/en-us/dynamics365/unified-operations/dev-itpro/gdpr';

const all = { export: true, rectify: true, restrict: true, delete: true };

const WORKER_NOT_TERMINATED =
  'The worker is not terminated: only terminated workers can be deleted from Human Resources (Talent).';

/** The worker of Finance and Operations and of Human Resources (Talent): one entity in both. */
export const WORKER = {
  kind: 'worker',
  entitySet: 'Workers',
  key: 'PersonnelNumber',
  match: [
    { field: 'PrimaryContactEmail', by: 'email' },
    { field: 'Name', by: 'name' },
    { field: 'PersonnelNumber', by: 'employeeId', mode: 'exact' },
  ],
  show: ['PersonnelNumber', 'Name', 'WorkerStatus'],
  operations: { export: true, rectify: true, delete: true },
  changes: {
    rectify: ['FirstName', 'LastName', 'PrimaryContactEmail', 'PrimaryContactPhone', 'BirthDate'],
    retain: [
      {
        field: 'WorkerStatus',
        notIn: ['Terminated'],
        reason: WORKER_NOT_TERMINATED,
        said: said('change.keptReasons.workerNotTerminated'),
        basis: 'active-employment',
        ends: 'condition',
      },
    ],
  },
} satisfies EntityInput;

/** Dynamics 365 Finance and Operations, on its OData data entities. */
export const FINANCE_OPERATIONS: ApiSystem<'fno'> = {
  id: 'fno',
  name: 'Dynamics 365 Finance and Operations',
  metadata: 'fno',
  categories: {
    customer: ['identity', 'contactDetails', 'businessRelationship', 'financial'],
    vendor: ['identity', 'contactDetails', 'businessRelationship', 'financial'],
    worker: ['identity', 'contactDetails', 'employment'],
  },
  dialect: { wildcardEq: true, tolower: false },
  // Every legal entity, not only the app's default company.
  query: { 'cross-company': 'true' },
  entities: [
    {
      kind: 'customer',
      entitySet: 'CustomersV3',
      key: ['dataAreaId', 'CustomerAccount'],
      match: [
        { field: 'PrimaryContactEmail', by: 'email' },
        { field: 'OrganizationName', by: 'name' },
        { field: 'CustomerAccount', by: 'customerNumber', mode: 'exact' },
        { field: 'PrimaryContactPhone', by: 'phone', mode: 'exact' },
      ],
      show: ['dataAreaId', 'CustomerAccount', 'OrganizationName', 'PrimaryContactEmail'],
      operations: all,
      changes: {
        rectify: [
          'OrganizationName',
          'PersonFirstName',
          'PersonLastName',
          'PrimaryContactEmail',
          'PrimaryContactPhone',
          'AddressCity',
          'AddressStreet',
        ],
        restrict: { OnHoldStatus: 'All' },
      },
    },
    {
      kind: 'vendor',
      entitySet: 'VendorsV2',
      key: ['dataAreaId', 'VendorAccountNumber'],
      match: [
        { field: 'PrimaryEmailAddress', by: 'email' },
        { field: 'VendorOrganizationName', by: 'name' },
        { field: 'PrimaryPhoneNumber', by: 'phone', mode: 'exact' },
      ],
      show: ['dataAreaId', 'VendorAccountNumber', 'VendorOrganizationName', 'PrimaryEmailAddress'],
      operations: all,
      changes: {
        rectify: [
          'VendorOrganizationName',
          'PersonFirstName',
          'PersonLastName',
          'PrimaryEmailAddress',
          'PrimaryPhoneNumber',
          'AddressCity',
        ],
        restrict: { OnHoldStatus: 'All' },
      },
    },
    WORKER,
  ],
  manualSteps: [
    {
      text: 'Run the Person search report across all legal entities for the person’s name, email and account numbers.',
      said: said('guide.financeOperations.find'),
      link: {
        title: 'The Person search report',
        said: said('guide.links.personSearchReport'),
        url: `${fnoGuide}/gdpr-guide#the-person-search-report`,
      },
    },
    {
      text: 'Add your own entities to the report where the person may also be.',
      said: said('guide.financeOperations.extend'),
      link: {
        title: 'Extend the Person search report',
        said: said('guide.links.extendPersonSearchReport'),
        url: `${fnoGuide}/gdpr-extend-person-search-report`,
      },
    },
  ],
  guidance: {},
};

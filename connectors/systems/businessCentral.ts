import { BusinessCentralSource } from '../sources.js';
import type { ApiSystem } from './types.js';
import { said } from '../../i18n/index.js';

const docs = 'https://docs.microsoft.com/en-us/dynamics365';
const bcPersonalData = `${docs}/business-central/admin-responding-to-requests-about-personal-data`;

const all = { export: true, rectify: true, restrict: true, delete: true };
const readOnly = { export: true };

const BC_POSTED =
  'A posted document: personal data in financial transactions is kept "as is" for compliance with financial and tax law.';
const BC_OPEN_INVOICE =
  'An outstanding posted invoice: kept "as is" for financial and tax law, and Business Central keeps the customer while it is open.';
/** Dynamics 365 Business Central, on its API v2.0. */
export const BUSINESS_CENTRAL: ApiSystem<'bc'> = {
  id: 'bc',
  name: 'Dynamics 365 Business Central',
  metadata: 'bc',
  categories: {
    customer: ['identity', 'contactDetails', 'businessRelationship', 'financial'],
    vendor: ['identity', 'contactDetails', 'businessRelationship', 'financial'],
    contact: ['identity', 'contactDetails', 'marketingPreferences'],
    'sales invoice': ['financial', 'contactDetails'],
    employee: ['identity', 'contactDetails', 'employment', 'financial'],
  },
  // Business Central refuses `or` across fields (Learn, "Known Limitations with Business Central OData")
  // and is held to comparing text as written, which no published page rules out.
  dialect: { wildcardEq: false, tolower: false, orAcrossFields: false, caseSensitive: true },
  source: ({ http, serviceRoot, pageSize }, dialect) => new BusinessCentralSource(http, serviceRoot, dialect, pageSize),
  entities: [
    {
      kind: 'customer',
      entitySet: 'customers',
      key: 'id',
      match: [
        { field: 'email', by: 'email' },
        { field: 'displayName', by: 'name' },
        { field: 'number', by: 'customerNumber', mode: 'exact' },
        { field: 'phoneNumber', by: 'phone', mode: 'exact' },
      ],
      show: ['number', 'displayName', 'email', 'city', 'blocked'],
      operations: all,
      changes: {
        rectify: [
          'displayName',
          'email',
          'phoneNumber',
          'addressLine1',
          'addressLine2',
          'city',
          'postalCode',
          'country',
        ],
        // The customers API has no privacy-blocked field; `blocked: All` stops every transaction.
        restrict: { blocked: 'All' },
      },
    },
    {
      kind: 'sales invoice',
      entitySet: 'salesInvoices',
      key: 'id',
      related: { to: 'customer', field: 'customerId' },
      show: ['number', 'invoiceDate', 'status'],
      operations: readOnly,
      changes: {
        retain: [
          {
            field: 'status',
            in: ['Open'],
            reason: BC_OPEN_INVOICE,
            said: said('change.keptReasons.openInvoice'),
            keepsOwner: true,
            // Open until paid: checked again; once paid it is a posted document like any other.
            basis: 'open-invoice',
            ends: 'condition',
          },
          {
            field: 'status',
            notIn: ['Draft', 'Open'],
            reason: BC_POSTED,
            said: said('change.keptReasons.postedDocument'),
            basis: 'posted-document',
            // The invoice's date (salesInvoices.invoiceDate, connectors/metadata/bc.json); HGB § 257(5)
            // and AO § 147(4) count from the end of the calendar year the document arose in.
            dateField: 'invoiceDate',
            counted: 'year-end',
          },
        ],
      },
    },
    {
      kind: 'vendor',
      entitySet: 'vendors',
      key: 'id',
      match: [
        { field: 'email', by: 'email' },
        { field: 'displayName', by: 'name' },
        { field: 'phoneNumber', by: 'phone', mode: 'exact' },
      ],
      show: ['number', 'displayName', 'email', 'blocked'],
      operations: all,
      changes: {
        rectify: ['displayName', 'email', 'phoneNumber', 'addressLine1', 'city', 'postalCode', 'country'],
        restrict: { blocked: 'All' },
      },
    },
    {
      kind: 'contact',
      entitySet: 'contacts',
      key: 'id',
      match: [
        { field: 'email', by: 'email' },
        { field: 'displayName', by: 'name' },
        { field: 'phoneNumber', by: 'phone', mode: 'exact' },
      ],
      show: ['number', 'displayName', 'email', 'companyName', 'privacyBlocked'],
      operations: all,
      changes: {
        rectify: [
          'displayName',
          'email',
          'phoneNumber',
          'mobilePhoneNumber',
          'addressLine1',
          'city',
          'postalCode',
          'country',
        ],
        restrict: { privacyBlocked: true },
      },
    },
    {
      kind: 'employee',
      entitySet: 'employees',
      key: 'id',
      match: [
        { field: 'email', by: 'email' },
        { field: 'personalEmail', by: 'email' },
        { field: 'displayName', by: 'name' },
        { field: 'number', by: 'employeeId', mode: 'exact' },
      ],
      show: ['number', 'displayName', 'status', 'terminationDate'],
      // The employees API has no privacy-blocked field: restricting an employee is a guided step.
      operations: { export: true, rectify: true, delete: true },
      changes: {
        rectify: [
          'givenName',
          'middleName',
          'surname',
          'email',
          'personalEmail',
          'phoneNumber',
          'mobilePhone',
          'addressLine1',
          'city',
          'postalCode',
          'country',
          'birthDate',
        ],
      },
    },
  ],
  manualSteps: [
    {
      text: 'Filter customers, vendors, contacts and employees for the person, and check posted documents that must be kept.',
      said: said('guide.businessCentral.find'),
      link: {
        title: 'Respond to requests about personal data',
        said: said('guide.links.respondToRequests'),
        url: `${docs}/business-central/admin-responding-to-requests-about-personal-data#restrict-data-processing-for-a-data-subject`,
      },
    },
  ],
  guidance: {
    delete: [
      {
        text: 'After the contacts are deleted, run the Delete Canceled Interaction Log Entries batch job so their interactions are deleted too.',
        said: said('guide.businessCentral.afterDelete'),
        link: {
          title: 'Respond to requests about personal data',
          said: said('guide.links.respondToRequests'),
          url: bcPersonalData,
        },
      },
    ],
    restrict: [
      {
        text: 'Employees have no privacy block in the API: open the employee card and set Privacy Blocked by hand.',
        said: said('guide.businessCentral.restrictEmployee'),
        link: {
          title: 'Restrict data processing for a data subject',
          said: said('guide.links.restrictProcessing'),
          url: `${bcPersonalData}#restrict-data-processing-for-a-data-subject`,
        },
      },
    ],
  },
  deleteIfMatch: true,
};

import type { ManualStep } from '../dsr/discovery.js';
import type { EntityInput } from './describe.js';

/** The systems the guide covers. The first five have APIs; the others are walked through by hand. */
export const API_SYSTEMS = ['crm', 'bc', 'fno', 'hr', 'graph'] as const;
export type ApiSystemId = (typeof API_SYSTEMS)[number];
export const MANUAL_SYSTEMS = ['social', 'powerbi', 'logs'] as const;
export type ManualSystemId = (typeof MANUAL_SYSTEMS)[number];

export const SYSTEM_NAMES: Record<ApiSystemId | ManualSystemId, string> = {
  crm: 'Dynamics 365 Customer Engagement',
  bc: 'Dynamics 365 Business Central',
  fno: 'Dynamics 365 Finance and Operations',
  hr: 'Dynamics 365 Human Resources',
  graph: 'Microsoft 365 and Entra ID',
  social: 'Social Engagement',
  powerbi: 'Power BI',
  logs: 'System-generated logs',
};

const all = { export: true, rectify: true, restrict: true, delete: true };
const readOnly = { export: true };

/** Customer Engagement's do-not-contact and consent flags: what its restriction sets. */
const CE_DO_NOT_CONTACT = {
  donotemail: true,
  donotbulkemail: true,
  donotphone: true,
  donotpostalmail: true,
  donotfax: true,
  msdyn_gdproptout: true,
};

const BC_POSTED =
  'A posted document: personal data in financial transactions is kept "as is" for compliance with financial and tax law.';
const BC_OPEN_INVOICE =
  'An outstanding posted invoice: kept "as is" for financial and tax law, and Business Central keeps the customer while it is open.';
const ENTRA_ENABLED =
  'The account is enabled, so the person may still work here: an account is deleted once it is disabled (a record that does not say so is kept too).';
const WORKER_NOT_TERMINATED =
  'The worker is not terminated: only terminated workers can be deleted from Human Resources (Talent).';

/** The worker of Finance and Operations and of Human Resources (Talent): one entity in both. */
const WORKER = {
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
        basis: 'active-employment',
        ends: 'condition',
      },
    ],
  },
} satisfies EntityInput;

/** A user's profile as the access package shows it: every property of the user that is about the person. */
const GRAPH_USER_PROFILE = [
  'id',
  'accountEnabled',
  'ageGroup',
  'businessPhones',
  'city',
  'companyName',
  'country',
  'createdDateTime',
  'department',
  'displayName',
  'employeeHireDate',
  'employeeId',
  'employeeType',
  'faxNumber',
  'givenName',
  'jobTitle',
  'mail',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'otherMails',
  'postalCode',
  'preferredLanguage',
  'proxyAddresses',
  'state',
  'streetAddress',
  'surname',
  'usageLocation',
  'userPrincipalName',
  'userType',
  'assignedLicenses',
];

export const BUILT_IN_ENTITIES: Record<ApiSystemId, EntityInput[]> = {
  crm: [
    {
      kind: 'contact',
      entitySet: 'contacts',
      key: 'contactid',
      match: [
        { field: 'emailaddress1', by: 'email' },
        { field: 'emailaddress2', by: 'email' },
        { field: 'emailaddress3', by: 'email' },
        { field: 'fullname', by: 'name' },
        { field: 'telephone1', by: 'phone', mode: 'exact' },
        { field: 'mobilephone', by: 'phone', mode: 'exact' },
      ],
      show: ['fullname', 'emailaddress1', 'telephone1', 'donotbulkemail', 'msdyn_gdproptout'],
      operations: all,
      changes: {
        rectify: [
          'firstname',
          'lastname',
          'emailaddress1',
          'emailaddress2',
          'emailaddress3',
          'telephone1',
          'mobilephone',
          'birthdate',
          'address1_line1',
          'address1_city',
          'address1_postalcode',
          'address1_country',
        ],
        restrict: CE_DO_NOT_CONTACT,
      },
    },
    {
      kind: 'lead',
      entitySet: 'leads',
      key: 'leadid',
      match: [
        { field: 'emailaddress1', by: 'email' },
        { field: 'fullname', by: 'name' },
        { field: 'telephone1', by: 'phone', mode: 'exact' },
      ],
      show: ['fullname', 'emailaddress1', 'companyname', 'donotemail'],
      operations: all,
      changes: {
        rectify: ['firstname', 'lastname', 'emailaddress1', 'telephone1', 'mobilephone', 'companyname'],
        restrict: CE_DO_NOT_CONTACT,
      },
    },
    {
      kind: 'account (primary contact)',
      entitySet: 'accounts',
      key: 'accountid',
      related: { to: 'contact', field: '_primarycontactid_value' },
      show: ['name', 'emailaddress1', 'address1_city'],
      operations: readOnly,
    },
    {
      kind: 'activity',
      entitySet: 'activitypointers',
      key: 'activityid',
      related: { to: 'contact', field: '_regardingobjectid_value' },
      show: ['activitytypecode', 'subject', 'createdon'],
      operations: { export: true, delete: true },
      // Dataverse has no Delete on activitypointer (Learn, activitypointer table reference): an activity
      // is deleted through its own type's entity set.
      deleteThrough: {
        field: 'activitytypecode',
        entitySets: {
          email: 'emails',
          task: 'tasks',
          phonecall: 'phonecalls',
          appointment: 'appointments',
          letter: 'letters',
          fax: 'faxes',
        },
      },
    },
    {
      kind: 'activity party',
      entitySet: 'activityparties',
      key: 'activitypartyid',
      // A participant of an email, appointment, call or other activity (sender, to, cc, bcc, required
      // or optional attendee): by party id where the address resolved to the contact, and by the
      // address used where it did not. Parties have no Delete of their own (Learn, activityparty).
      related: { to: 'contact', field: '_partyid_value' },
      match: [{ field: 'addressused', by: 'email' }],
      show: ['addressused', 'participationtypemask', '_activityid_value'],
      operations: readOnly,
    },
    {
      kind: 'note',
      entitySet: 'annotations',
      key: 'annotationid',
      related: { to: 'contact', field: '_objectid_value' },
      show: ['subject', 'createdon'],
      operations: { export: true, rectify: true, delete: true },
      changes: { rectify: ['subject', 'notetext'] },
    },
  ],
  bc: [
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
            keepsOwner: true,
            // Open until paid: checked again; once paid it is a posted document like any other.
            basis: 'open-invoice',
            ends: 'condition',
          },
          {
            field: 'status',
            notIn: ['Draft', 'Open'],
            reason: BC_POSTED,
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
  fno: [
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
  // Human Resources shares the worker entity with Finance and Operations. The worker has no employment
  // dates (CDM HcmWorkerEntity): they belong to the worker's employments, which are not searched.
  hr: [WORKER],
  graph: [
    {
      kind: 'user',
      entitySet: 'users',
      key: 'id',
      match: [
        { field: 'mail', by: 'email' },
        { field: 'userPrincipalName', by: 'email' },
        { field: 'otherMails', by: 'email', mode: 'any' },
        { field: 'employeeId', by: 'employeeId', mode: 'exact' },
      ],
      // Graph returns a handful of user properties unless `$select` names them (Learn, List users).
      read: GRAPH_USER_PROFILE,
      show: ['displayName', 'userPrincipalName', 'employeeId', 'jobTitle', 'accountEnabled'],
      // Restricting a user removes their licences, which is not a field: see the Graph change hook.
      operations: all,
      changes: {
        rectify: [
          'displayName',
          'givenName',
          'surname',
          'jobTitle',
          'department',
          'officeLocation',
          'mobilePhone',
          'preferredLanguage',
        ],
        // `notIn: [false]`: a user whose accountEnabled was not read is kept, never deleted by default.
        retain: [
          {
            field: 'accountEnabled',
            notIn: [false],
            reason: ENTRA_ENABLED,
            basis: 'enabled-account',
            ends: 'condition',
          },
        ],
      },
    },
    {
      kind: 'licence',
      entitySet: 'licenseDetails',
      key: 'id',
      related: { to: 'user', via: 'navigation', field: 'licenseDetails' },
      show: ['skuPartNumber'],
      // Licences go with the user when it is deleted, and are what a restriction removes.
      operations: readOnly,
    },
    {
      kind: 'manager',
      entitySet: 'manager',
      key: 'id',
      related: { to: 'user', via: 'navigation', field: 'manager' },
      show: ['displayName', 'userPrincipalName'],
      operations: readOnly,
    },
  ],
};

const docs = 'https://docs.microsoft.com/en-us/dynamics365';
const social = `${docs}/customer-engagement/social-engagement`;
const fnoGuide = `${docs}/unified-operations/dev-itpro/gdpr`;

/** What to do by hand, per system, when it is not connected or has no API; from the guide. */
export const MANUAL_STEPS: Record<ApiSystemId | ManualSystemId, ManualStep[]> = {
  crm: [
    {
      text: 'Search contacts, leads, accounts, activities and notes for the person with Relevance Search, and save an Advanced Find of what you find.',
      link: { title: 'Relevance Search', url: `${docs}/customer-engagement/basics/relevance-search-results` },
    },
    {
      text: 'If Marketing is in use, retrieve the contact’s interactions (emails, forms, events).',
      link: {
        title: 'Retrieve interactions for a contact',
        url: `${docs}/customer-engagement/marketing/developer/retrieve-interactions-contact`,
      },
    },
  ],
  bc: [
    {
      text: 'Filter customers, vendors, contacts and employees for the person, and check posted documents that must be kept.',
      link: {
        title: 'Respond to requests about personal data',
        url: `${docs}/business-central/admin-responding-to-requests-about-personal-data#restrict-data-processing-for-a-data-subject`,
      },
    },
  ],
  fno: [
    {
      text: 'Run the Person search report across all legal entities for the person’s name, email and account numbers.',
      link: { title: 'The Person search report', url: `${fnoGuide}/gdpr-guide#the-person-search-report` },
    },
    {
      text: 'Add your own entities to the report where the person may also be.',
      link: { title: 'Extend the Person search report', url: `${fnoGuide}/gdpr-extend-person-search-report` },
    },
  ],
  hr: [
    {
      text: 'Run the Person search report in Human Resources for the worker, and note whether their employment has ended.',
      link: { title: 'The Person search report', url: `${fnoGuide}/gdpr-guide#the-person-search-report` },
    },
  ],
  graph: [
    {
      text: 'In the Microsoft 365 admin center, find the user by email or employee id and note their licences and manager.',
    },
  ],
  social: [
    {
      text: 'Social Engagement is retired and has no API. Look the person up among authors and export their author information.',
      link: { title: 'Manage authors', url: `${social}/manage-authors#export-author-information` },
    },
    {
      text: 'Check author tags that name the person.',
      link: { title: 'Author tags', url: `${social}/author-tags#export-author-tags-data` },
    },
    {
      text: 'Check whether the person receives email alerts.',
      link: { title: 'Alert recipients', url: `${social}/email-alerts#manage-alert-recipients-as-administrator` },
    },
    {
      text: 'Check social profiles linked to the person.',
      link: { title: 'Social profiles', url: `${social}/manage-social-profiles` },
    },
  ],
  powerbi: [
    {
      text: 'Check Power BI content packs built on Social Engagement data for the person’s user name.',
      link: { title: 'Power BI content pack', url: `${social}/get-content-pack-for-power-bi` },
    },
  ],
  logs: [
    {
      text: 'System-generated logs have no API for this: request a Data Log Export for the person in the Service Trust Portal.',
      link: { title: 'Service Trust Portal', url: 'https://servicetrust.microsoft.com/' },
    },
  ],
};

import { bcSeed, crmSeed, subjects } from '../../sandbox/index.js';
import { runContract } from './contract.js';

const maria = subjects.mariaGarcia;
const jordan = subjects.jordanLee;
const mariasActivities = crmSeed.activities.filter((a) => a._regardingobjectid_value === maria.crmContactId).length;
const mariasCompany = bcSeed.customers.find((c) => c.id === maria.bcCustomerId)!.companyId;

runContract({
  system: 'crm',
  sandboxSystem: 'crm',
  find: {
    query: { names: ['Maria Garcia'], emails: [maria.email] },
    counts: {
      contact: 1,
      'account (primary contact)': 1,
      activity: mariasActivities,
      'activity party': crmSeed.activityparties.filter((p) => p._partyid_value === maria.crmContactId).length,
      note: 1,
      'marketing interaction': crmSeed.interactions.filter((i) => i.ContactId === maria.crmContactId).length,
    },
    shows: 'donotbulkemail.*EmailOpened',
  },
  apostrophe: { query: { names: ["Sean O'Brien"] }, counts: { lead: 1 } },
  changes: {
    query: { names: ['Maria Garcia'], emails: [maria.email] },
    rectify: {
      correction: { kind: 'contact', field: 'telephone1', value: '+34 600 000 111' },
      targetId: maria.crmContactId,
      edit: {
        url: (sandbox) => `${sandbox.endpoints.dataverse}contacts(${maria.crmContactId})`,
        resource: (sandbox) => sandbox.resources.dataverse,
        body: { telephone1: '+34 600 000 999' },
      },
    },
    restrict: { contact: 1 },
    isolate: { activity: mariasActivities, note: 1, contact: 1 },
    delete: { targets: { activity: mariasActivities, note: 1, contact: 1 }, retained: {} },
  },
  paging: {
    bulk: [{ system: 'crm', entitySet: 'activitypointers', count: 1200 }],
    config: { pageSize: 500 },
    query: { emails: [maria.email] },
    kind: 'activity',
    count: 1200 + mariasActivities,
    minPages: 3,
  },
});

runContract({
  system: 'bc',
  sandboxSystem: 'bc',
  find: {
    query: { names: ['Maria Garcia'], emails: [maria.email], customerNumbers: [maria.bcCustomerNumber] },
    counts: {
      customer: 1,
      'sales invoice': bcSeed.salesInvoices.filter((i) => i.customerId === maria.bcCustomerId).length,
    },
    shows: 'C00010',
  },
  apostrophe: { query: { names: ["Sean O'Brien"] }, counts: { contact: 1 } },
  changes: {
    query: { names: ['Maria Garcia'], emails: [maria.email], customerNumbers: [maria.bcCustomerNumber] },
    rectify: {
      correction: { kind: 'customer', field: 'city', value: 'Valencia' },
      targetId: maria.bcCustomerId,
      edit: {
        url: (sandbox) =>
          `${sandbox.endpoints.businessCentral}companies(${mariasCompany})/customers(${maria.bcCustomerId})`,
        resource: (sandbox) => sandbox.resources.businessCentral,
        body: { city: 'Sevilla' },
      },
    },
    restrict: { customer: 1 },
    // Her invoices are posted and paid: kept as they are, while the customer itself may go.
    delete: {
      targets: { customer: 1 },
      retained: { 'sales invoice': maria.bcInvoiceIds.length },
      guided: /Delete Canceled Interaction Log Entries/,
    },
  },
  // Business Central pages at 20,000 whatever the client asks, so 20,050 contacts take two pages.
  paging: {
    bulk: [{ system: 'bc', entitySet: 'contacts', count: 20_050, email: 'many.contacts@example.invalid' }],
    query: { emails: ['many.contacts@example.invalid'] },
    kind: 'contact',
    count: 20_050,
    minPages: 2,
  },
});

runContract({
  system: 'fno',
  sandboxSystem: 'fno',
  // Maria is a customer in two legal entities; only a cross-company query finds both.
  find: { query: { names: ['Maria Garcia'], emails: [maria.email] }, counts: { customer: 2 }, shows: 'demf' },
  changes: {
    query: { names: ['Maria Garcia'], emails: [maria.email] },
    rectify: {
      correction: { kind: 'customer', field: 'AddressCity', value: 'Valencia' },
      targetId: 'usmf/US-0042',
      edit: {
        url: (sandbox) =>
          `${sandbox.endpoints.financeOperations}CustomersV3(dataAreaId='usmf',CustomerAccount='US-0042')?cross-company=true`,
        resource: (sandbox) => sandbox.resources.financeOperations,
        body: { AddressCity: 'Sevilla' },
      },
    },
    restrict: { customer: 2 },
    delete: { targets: { customer: 2 }, retained: {} },
  },
  paging: {
    bulk: [{ system: 'fno', entitySet: 'CustomersV3', count: 10_050 }],
    config: {
      builtIn: false,
      entities: [
        {
          kind: 'bulk customer',
          entitySet: 'CustomersV3',
          key: ['dataAreaId', 'CustomerAccount'],
          match: [{ field: 'OrganizationName', by: 'name', mode: 'wildcard' }],
          show: ['CustomerAccount', 'OrganizationName'],
        },
      ],
    },
    query: { names: ['Bulk Customer'] },
    kind: 'bulk customer',
    count: 10_050,
    minPages: 2,
  },
});

runContract({
  system: 'hr',
  sandboxSystem: 'hr',
  // E-10420 (Jordana Lee) must not match E-1042.
  find: {
    query: { names: ['Jordan Lee'], emails: [jordan.email], employeeIds: [jordan.employeeId] },
    counts: { worker: 1 },
    shows: 'Terminated',
  },
  changes: {
    query: { names: ['Jordan Lee'], emails: [jordan.email], employeeIds: [jordan.employeeId] },
    rectify: {
      correction: { kind: 'worker', field: 'PrimaryContactPhone', value: '+1 555 0142' },
      targetId: jordan.employeeId,
      edit: {
        url: (sandbox) => `${sandbox.endpoints.humanResources}Workers('${jordan.employeeId}')`,
        resource: (sandbox) => sandbox.resources.humanResources,
        body: { PrimaryContactPhone: '+1 555 0199' },
      },
    },
    delete: { targets: { worker: 1 }, retained: {} },
    kept: {
      query: { employeeIds: [subjects.priyaNair.employeeId] },
      retained: { worker: 1 },
      reason: /not terminated/,
    },
  },
  // Human Resources pages at 10,000, so 10,050 worker records of one person take two pages.
  paging: {
    bulk: [{ system: 'hr', entitySet: 'Workers', count: 10_050, email: 'many.workers@example.invalid' }],
    query: { emails: ['many.workers@example.invalid'] },
    kind: 'worker',
    count: 10_050,
    minPages: 2,
  },
});

runContract({
  system: 'graph',
  sandboxSystem: 'graph',
  find: {
    query: { emails: [jordan.email], employeeIds: [jordan.employeeId] },
    counts: { user: 1, licence: 2, manager: 1 },
    shows: 'ENTERPRISEPACK',
  },
  changes: {
    query: { emails: [jordan.email], employeeIds: [jordan.employeeId] },
    rectify: {
      correction: { kind: 'user', field: 'jobTitle', value: 'Senior Analyst' },
      targetId: jordan.entraId,
      edit: {
        url: (sandbox) => `${sandbox.endpoints.graph}users/${jordan.entraId}`,
        resource: (sandbox) => sandbox.resources.graph,
        body: { jobTitle: 'Team Lead' },
      },
    },
    // Restricting an employee removes their licences.
    restrict: { user: 1 },
    delete: { targets: { user: 1 }, retained: {} },
  },
  paging: {
    config: { pageSize: 1 },
    query: { emails: [jordan.email, subjects.priyaNair.email] },
    kind: 'user',
    count: 2,
    minPages: 2,
  },
});

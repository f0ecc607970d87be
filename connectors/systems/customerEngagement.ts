import { marketingInteractions } from '../marketing.js';
import type { ApiSystem } from './types.js';
import { said } from '../../i18n/index.js';

const docs = 'https://docs.microsoft.com/en-us/dynamics365';

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

/** Dynamics 365 Customer Engagement, on Dataverse's Web API. */
export const CUSTOMER_ENGAGEMENT: ApiSystem<'crm'> = {
  id: 'crm',
  name: 'Dynamics 365 Customer Engagement',
  metadata: 'dataverse',
  categories: {
    contact: ['identity', 'contactDetails', 'marketingPreferences'],
    lead: ['identity', 'contactDetails', 'marketingPreferences', 'businessRelationship'],
    'account (primary contact)': ['businessRelationship', 'contactDetails'],
    activity: ['communications'],
    'activity party': ['communications', 'contactDetails'],
    note: ['notes'],
    'marketing interaction': ['marketingInteractions'],
  },
  // Activity columns the CDM leaves out (Learn, "activitypointer table/entity reference":
  // activitytypecode "Activity Type", activityid "Activity").
  labels: { activitytypecode: 'Activity Type', activityid: 'Activity' },
  // Dataverse compares text case-insensitively already.
  dialect: { wildcardEq: false, tolower: false },
  headers: { 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' },
  entities: [
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
  manualSteps: [
    {
      text: 'Search contacts, leads, accounts, activities and notes for the person with Relevance Search, and save an Advanced Find of what you find.',
      said: said('guide.customerEngagement.find'),
      link: {
        title: 'Relevance Search',
        said: said('guide.links.relevanceSearch'),
        url: `${docs}/customer-engagement/basics/relevance-search-results`,
      },
    },
    {
      text: 'If Marketing is in use, retrieve the contact’s interactions (emails, forms, events).',
      said: said('guide.customerEngagement.marketing'),
      link: {
        title: 'Retrieve interactions for a contact',
        said: said('guide.links.contactInteractions'),
        url: `${docs}/customer-engagement/marketing/developer/retrieve-interactions-contact`,
      },
    },
  ],
  guidance: {
    isolate: [
      {
        text: 'Extract and isolate: the records go into the package first and are then deleted from Customer Engagement, so nothing processes them any more. Store the package in the separate, isolated container your organisation uses for restricted data; lifting the restriction means importing it again by hand.',
        said: said('guide.customerEngagement.isolate'),
        link: {
          title: 'A separate container: Azure Storage, Blob storage',
          said: said('guide.links.blobStorage'),
          url: 'https://docs.microsoft.com/en-us/azure/storage/common/storage-introduction#blob-storage',
        },
      },
    ],
  },
  deleteByHand: {
    // Dataverse has no DELETE on activityparty: a party row goes with its activity or is edited on it.
    'activity party': {
      text: 'The person is a sender, recipient or attendee of an activity that is not theirs to delete: remove them from its parties, or delete the activity if it is only about them.',
      said: said('change.keptReasons.activityParty'),
    },
    'account (primary contact)': {
      text: 'The person is the primary contact of this account: choose another primary contact (or clear it) on the account; the account itself is not theirs.',
      said: said('change.keptReasons.primaryContact'),
    },
  },
  removedWithOwner: {
    // The guide: in Dynamics 365 Marketing, deleting a contact removes its interaction data too.
    'marketing interaction': 'Deleting the contact removes its Marketing interaction data as well.',
  },
  // Outbound Marketing interactions of the contacts found, where a deployment still has Marketing.
  extras: ({ http, serviceRoot, marketing }) => (marketing ? [marketingInteractions(http, serviceRoot)] : []),
  isolateDeletes: true,
};

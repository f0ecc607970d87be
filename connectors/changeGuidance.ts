import type { ChangeRight } from '../dsr/changes.js';
import type { ManualStep } from '../dsr/discovery.js';
import type { ApiSystemId } from './builtin.js';

const docs = 'https://docs.microsoft.com/en-us/dynamics365';
const bcPersonalData = `${docs}/business-central/admin-responding-to-requests-about-personal-data`;

/**
 * Records a deletion reads but the API cannot delete, per system and kind, and what a person does
 * with them instead; a kind not named here gets a general instruction.
 */
export const DELETE_BY_HAND: Partial<Record<ApiSystemId, Record<string, string>>> = {
  crm: {
    // Dataverse has no DELETE on activityparty: a party row goes with its activity or is edited on it.
    'activity party':
      'The person is a sender, recipient or attendee of an activity that is not theirs to delete: remove them from its parties, or delete the activity if it is only about them.',
    'account (primary contact)':
      'The person is the primary contact of this account: choose another primary contact (or clear it) on the account; the account itself is not theirs.',
  },
};

/** Kinds removed together with the record they belong to, per system, with why. */
export const REMOVED_WITH_OWNER: Partial<Record<ApiSystemId, Record<string, string>>> = {
  crm: {
    // The guide: in Dynamics 365 Marketing, deleting a contact removes its interaction data too.
    'marketing interaction': 'Deleting the contact removes its Marketing interaction data as well.',
  },
  graph: {
    licence: 'Licences are assignments on the user account and go with it when it is deleted.',
    manager: "The manager is another person's account; only the link from the deleted user goes with it.",
  },
};

/** What a person does by hand around an automated change, per system and right; from the guide. */
export const CHANGE_GUIDANCE: Record<ApiSystemId, Partial<Record<ChangeRight | 'isolate', ManualStep[]>>> = {
  crm: {
    isolate: [
      {
        text: 'Extract and isolate: the records go into the package first and are then deleted from Customer Engagement, so nothing processes them any more. Store the package in the separate, isolated container your organisation uses for restricted data; lifting the restriction means importing it again by hand.',
        link: {
          title: 'A separate container: Azure Storage, Blob storage',
          url: 'https://docs.microsoft.com/en-us/azure/storage/common/storage-introduction#blob-storage',
        },
      },
    ],
  },
  bc: {
    delete: [
      {
        text: 'After the contacts are deleted, run the Delete Canceled Interaction Log Entries batch job so their interactions are deleted too.',
        link: { title: 'Respond to requests about personal data', url: bcPersonalData },
      },
    ],
    restrict: [
      {
        text: 'Employees have no privacy block in the API: open the employee card and set Privacy Blocked by hand.',
        link: {
          title: 'Restrict data processing for a data subject',
          url: `${bcPersonalData}#restrict-data-processing-for-a-data-subject`,
        },
      },
    ],
  },
  fno: {},
  hr: {
    delete: [
      {
        text: 'Only terminated workers can be deleted; an active worker is kept until their employment has ended.',
        link: {
          title: 'Requests for personal data in Talent',
          url: `${docs}/unified-operations/dev-itpro/gdpr/respond-dsr-request-talent#additional-notes-that-apply-to-requests-for-personal-data`,
        },
      },
    ],
  },
  graph: {},
};

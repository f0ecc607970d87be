import type { ChangeRight } from '../dsr/changes.js';
import type { ManualStep } from '../dsr/discovery.js';
import type { ApiSystemId } from './builtin.js';

const docs = 'https://docs.microsoft.com/en-us/dynamics365';
const bcPersonalData = `${docs}/business-central/admin-responding-to-requests-about-personal-data`;

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

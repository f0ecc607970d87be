import { WORKER } from './financeOperations.js';
import type { ApiSystem } from './types.js';
import { said } from '../../i18n/index.js';

const docs = 'https://docs.microsoft.com/en-us/dynamics365';
const fnoGuide = `${docs}/unified-operations/dev-itpro/gdpr`;

/** Dynamics 365 Human Resources (Talent), on the Finance and Operations data entities. */
export const HUMAN_RESOURCES: ApiSystem<'hr'> = {
  id: 'hr',
  name: 'Dynamics 365 Human Resources',
  metadata: 'fno',
  categories: { worker: ['identity', 'contactDetails', 'employment'] },
  dialect: { wildcardEq: true, tolower: false },
  // Human Resources shares the worker entity with Finance and Operations. The worker has no employment
  // dates (CDM HcmWorkerEntity): they belong to the worker's employments, which are not searched.
  entities: [WORKER],
  manualSteps: [
    {
      text: 'Run the Person search report in Human Resources for the worker, and note whether their employment has ended.',
      said: said('guide.humanResources.find'),
      link: {
        title: 'The Person search report',
        said: said('guide.links.personSearchReport'),
        url: `${fnoGuide}/gdpr-guide#the-person-search-report`,
      },
    },
  ],
  guidance: {
    delete: [
      {
        text: 'Only terminated workers can be deleted; an active worker is kept until their employment has ended.',
        said: said('guide.humanResources.deleteTerminated'),
        link: {
          title: 'Requests for personal data in Talent',
          said: said('guide.links.talentRequests'),
          url: `${docs}/unified-operations/dev-itpro/gdpr/respond-dsr-request-talent#additional-notes-that-apply-to-requests-for-personal-data`,
        },
      },
    ],
  },
};

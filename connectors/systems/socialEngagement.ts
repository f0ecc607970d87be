import type { ManualSystem } from './types.js';
import { said } from '../../i18n/index.js';

const social = 'https://docs.microsoft.com/en-us/dynamics365/customer-engagement/social-engagement';

/** Social Engagement: retired, without an API. */
export const SOCIAL_ENGAGEMENT: ManualSystem<'social'> = {
  id: 'social',
  name: 'Social Engagement',
  manualSteps: [
    {
      text: 'Social Engagement is retired and has no API. Look the person up among authors and export their author information.',
      said: said('guide.socialEngagement.authors'),
      link: {
        title: 'Manage authors',
        said: said('guide.links.manageAuthors'),
        url: `${social}/manage-authors#export-author-information`,
      },
    },
    {
      text: 'Check author tags that name the person.',
      said: said('guide.socialEngagement.tags'),
      link: {
        title: 'Author tags',
        said: said('guide.links.authorTags'),
        url: `${social}/author-tags#export-author-tags-data`,
      },
    },
    {
      text: 'Check whether the person receives email alerts.',
      said: said('guide.socialEngagement.alerts'),
      link: {
        title: 'Alert recipients',
        said: said('guide.links.alertRecipients'),
        url: `${social}/email-alerts#manage-alert-recipients-as-administrator`,
      },
    },
    {
      text: 'Check social profiles linked to the person.',
      said: said('guide.socialEngagement.profiles'),
      link: {
        title: 'Social profiles',
        said: said('guide.links.socialProfiles'),
        url: `${social}/manage-social-profiles`,
      },
    },
  ],
};

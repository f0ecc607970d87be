import type { ManualSystem } from './types.js';
import { said } from '../../i18n/index.js';

const social = 'https://docs.microsoft.com/en-us/dynamics365/customer-engagement/social-engagement';

/** Power BI content packs built on Social Engagement data. */
export const POWER_BI: ManualSystem<'powerbi'> = {
  id: 'powerbi',
  name: 'Power BI',
  manualSteps: [
    {
      text: 'Check Power BI content packs built on Social Engagement data for the person’s user name.',
      said: said('guide.powerBi.find'),
      link: {
        title: 'Power BI content pack',
        said: said('guide.links.powerBiContentPack'),
        url: `${social}/get-content-pack-for-power-bi`,
      },
    },
  ],
};

import type { ManualSystem } from './types.js';
import { said } from '../../i18n/index.js';

/** The logs Microsoft keeps of the services, exported through the Service Trust Portal. */
export const SYSTEM_LOGS: ManualSystem<'logs'> = {
  id: 'logs',
  name: 'System-generated logs',
  manualSteps: [
    {
      text: 'System-generated logs have no API for this: request a Data Log Export for the person in the Service Trust Portal.',
      said: said('guide.systemLogs.find'),
      link: {
        title: 'Service Trust Portal',
        said: said('guide.links.serviceTrustPortal'),
        url: 'https://servicetrust.microsoft.com/',
      },
    },
  ],
};

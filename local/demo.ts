import type { AppConfig, LocalDemo } from '../app/config.js';
import { configOrExit, loadConfig } from '../app/config.js';
import { people, TENANT_DOMAIN } from '../sandbox/seed.js';
import { SANDBOX_MAILBOX_LOCAL_PART } from '../sandbox/systems/graphMail.js';

/**
 * The sample team a local run works with, so the demo needs no set-up: Megan Bowen and Adele Vance
 * are the privacy team, Alex Wilber an employee the dashboard refuses, and letters leave from the
 * sandbox's privacy mailbox.
 */
export const LOCAL_DEMO: LocalDemo = {
  privacyTeam: [people.meganBowen, people.adeleVance],
  signInPeople: [
    { id: people.meganBowen, name: 'Megan Bowen' },
    { id: people.adeleVance, name: 'Adele Vance' },
    { id: people.alexWilber, name: 'Alex Wilber' },
  ],
  mailbox: `${SANDBOX_MAILBOX_LOCAL_PART}@${TENANT_DOMAIN}`,
};

/** The configuration of a local run: the environment's, with the sample team where it names none. */
export function loadLocalConfig(env: Record<string, string | undefined>): AppConfig {
  return loadConfig(env, LOCAL_DEMO);
}

/** As configOrExit, for `npm start`, which may be the local demo. */
export function localConfigOrExit(): Promise<AppConfig> {
  return configOrExit(LOCAL_DEMO);
}

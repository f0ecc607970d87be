import { TEST_AUDIT_KEY } from './auditKey.js';

/** The periods a test deployment keeps records for, one per legal reason the built-in systems use. */
export const TEST_KEPT_PERIODS = 'posted-document=10y, open-invoice=3m, active-employment=6m, enabled-account=3m';

/**
 * What a deployment (an App ID, a shared database) must name and a test would otherwise repeat: the
 * audit key, shared by instances on one database, and, with an App ID, the kept records' periods.
 */
export function deploymentSettings(env: Record<string, string | undefined>): Record<string, string> {
  return {
    ...(env.DSR_DATABASE_URL || env.MicrosoftAppId ? { DSR_AUDIT_KEY: TEST_AUDIT_KEY } : {}),
    ...(env.MicrosoftAppId ? { DSR_KEPT_PERIODS: TEST_KEPT_PERIODS } : {}),
  };
}

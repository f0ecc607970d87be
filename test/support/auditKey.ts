/** The audit key every test instance of a deployment uses, so instances on one database agree. */
export const TEST_AUDIT_KEY = 'shared-audit-key-for-tests-0123456789ab';

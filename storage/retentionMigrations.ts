import type { Migration } from './migration.js';

/**
 * Finding the closed cases due for the purge, and the other cases of the same person, without a
 * scan of every case. Numbered 20 (after the issue that brought it) so that steps other changes add
 * meanwhile keep their own numbers; the order they run in is the order of the list.
 */
export const RETENTION_MIGRATIONS: readonly Migration[] = [
  {
    version: 20,
    name: 'purge due dates and strong identifiers of the data subject',
    statements: (t) => [
      `CREATE INDEX cases_purge_due ON ${t('cases')} ((body->>'purgeAfter'))
         WHERE status = 'closed' AND (body->'purge'->>'doneAt') IS NULL`,
      `CREATE INDEX cases_subject_emails ON ${t('cases')} USING gin ((body->'subject'->'emails'))`,
      `CREATE INDEX cases_subject_customer ON ${t('cases')} ((body->'subject'->'identifiers'->>'customerNumber'))`,
      `CREATE INDEX cases_subject_employee ON ${t('cases')} ((body->'subject'->'identifiers'->>'employeeId'))`,
    ],
  },
  {
    // Issue 20, item 2: kept records whose reason ends; numbered so as not to take another's number.
    version: 202,
    name: 'kept records due for their follow-up erasure',
    statements: (t) => [
      `CREATE INDEX cases_kept_due ON ${t('cases')} ((body->>'keptDueAt')) WHERE (body->>'keptDueAt') IS NOT NULL`,
    ],
  },
];

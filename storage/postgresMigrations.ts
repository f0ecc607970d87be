import { GENESIS_HASH } from '../dsr/audit.js';
import { MAILBOX_MIGRATIONS } from './mailboxMigrations.js';
import { RETENTION_MIGRATIONS } from './retentionMigrations.js';
import { SHARED_STATE_MIGRATIONS } from './sharedStateMigrations.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/**
 * The schema, one numbered step at a time. A step is never edited once released: a change to
 * the schema is a new step, so every instance and every existing database agree on what ran.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'cases, id counters, audit trail and conversation state',
    statements: (t) => [
      `CREATE TABLE ${t('cases')} (
         id text PRIMARY KEY,
         version integer NOT NULL,
         requester_id text NOT NULL,
         status text NOT NULL,
         due_at timestamptz NOT NULL,
         intake_key text NOT NULL UNIQUE,
         is_open boolean NOT NULL,
         created_at timestamptz NOT NULL,
         body jsonb NOT NULL
       )`,
      `CREATE INDEX ON ${t('cases')} (requester_id)`,
      `CREATE INDEX ON ${t('cases')} (status)`,
      `CREATE INDEX ON ${t('cases')} (due_at) WHERE is_open`,
      `CREATE TABLE ${t('case_counters')} (year integer PRIMARY KEY, last integer NOT NULL)`,
      // The event is kept as json (not jsonb) so it reads back exactly as it was hashed.
      `CREATE TABLE ${t('audit_events')} (seq bigint PRIMARY KEY, case_id text, event json NOT NULL)`,
      `CREATE INDEX ON ${t('audit_events')} (case_id, seq)`,
      `CREATE TABLE ${t('audit_head')} (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL, hash text NOT NULL)`,
      `INSERT INTO ${t('audit_head')} (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`,
      `CREATE TABLE ${t('state')} (
         key text PRIMARY KEY,
         etag text NOT NULL,
         value jsonb NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
    ],
  },
  {
    version: 2,
    name: 'per-record ledger of the steps that change data',
    statements: (t) => [
      // Targets are written sorted by their order, so seq is the order they run in.
      `CREATE TABLE ${t('change_targets')} (
         case_id text NOT NULL,
         step_id text NOT NULL,
         preview_hash text NOT NULL,
         seq integer NOT NULL,
         target_id text NOT NULL,
         target jsonb NOT NULL,
         PRIMARY KEY (case_id, step_id, preview_hash, seq)
       )`,
      `CREATE TABLE ${t('change_outcomes')} (
         case_id text NOT NULL,
         step_id text NOT NULL,
         preview_hash text NOT NULL,
         target_id text NOT NULL,
         status text NOT NULL,
         outcome jsonb NOT NULL,
         at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (case_id, step_id, preview_hash, target_id)
       )`,
      `CREATE TABLE ${t('change_leases')} (
         case_id text NOT NULL,
         step_id text NOT NULL,
         holder text NOT NULL,
         until timestamptz NOT NULL,
         PRIMARY KEY (case_id, step_id)
       )`,
    ],
  },
  ...SHARED_STATE_MIGRATIONS,
  // Listed by number; a database that ran the later steps first runs this one on its next start.
  ...MAILBOX_MIGRATIONS,
  ...RETENTION_MIGRATIONS,
];

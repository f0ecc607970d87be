import type { Migration } from './migration.js';

/**
 * What several instances must share beyond cases and conversation state: the outbox, leases
 * (who runs the reminder pass, who sends to a conversation), export package metadata, and the
 * time each case last changed, so the instance running reminders learns of changes made elsewhere.
 */
export const SHARED_STATE_MIGRATIONS: readonly Migration[] = [
  {
    version: 3,
    name: 'outbox, leases, export packages and case change times',
    statements: (t) => [
      `CREATE TABLE ${t('outbox')} (
         id text PRIMARY KEY,
         conversation_key text NOT NULL,
         status text NOT NULL,
         not_before timestamptz NOT NULL,
         enqueued_at timestamptz NOT NULL,
         lease_owner text,
         lease_until timestamptz,
         record jsonb NOT NULL
       )`,
      `CREATE INDEX ON ${t('outbox')} (not_before, enqueued_at) WHERE status = 'pending'`,
      `CREATE TABLE ${t('outbox_attempts')} (conversation_key text NOT NULL, at timestamptz NOT NULL)`,
      `CREATE INDEX ON ${t('outbox_attempts')} (at)`,
      `CREATE TABLE ${t('leases')} (name text PRIMARY KEY, owner text NOT NULL, until timestamptz NOT NULL)`,
      `CREATE TABLE ${t('packages')} (
         package_id text PRIMARY KEY,
         case_id text NOT NULL,
         owner_id text NOT NULL,
         expires_at timestamptz NOT NULL,
         bytes bigint NOT NULL,
         path text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX ON ${t('packages')} (expires_at)`,
      `ALTER TABLE ${t('cases')} ADD COLUMN changed_at timestamptz NOT NULL DEFAULT clock_timestamp()`,
      `CREATE INDEX ON ${t('cases')} (changed_at)`,
      `CREATE FUNCTION ${t('touch_case')}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN NEW.changed_at := clock_timestamp(); RETURN NEW; END
       $$`,
      `CREATE TRIGGER touch_case BEFORE UPDATE ON ${t('cases')} FOR EACH ROW EXECUTE FUNCTION ${t('touch_case')}()`,
    ],
  },
];

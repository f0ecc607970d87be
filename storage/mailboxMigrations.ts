import type { Migration } from './migration.js';

/**
 * The privacy mailbox's watcher (issue 18): where its delta query stands, per mailbox, and each
 * message it has seen, keyed by Graph's message id, so every instance agrees on what was drafted.
 * Numbered 18 after the issue, so steps other changes add meanwhile keep their own numbers.
 */
export const MAILBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 18,
    name: 'privacy mailbox: delta link and the messages seen',
    statements: (t) => [
      `CREATE TABLE ${t('mailbox_sync')} (
         mailbox text PRIMARY KEY,
         sync jsonb NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE TABLE ${t('mailbox_mail')} (
         message_id text PRIMARY KEY,
         state text NOT NULL,
         conversation_id text,
         seen_at timestamptz NOT NULL,
         record jsonb NOT NULL
       )`,
      `CREATE INDEX ON ${t('mailbox_mail')} (conversation_id, seen_at)`,
    ],
  },
];

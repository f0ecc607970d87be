import type { MailboxStore, MailboxSync, MailDecision, MailRecord } from '../dsr/mailbox/mailboxStore.js';
import type { PostgresCaseStore } from './postgresStore.js';

/**
 * The mailbox's state in the shared database: a message is remembered by an insert that does
 * nothing when its id is there already, and a decision changes a row only while it is a draft, so
 * two instances (or two officers pressing at once) never both succeed.
 */
export class PostgresMailboxStore implements MailboxStore {
  constructor(private readonly db: PostgresCaseStore) {}

  async sync(mailbox: string): Promise<MailboxSync | undefined> {
    const result = await this.db.read<{ sync: MailboxSync }>(
      `SELECT sync FROM ${this.db.table('mailbox_sync')} WHERE mailbox = $1`,
      [mailbox.toLowerCase()],
    );
    return result.rows[0]?.sync;
  }

  async saveSync(mailbox: string, sync: MailboxSync): Promise<void> {
    await this.db.write(
      `INSERT INTO ${this.db.table('mailbox_sync')} (mailbox, sync) VALUES ($1, $2)
       ON CONFLICT (mailbox) DO UPDATE SET sync = EXCLUDED.sync, updated_at = now()`,
      [mailbox.toLowerCase(), JSON.stringify(sync)],
    );
  }

  async mail(messageId: string): Promise<MailRecord | undefined> {
    const result = await this.db.read<{ record: MailRecord }>(
      `SELECT record FROM ${this.db.table('mailbox_mail')} WHERE message_id = $1`,
      [messageId],
    );
    return result.rows[0]?.record;
  }

  async remember(record: MailRecord): Promise<boolean> {
    const result = await this.db.write(
      `INSERT INTO ${this.db.table('mailbox_mail')} (message_id, state, conversation_id, seen_at, record)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id) DO NOTHING`,
      [record.messageId, record.state, record.conversationId ?? null, record.seenAt, JSON.stringify(record)],
    );
    return result.rowCount === 1;
  }

  async decide(
    messageId: string,
    decision: MailDecision,
  ): Promise<{ changed: boolean; record: MailRecord | undefined }> {
    const result = await this.db.write(
      `UPDATE ${this.db.table('mailbox_mail')} SET state = $2, record = record || $3::jsonb
        WHERE message_id = $1 AND state = 'drafted' RETURNING record`,
      [messageId, decision.state, JSON.stringify(decision)],
    );
    const changed = (result.rows as Array<{ record: MailRecord }>)[0]?.record;
    if (changed) return { changed: true, record: changed };
    return { changed: false, record: await this.mail(messageId) };
  }

  async threadCount(conversationId: string, since: Date): Promise<number> {
    const result = await this.db.read<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.db.table('mailbox_mail')} WHERE conversation_id = $1 AND seen_at >= $2`,
      [conversationId, since.toISOString()],
    );
    return Number(result.rows[0]?.n ?? 0);
  }
}

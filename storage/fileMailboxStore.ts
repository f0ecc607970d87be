import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { MailboxStore, MailboxSync, MailDecision, MailRecord } from '../dsr/mailbox/mailboxStore.js';
import { Mutex } from './mutex.js';

interface MailboxFile {
  syncs: Record<string, MailboxSync>;
  mails: Record<string, MailRecord>;
}

/**
 * The mailbox's state in the data folder: one lowdb file, written whole and atomically (lowdb
 * writes a temporary file and renames it). The folder belongs to one process (the case store's
 * lock), so a mutex within the process is all the coordination it needs. A mail is a hundred bytes
 * or so: fifty a week stay small for years.
 */
export class FileMailboxStore implements MailboxStore {
  private readonly file: Low<MailboxFile>;
  private readonly mutex = new Mutex();
  private loaded = false;

  constructor(dataDir: string) {
    this.file = new Low<MailboxFile>(new JSONFile(join(dataDir, 'mailbox.json')), { syncs: {}, mails: {} });
  }

  private async data(): Promise<MailboxFile> {
    if (!this.loaded) {
      await this.file.read();
      this.file.data.syncs ??= {};
      this.file.data.mails ??= {};
      this.loaded = true;
    }
    return this.file.data;
  }

  sync(mailbox: string): Promise<MailboxSync | undefined> {
    return this.mutex.run(async () => structuredClone((await this.data()).syncs[mailbox.toLowerCase()]));
  }

  saveSync(mailbox: string, sync: MailboxSync): Promise<void> {
    return this.mutex.run(async () => {
      (await this.data()).syncs[mailbox.toLowerCase()] = structuredClone(sync);
      await this.file.write();
    });
  }

  mail(messageId: string): Promise<MailRecord | undefined> {
    return this.mutex.run(async () => structuredClone((await this.data()).mails[messageId]));
  }

  remember(record: MailRecord): Promise<boolean> {
    return this.mutex.run(async () => {
      const data = await this.data();
      if (data.mails[record.messageId]) return false;
      data.mails[record.messageId] = structuredClone(record);
      await this.file.write();
      return true;
    });
  }

  decide(messageId: string, decision: MailDecision): Promise<{ changed: boolean; record: MailRecord | undefined }> {
    return this.mutex.run(async () => {
      const data = await this.data();
      const current = data.mails[messageId];
      if (!current || current.state !== 'drafted') return { changed: false, record: structuredClone(current) };
      const next: MailRecord = { ...current, ...decision };
      data.mails[messageId] = next;
      await this.file.write();
      return { changed: true, record: structuredClone(next) };
    });
  }

  threadCount(conversationId: string, since: Date): Promise<number> {
    return this.mutex.run(async () => {
      const at = since.toISOString();
      return Object.values((await this.data()).mails).filter(
        (mail) => mail.conversationId === conversationId && mail.seenAt >= at,
      ).length;
    });
  }
}

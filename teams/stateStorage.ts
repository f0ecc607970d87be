import type { Storage, StoreItems } from 'botbuilder';
import type { KeyValueStore } from '../dsr/ports/store.js';

/**
 * Bot Framework `Storage` over the case store's backend, keeping eTags: a turn that read
 * stale conversation state cannot overwrite a newer one.
 */
export class CaseStoreStorage implements Storage {
  constructor(private readonly store: KeyValueStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const found = await this.store.read(keys);
    const items: StoreItems = {};
    for (const [key, { value, eTag }] of Object.entries(found)) {
      items[key] = { ...(value as object), eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const entries: Record<string, { value: unknown; eTag?: string }> = {};
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...value } = item as { eTag?: string } & Record<string, unknown>;
      entries[key] = eTag === undefined ? { value } : { value, eTag };
    }
    await this.store.write(entries);
  }

  delete(keys: string[]): Promise<void> {
    return this.store.delete(keys);
  }
}

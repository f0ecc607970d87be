/**
 * A named right to do something alone among instances sharing a store (run the reminder pass),
 * held until a time and renewable by its holder; a holder that dies loses it when it runs out.
 */
export interface LeaseStore {
  tryHold(name: string, owner: string, now: Date, until: Date): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

import type { LeaseStore } from '../../dsr/ports/leases.js';

/**
 * Named leases in memory, kept as the database keeps them: a holder until a time, renewable by it;
 * a lease that ran out may be taken by anyone.
 */
export class MemoryLeases implements LeaseStore {
  private readonly held = new Map<string, { owner: string; until: number }>();

  tryHold(name: string, owner: string, now: Date, until: Date): Promise<boolean> {
    const current = this.held.get(name);
    if (current && current.owner !== owner && current.until > now.getTime()) return Promise.resolve(false);
    this.held.set(name, { owner, until: until.getTime() });
    return Promise.resolve(true);
  }

  release(name: string, owner: string): Promise<void> {
    if (this.held.get(name)?.owner === owner) this.held.delete(name);
    return Promise.resolve();
  }

  holder(name: string): string | undefined {
    return this.held.get(name)?.owner;
  }

  /** As if its holder had hung past its lease's end: anyone may take it now. */
  runOut(name: string): void {
    const current = this.held.get(name);
    if (current) current.until = 0;
  }
}

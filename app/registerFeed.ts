import type { Logger } from 'pino';
import { RegisterIndex } from '../dsr/register/registerIndex.js';
import type { ObservedCaseStore } from '../dsr/reminders/observedStore.js';
import { PostgresCaseChanges } from '../storage/postgresShared.js';
import { PostgresCaseStore } from '../storage/postgresStore.js';
import type { CaseStore } from '../dsr/ports/store.js';

/**
 * Keeps the register index in step with the cases. Every save this process makes reaches it at
 * once; on a shared database, what other instances saved is read (by the time each case last
 * changed, as the reminders do) before the index answers.
 */
export class RegisterFeed {
  private loaded: Promise<RegisterIndex> | undefined;
  private catchingUp: Promise<void> | undefined;
  private readonly changes: PostgresCaseChanges | undefined;

  constructor(
    private readonly store: CaseStore,
    observed: ObservedCaseStore,
    private readonly timeZone: string,
    private readonly log: Logger,
  ) {
    this.changes = store instanceof PostgresCaseStore ? new PostgresCaseChanges(store) : undefined;
    observed.onSaved((dsrCase) => {
      // A load that failed is retried by the next request, which reads this case with the rest.
      void this.loaded?.then(
        (index) => index.apply(dsrCase),
        () => undefined,
      );
    });
  }

  /** The index, loaded on first use and caught up with other instances' changes. */
  async index(): Promise<RegisterIndex> {
    if (!this.loaded) {
      this.loaded = this.load();
      this.loaded.catch(() => (this.loaded = undefined));
    }
    const index = await this.loaded;
    if (this.changes) {
      // Requests that arrive together share one read of the changes.
      this.catchingUp ??= this.changes
        .next()
        .then((changed) => changed.forEach((dsrCase) => index.apply(dsrCase)))
        .finally(() => (this.catchingUp = undefined));
      await this.catchingUp;
    }
    return index;
  }

  private async load(): Promise<RegisterIndex> {
    const index = new RegisterIndex(this.timeZone);
    // Marked first, so whatever changes while the cases load is read again afterwards.
    await this.changes?.mark();
    index.load(await this.store.listCases({}));
    this.log.info({ cases: index.size }, 'register index loaded');
    return index;
  }
}

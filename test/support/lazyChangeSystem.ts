import type {
  ApplyOutcome,
  ChangeConnector,
  ChangeRequest,
  ChangeTarget,
  DeletionCheck,
  StreamedPreview,
} from '../../dsr/changes.js';

/** The id of record `n`: a padded number, so the system finds the record again without a map. */
export const lazyRecordId = (n: number): string => `act-${String(n).padStart(9, '0')}`;

/**
 * A system holding `count` records of one person that it never lists at once: a deletion's
 * preview yields them one by one (activities before the contact, as a real system's dependants
 * come first), and what was deleted is one bit per record. For the tests and the benchmark of
 * erasures too large to hold in memory.
 */
export class LazyChangeSystem implements ChangeConnector {
  private readonly deleted: Uint8Array;
  /** How many applyChange calls each record had, to see that nothing was applied twice. */
  readonly calls: Uint8Array;
  /** When set, the apply of the record with this number throws as a dying process would stop. */
  breakAt: number | undefined;

  constructor(readonly count: number) {
    this.deleted = new Uint8Array(count);
    this.calls = new Uint8Array(count);
  }

  private numberOf(id: string): number {
    return Number(id.slice(4));
  }

  previewChange(request: ChangeRequest): Promise<StreamedPreview> {
    const count = this.count;
    const deleted = this.deleted;
    async function* targets(): AsyncGenerator<ChangeTarget> {
      for (let n = 0; n < count; n += 1) {
        // A page boundary, as an HTTP system's next page would be.
        if (n % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
        if (deleted[n]) continue;
        yield {
          kind: n === count - 1 ? 'contact' : 'activity',
          id: lazyRecordId(n),
          label: `Follow-up ${n}`,
          etag: 'W/"1"',
          changes: [],
          order: n === count - 1 ? 1 : 0,
        };
      }
    }
    return Promise.resolve({ systemId: 'crm', request, targets: targets(), retained: [], guided: [], queries: [] });
  }

  applyChange(_request: ChangeRequest, target: ChangeTarget): Promise<ApplyOutcome> {
    const n = this.numberOf(target.id);
    if (n === this.breakAt) return Promise.reject(new Error('the process stopped'));
    this.calls[n] = Math.min(255, (this.calls[n] ?? 0) + 1);
    if (this.deleted[n]) return Promise.resolve({ status: 'gone' });
    this.deleted[n] = 1;
    return Promise.resolve({ status: 'applied' });
  }

  liftRestriction(): Promise<ApplyOutcome> {
    return Promise.resolve({ status: 'failed', message: 'Nothing to lift.', retryable: false });
  }

  async confirmDeleted(targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>): Promise<DeletionCheck> {
    const remaining: ChangeTarget[] = [];
    for await (const target of targets) if (!this.deleted[this.numberOf(target.id)]) remaining.push(target);
    return { remaining, queries: ['search again'] };
  }

  /** How many records are deleted. */
  deletedCount(): number {
    let n = 0;
    for (const bit of this.deleted) n += bit;
    return n;
  }
}

import type {
  ApplyOutcome,
  ChangeConnector,
  ChangePreview,
  ChangeRequest,
  ChangeTarget,
  DeletionCheck,
  RestrictMode,
  RetainedRecord,
} from '../../dsr/changes.js';
import type { RecordSelection } from '../../dsr/matching.js';
import type { Connector, ConnectorInfo, ManualStep, SearchQuery, SystemFindings } from '../../dsr/discovery.js';

export interface FakeRecord {
  kind: string;
  id: string;
  fields: Record<string, string>;
  etag: number;
  /** Runs before records of a higher order (a contact's activities before the contact). */
  order: number;
}

/**
 * A system that keeps its records in memory and obeys the change contract: previews read every
 * record, applies check the etag, restrictions return their before-state, deletions are confirmed
 * by reading again. A test can make it fail, conflict, hang or keep records after a deletion.
 * The same instance can serve two app instances, as one real system would.
 */
export class FakeChangeSystem implements ChangeConnector {
  readonly records = new Map<string, FakeRecord>();
  readonly retained: RetainedRecord[] = [];
  /** What the system's preview says must still be done by hand around a deletion. */
  readonly guided: ManualStep[] = [];
  /** Every applyChange call, by target id, so a test sees nothing was applied twice. */
  readonly applied: string[] = [];
  readonly lifted: string[] = [];
  /** Ids that answer "failed" (retryable) while they are in the set. */
  readonly failing = new Set<string>();
  /** Ids a deletion does not remove (the second search still finds them) while in the set. */
  readonly stubborn = new Set<string>();
  /** Kinds its API cannot delete: a deletion's preview leaves them out, as a system without the operation does. */
  readonly undeletable = new Set<string>();
  /** When set, the apply of this id waits until released or aborted. */
  hangOn: string | undefined;
  private release: (() => void) | undefined;
  /** Resolves when a call hangs on `hangOn`. */
  hanging: Promise<void> = Promise.resolve();
  private hung: (() => void) | undefined;
  readonly restrictModes: readonly RestrictMode[] | undefined;

  constructor(
    readonly info: ConnectorInfo,
    records: FakeRecord[],
    options: { restrictModes?: RestrictMode[] } = {},
  ) {
    for (const record of records) this.records.set(record.id, { ...record, fields: { ...record.fields } });
    this.restrictModes = options.restrictModes;
  }

  /** The connector discovery and the plan see. */
  connector(): Connector {
    const info = this.info;
    return {
      info,
      connected: true,
      find: (query) => Promise.resolve(this.find(query)),
      changes: this,
    };
  }

  find(query: SearchQuery): SystemFindings {
    const counts: Record<string, number> = {};
    const records = [...this.records.values()];
    for (const record of records) counts[record.kind] = (counts[record.kind] ?? 0) + 1;
    for (const kept of this.retained) counts[kept.kind] = (counts[kept.kind] ?? 0) + 1;
    const kinds = Object.keys(counts);
    return {
      systemId: this.info.id,
      displayName: this.info.displayName,
      status: records.length + this.retained.length > 0 ? 'found' : 'nothing',
      counts,
      records: kinds.flatMap((kind) =>
        records
          .filter((r) => r.kind === kind)
          .slice(0, 3)
          // Found by the person's email: each record is hers unless the team says otherwise.
          .map((r) => ({ kind, id: r.id, fields: r.fields, matchedOn: ['email' as const] })),
      ),
      queries: [`find ${query.emails.length} email(s)`],
      at: new Date().toISOString(),
      durationMs: 1,
    };
  }

  /** Changes a record behind the bot's back, as another user would. */
  editElsewhere(id: string, field: string, value: string): void {
    const record = this.records.get(id)!;
    record.fields[field] = value;
    record.etag += 1;
  }

  hang(id: string): void {
    this.hangOn = id;
    this.hanging = new Promise((resolve) => (this.hung = resolve));
  }

  unhang(): void {
    this.hangOn = undefined;
    this.release?.();
  }

  previewChange(request: ChangeRequest, query: SearchQuery, selection: RecordSelection): Promise<ChangePreview> {
    const targets: ChangeTarget[] = [];
    for (const record of this.records.values()) {
      if (!selection.admits(record.id, ['email'])) continue;
      if (request.right === 'delete' && this.undeletable.has(record.kind)) continue;
      let changes: ChangeTarget['changes'] = [];
      if (request.right === 'rectify') {
        changes = request.corrections
          .filter((c) => c.kind === record.kind)
          .map((c) => ({ field: c.field, from: record.fields[c.field] ?? '', to: c.value }));
        if (changes.length === 0) continue;
      } else if (request.right === 'restrict') {
        if (record.kind !== 'contact') continue;
        changes = [{ field: 'donotcontact', from: record.fields.donotcontact ?? 'false', to: 'true' }];
      }
      targets.push({
        kind: record.kind,
        id: record.id,
        etag: String(record.etag),
        label: record.fields.name ?? record.id,
        changes,
        order: request.right === 'delete' ? record.order : 0,
      });
    }
    return Promise.resolve({
      systemId: this.info.id,
      request,
      targets,
      retained: request.right === 'rectify' ? [] : [...this.retained],
      guided: request.right === 'delete' ? [...this.guided] : [],
      queries: [`preview ${query.emails.length} email(s)`],
    });
  }

  async applyChange(request: ChangeRequest, target: ChangeTarget, signal?: AbortSignal): Promise<ApplyOutcome> {
    if (this.hangOn === target.id) {
      this.hung?.();
      await new Promise<void>((resolve, reject) => {
        this.release = resolve;
        signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    }
    this.applied.push(target.id);
    if (this.failing.has(target.id)) return { status: 'failed', message: 'The service answered 503.', retryable: true };
    const record = this.records.get(target.id);
    if (!record) return { status: 'gone' };
    if (request.right === 'delete') {
      if (!this.stubborn.has(target.id)) this.records.delete(target.id);
      return { status: 'applied' };
    }
    if (target.etag !== undefined && target.etag !== String(record.etag))
      return { status: 'conflict', message: 'The record changed since the preview (412).' };
    const before: Record<string, unknown> = {};
    for (const change of target.changes) {
      before[change.field] = record.fields[change.field] ?? null;
      record.fields[change.field] = change.to;
    }
    record.etag += 1;
    return { status: 'applied', before };
  }

  liftRestriction(target: ChangeTarget, before: Record<string, unknown>): Promise<ApplyOutcome> {
    const record = this.records.get(target.id);
    if (!record) return Promise.resolve({ status: 'gone' });
    for (const [field, value] of Object.entries(before)) record.fields[field] = String(value);
    record.etag += 1;
    this.lifted.push(target.id);
    return Promise.resolve({ status: 'applied' });
  }

  async confirmDeleted(targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>): Promise<DeletionCheck> {
    const remaining: ChangeTarget[] = [];
    for await (const target of targets) if (this.records.has(target.id)) remaining.push(target);
    return { remaining, queries: ['search again'] };
  }
}

export const fakeInfo = (id: string, displayName: string): ConnectorInfo => ({
  id,
  displayName,
  capabilities: ['find', 'rectify', 'restrict', 'delete'],
  manualSteps: {},
});

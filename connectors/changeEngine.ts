import type {
  ApplyOutcome,
  ChangeConnector,
  ChangePreview,
  ChangeRequest,
  ChangeRight,
  ChangeTarget,
  DeletionCheck,
  FieldChange,
  RestrictMode,
  RetainedRecord,
  PreviewOptions,
} from '../dsr/changes.js';
import type { KeptBasis } from '../dsr/keptRecords.js';
import { ChangeRequestError } from '../dsr/changes.js';
import { said, type Said } from '../i18n/index.js';
import type { ManualStep, SearchQuery } from '../dsr/discovery.js';
import { EVERY_RECORD, type RecordSelection } from '../dsr/matching.js';
import type { EntityDescription, RetainRule, Scalar } from './describe.js';
import {
  displayValue,
  keyOf,
  matchedOn,
  personFilters,
  personRows,
  relationFilter,
  type Row,
  type Source,
} from './engine.js';
import { ConnectorHttpError, type HttpClient } from './http.js';
import { withQuery } from './odata.js';

export { ChangeRequestError };

/** One record as a change step sees it: which entity, where it lives, and its key as the findings name it. */
export interface RecordRef {
  entity: EntityDescription;
  scope: string;
  /** The key's text (`usmf/US-0042` for a composite key). */
  key: string;
}

/** Where one record is read, patched and deleted. */
export type RecordUrl = (ref: RecordRef) => string;

/** Behaviour of one kind that is not a field to set, such as Graph's licences or its two-step delete. */
export interface ChangeHook {
  kind: string;
  /**
   * What a restriction of this record will change, read for the preview, and what around it a
   * person must do by hand (Graph: a licence a group assigns, which the user cannot lose directly).
   */
  restrictPreview?(ref: RecordRef, signal: AbortSignal): Promise<{ changes: FieldChange[]; guided?: ManualStep[] }>;
  restrict?(ref: RecordRef, target: ChangeTarget, signal: AbortSignal): Promise<ApplyOutcome>;
  lift?(ref: RecordRef, before: Record<string, unknown>, signal: AbortSignal): Promise<ApplyOutcome>;
  rectify?(ref: RecordRef, target: ChangeTarget, signal: AbortSignal): Promise<ApplyOutcome>;
  delete?(ref: RecordRef, signal: AbortSignal): Promise<ApplyOutcome>;
  /** Reads one record's fields where its address is not the generic one (Graph's users); undefined when gone. */
  read?(ref: RecordRef, fields: string[], signal: AbortSignal): Promise<Row | undefined>;
  /** Whether a deleted record can still be found anywhere (Graph: also among deleted items). */
  present?(ref: RecordRef, signal: AbortSignal): Promise<boolean>;
}

export interface ChangeSystem {
  systemId: string;
  /** The service root: the scope of a record whose id names none. */
  root: string;
  entities: EntityDescription[];
  source: Source;
  http: HttpClient;
  recordUrl: RecordUrl;
  hooks?: ChangeHook[];
  /** Steps a person takes around a change, per right (`isolate` for Customer Engagement's extract and isolate). */
  guided?: Partial<Record<ChangeRight | 'isolate', ManualStep[]>>;
  /** The restrict mode `isolate` removes the records once they are in the package (Customer Engagement). */
  isolateDeletes?: boolean;
  /** Business Central wants `If-Match` on a delete too. */
  deleteIfMatch?: boolean;
  /** Per kind the API cannot delete, what a person does instead. */
  byHand?: Record<string, ManualStep>;
  /** Kinds that go with their owner when it is deleted, and why. */
  removedWithOwner?: Record<string, string>;
}

interface Held {
  entity: EntityDescription;
  scope: string;
  key: string;
  id: string;
  row: Row;
  /** The findings id of the main record a related record belongs to. */
  ownerId?: string;
}

const RETRYABLE = new Set(['timeout', 'throttled', 'unavailable', 'network', 'aborted']);

function matches(rule: RetainRule, row: Row): boolean {
  if (rule.field === undefined) return true;
  const value = row[rule.field] as Scalar | null | undefined;
  if (rule.in) return rule.in.some((v) => v === value);
  if (rule.notIn) return !rule.notIn.some((v) => v === value);
  return false;
}

/** The rule's basis, with the record's own date where the period counts from one. */
function keptBasis(rule: RetainRule, row: Row): KeptBasis {
  const date = rule.dateField ? displayValue(row[rule.dateField]) : '';
  return {
    basis: rule.basis,
    ends: rule.ends,
    counted: rule.counted,
    ...(/^\d{4}-\d{2}-\d{2}/.test(date) ? { documentDate: date.slice(0, 10) } : {}),
  };
}

/** A rule's reason in English, and in the catalogue's words where the system's file names them. */
function keptReason(rule: RetainRule): { reason: string; reasonSaid?: Said } {
  return rule.said ? { reason: rule.reason, reasonSaid: rule.said } : { reason: rule.reason };
}

function labelOf(entity: EntityDescription, row: Row): string {
  const shown = entity.show.map((field) => displayValue(row[field])).filter((v) => v !== '');
  // The kind travels beside the label, and the cards put it in front.
  return shown.slice(0, 3).join(' · ').slice(0, 120);
}

/**
 * Every field a change step judges a record by, named in `$select`: a service that answers with a
 * default set only (Microsoft Graph) would otherwise leave out what a retention rule reads.
 */
function changeFields(entity: EntityDescription): string[] {
  return [
    ...new Set([
      ...(typeof entity.key === 'string' ? [entity.key] : entity.key),
      // What the service reads only when asked (Graph's profile beyond its default set).
      ...entity.read,
      ...entity.show,
      ...entity.match.map((m) => m.field),
      ...(entity.related?.via === 'filter' ? [entity.related.field] : []),
      ...entity.changes.rectify,
      ...Object.keys(entity.changes.restrict),
      ...entity.changes.retain.flatMap((rule) => (rule.field ? [rule.field] : [])),
      ...entity.changes.retain.flatMap((rule) => (rule.dateField ? [rule.dateField] : [])),
    ]),
  ];
}

/** The outcome of a failed request, in the terms a step records. */
export function outcomeOf(error: unknown): ApplyOutcome {
  if (error instanceof ConnectorHttpError) {
    if (error.kind === 'conflict') return { status: 'conflict', message: error.message };
    if (error.status === 404) return { status: 'gone' };
    return { status: 'failed', message: error.message, retryable: RETRYABLE.has(error.kind) };
  }
  if (error instanceof ChangeRequestError) return { status: 'failed', message: error.message, retryable: false };
  return { status: 'failed', message: 'The change failed unexpectedly.', retryable: true };
}

/** The value a restriction field had before, from the text the preview showed, typed like the value set. */
function typedLike(sample: Scalar, text: string): unknown {
  if (typeof sample === 'boolean') return text === '' ? null : text === 'true';
  if (typeof sample === 'number') return text === '' ? null : Number(text);
  return text;
}

/**
 * Rectify, restrict and delete for a described system: the same entity descriptions the search
 * walks say which fields may be corrected, what a restriction sets and which records are kept.
 */
export class DescribedChanges implements ChangeConnector {
  constructor(private readonly system: ChangeSystem) {}

  get restrictModes(): readonly RestrictMode[] {
    return this.system.isolateDeletes ? ['flag', 'isolate'] : ['flag'];
  }

  async previewChange(
    request: ChangeRequest,
    query: SearchQuery,
    selection: RecordSelection,
    signal?: AbortSignal,
    options: PreviewOptions = {},
  ): Promise<ChangePreview> {
    const abort = signal ?? new AbortController().signal;
    const overridden = request.right === 'delete' ? (options.overrides ?? new Set<string>()) : new Set<string>();
    if (request.right === 'rectify') this.checkCorrections(request.corrections);
    const queries: string[] = [];
    const held = await this.collect(query, selection, abort, queries);
    const retained: RetainedRecord[] = [];
    const keptIds = new Set<string>();
    const ownersKept = new Map<string, { reason: string; reasonSaid: Said; kept: KeptBasis }>();
    for (const record of held) {
      // A privacy officer's written override lets a kept account be deleted; the case holds why.
      if (overridden.has(record.id)) continue;
      const rule = record.entity.changes.retain.find((r) => matches(r, record.row));
      if (!rule) continue;
      keptIds.add(record.id);
      retained.push({
        kind: record.entity.kind,
        id: record.id,
        label: labelOf(record.entity, record.row),
        ...keptReason(rule),
        kept: keptBasis(rule, record.row),
      });
      if (rule.keepsOwner && record.ownerId && !ownersKept.has(record.ownerId)) {
        // The owner stays while the record it has does: a condition, checked again with it.
        ownersKept.set(record.ownerId, {
          reason: `Kept while it has records that must stay: ${rule.reason}`,
          reasonSaid: said('change.keptReasons.whileRecords', { reason: rule.said ?? rule.reason }),
          kept: { basis: rule.basis, ends: 'condition', counted: 'date' },
        });
      }
    }
    const isolate = request.right === 'restrict' && request.mode === 'isolate' && this.system.isolateDeletes;
    const deleting = request.right === 'delete' || isolate;
    if (deleting) {
      for (const record of held) {
        const owner = ownersKept.get(record.id);
        if (owner === undefined || keptIds.has(record.id)) continue;
        keptIds.add(record.id);
        retained.push({
          kind: record.entity.kind,
          id: record.id,
          label: labelOf(record.entity, record.row),
          reason: owner.reason,
          reasonSaid: owner.reasonSaid,
          kept: owner.kept,
        });
      }
    }
    const targets: ChangeTarget[] = [];
    const byHand: RetainedRecord[] = [];
    const recordGuided: ManualStep[] = [];
    for (const record of held.filter((r) => !keptIds.has(r.id))) {
      const target = await this.targetFor(request, record, Boolean(deleting), abort, recordGuided);
      if (target) targets.push(target);
      // A record of the person the API cannot delete is named for a person to deal with, never dropped.
      else if (deleting && !record.entity.operations.delete)
        byHand.push({
          kind: record.entity.kind,
          id: record.id,
          label: labelOf(record.entity, record.row),
          ...this.byHandReason(record.entity.kind),
        });
    }
    targets.sort((a, b) => a.order - b.order);
    const guided = this.system.guided ?? {};
    return {
      systemId: this.system.systemId,
      request,
      targets,
      retained,
      guided: [...(isolate ? (guided.isolate ?? []) : (guided[request.right] ?? [])), ...recordGuided],
      queries,
      ...(deleting ? { byHand, removedWithOwner: this.system.removedWithOwner ?? {} } : {}),
    };
  }

  async applyChange(request: ChangeRequest, target: ChangeTarget, signal?: AbortSignal): Promise<ApplyOutcome> {
    const abort = signal ?? new AbortController().signal;
    try {
      const ref = this.resolve(target);
      const hook = this.hookFor(ref.entity.kind);
      switch (request.right) {
        case 'rectify': {
          if (hook?.rectify) return await hook.rectify(ref, target, abort);
          const body = Object.fromEntries(target.changes.map((c) => [c.field, c.to]));
          await this.patch(ref, body, target.etag, target.changes, abort);
          return { status: 'applied' };
        }
        case 'restrict':
          if (request.mode === 'isolate' && this.system.isolateDeletes) return await this.remove(ref, abort);
          if (hook?.restrict) return await hook.restrict(ref, target, abort);
          return await this.restrict(ref, target, abort);
        case 'delete':
          return await this.remove(ref, abort);
      }
    } catch (error) {
      return outcomeOf(error);
    }
  }

  async liftRestriction(
    target: ChangeTarget,
    before: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<ApplyOutcome> {
    const abort = signal ?? new AbortController().signal;
    try {
      const ref = this.resolve(target);
      const hook = this.hookFor(ref.entity.kind);
      if (hook?.lift) return await hook.lift(ref, before, abort);
      const allowed = Object.keys(ref.entity.changes.restrict);
      const values = Object.fromEntries(Object.entries(before).filter(([field]) => allowed.includes(field)));
      if (Object.keys(values).length === 0) {
        throw new ChangeRequestError(said('refusals.change.nothingToRestore'));
      }
      const current = await this.http.getJson<Row>(this.system.recordUrl(ref), { signal: abort });
      await this.http.patch(this.system.recordUrl(ref), values, current.etag ?? '*', abort);
      return { status: 'applied', before: Object.fromEntries(Object.keys(values).map((f) => [f, current.body[f]])) };
    } catch (error) {
      return outcomeOf(error);
    }
  }

  async confirmDeleted(
    targets: AsyncIterable<ChangeTarget> | Iterable<ChangeTarget>,
    query: SearchQuery,
    signal?: AbortSignal,
  ): Promise<DeletionCheck> {
    const abort = signal ?? new AbortController().signal;
    const queries: string[] = [];
    const found = new Set((await this.collect(query, EVERY_RECORD, abort, queries)).map((r) => r.id));
    const remaining: ChangeTarget[] = [];
    for await (const target of targets) {
      if (found.has(target.id)) {
        remaining.push(target);
        continue;
      }
      const ref = this.resolve(target);
      const hook = this.hookFor(ref.entity.kind);
      const present = hook?.present
        ? await hook.present(ref, abort)
        : (await this.http.send('GET', this.system.recordUrl(ref), { signal: abort, allow: [404] })).status !== 404;
      if (present) remaining.push(target);
    }
    return { remaining, queries };
  }

  async recheckKept(
    records: readonly { kind: string; id: string }[],
    signal?: AbortSignal,
  ): Promise<Map<string, KeptBasis>> {
    const abort = signal ?? new AbortController().signal;
    const still = new Map<string, KeptBasis>();
    const owners: RecordRef[] = [];
    const ownerIds = new Map<RecordRef, string>();
    for (const record of records) {
      const ref = this.resolve({ ...record, label: '', changes: [], order: 0 });
      if (ref.entity.changes.retain.length === 0) {
        // Kept for the records it has (a customer with an open invoice): settled by those below.
        owners.push(ref);
        ownerIds.set(ref, record.id);
        continue;
      }
      const row = await this.readRecord(ref, abort);
      if (row === undefined) continue;
      const rule = ref.entity.changes.retain.find((r) => matches(r, row));
      if (rule) still.set(record.id, keptBasis(rule, row));
    }
    for (const owner of owners) {
      // Still kept while a record of a kind that keeps its owner is still kept itself.
      // Kept by the rule that keeps its owner (an invoice still open), not by any rule of its kind.
      const keeper = records.find((r) => {
        const basis = still.get(r.id)?.basis;
        return this.system.entities.some(
          (e) =>
            e.kind === r.kind &&
            e.related?.to === owner.entity.kind &&
            e.changes.retain.some((x) => x.keepsOwner && x.basis === basis),
        );
      });
      if (keeper)
        still.set(ownerIds.get(owner)!, { basis: still.get(keeper.id)!.basis, ends: 'condition', counted: 'date' });
    }
    return still;
  }

  deletes(kind: string): boolean {
    return this.system.entities.some((e) => e.kind === kind && e.operations.delete === true);
  }

  async previewRecords(
    request: ChangeRequest,
    records: readonly { kind: string; id: string }[],
    signal?: AbortSignal,
  ): Promise<ChangePreview> {
    if (request.right !== 'delete') throw new ChangeRequestError(said('refusals.change.byIdDeleteOnly'));
    const abort = signal ?? new AbortController().signal;
    const targets: ChangeTarget[] = [];
    const retained: RetainedRecord[] = [];
    const byHand: RetainedRecord[] = [];
    const gone: string[] = [];
    for (const record of records) {
      const ref = this.resolve({ ...record, label: '', changes: [], order: 0 });
      // Read by its id at the record's own address (the same GET the re-check uses), so the
      // preview reaches exactly these records and nothing found by a name. Addressing one entity by
      // its key: OData v4.01 URL conventions, 4.3
      // (https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html);
      // Graph users: https://learn.microsoft.com/en-us/graph/api/user-get. A 404 is a record gone.
      // Whether a kind may be deleted at all comes from the entity description (`operations`), as
      // for any deletion: Business Central documents DELETE on salesInvoices
      // (https://learn.microsoft.com/en-us/dynamics365/business-central/dev-itpro/api-reference/v2.0/api/dynamics_salesinvoice_delete)
      // but no source says a posted one is removed that way, so sales invoices stay read-only here.
      const row = await this.readRecord(ref, abort);
      if (row === undefined) {
        gone.push(`${record.kind} ${record.id}`);
        continue;
      }
      const label = labelOf(ref.entity, row);
      const rule = ref.entity.changes.retain.find((r) => matches(r, row));
      if (rule) {
        retained.push({ kind: record.kind, id: record.id, label, ...keptReason(rule), kept: keptBasis(rule, row) });
        continue;
      }
      if (!ref.entity.operations.delete) {
        byHand.push({ kind: record.kind, id: record.id, label, ...this.byHandReason(record.kind) });
        continue;
      }
      targets.push({
        kind: record.kind,
        id: record.id,
        label,
        order: ref.entity.related ? 0 : 1,
        changes: [],
        ...(typeof row['@odata.etag'] === 'string' ? { etag: row['@odata.etag'] } : {}),
      });
    }
    targets.sort((a, b) => a.order - b.order);
    return {
      systemId: this.system.systemId,
      request,
      targets,
      retained,
      guided: [
        ...(gone.length > 0
          ? [{ text: `Already gone from the system, nothing left to delete: ${gone.slice(0, 20).join('; ')}.` }]
          : []),
        ...(this.system.guided?.delete ?? []),
      ],
      queries: [],
      byHand,
      removedWithOwner: {},
    };
  }

  /** One record with every field a change judges it by; undefined when it is gone. */
  /** What a person does with a record of `kind` the API cannot delete: the system's words, or ours. */
  private byHandReason(kind: string): { reason: string; reasonSaid?: Said } {
    const own = this.system.byHand?.[kind];
    if (own) return own.said ? { reason: own.text, reasonSaid: own.said } : { reason: own.text };
    return {
      reason: `The API cannot delete a ${kind}; delete it by hand, or note why it is kept.`,
      reasonSaid: said('change.keptReasons.apiCannotDelete', { kind }),
    };
  }

  private async readRecord(ref: RecordRef, signal: AbortSignal): Promise<Row | undefined> {
    const fields = changeFields(ref.entity);
    const hook = this.hookFor(ref.entity.kind);
    if (hook?.read) return hook.read(ref, fields, signal);
    const url = withQuery(this.system.recordUrl(ref), { $select: fields.join(',') });
    const answer = await this.http.send('GET', url, { signal, allow: [404] });
    return answer.status === 404 ? undefined : (JSON.parse(answer.text) as Row);
  }

  private get http(): HttpClient {
    return this.system.http;
  }

  private hookFor(kind: string): ChangeHook | undefined {
    return this.system.hooks?.find((hook) => hook.kind === kind);
  }

  private checkCorrections(corrections: readonly { kind: string; field: string }[]): void {
    if (corrections.length === 0) throw new ChangeRequestError(said('refusals.change.oneCorrection'));
    for (const { kind, field } of corrections) {
      const entity = this.system.entities.find((e) => e.kind === kind);
      if (!entity) throw new ChangeRequestError(said('refusals.change.noKind', { kind }));
      if (!entity.operations.rectify || entity.changes.rectify.length === 0) {
        throw new ChangeRequestError(said('refusals.change.kindNotRectifiable', { kind }));
      }
      if (!entity.changes.rectify.includes(field)) {
        throw new ChangeRequestError(
          said('refusals.change.fieldNotRectifiable', { field, kind, fields: entity.changes.rectify.join(', ') }),
        );
      }
    }
  }

  private async targetFor(
    request: ChangeRequest,
    record: Held,
    deleting: boolean,
    signal: AbortSignal,
    /** Where a record's own steps by hand are added. */
    guided: ManualStep[],
  ): Promise<ChangeTarget | undefined> {
    const { entity, row } = record;
    const base = {
      kind: entity.kind,
      id: record.id,
      label: labelOf(entity, row),
      order: entity.related ? 0 : 1,
      ...(typeof row['@odata.etag'] === 'string' ? { etag: row['@odata.etag'] } : {}),
    };
    if (deleting) return entity.operations.delete ? { ...base, changes: [] } : undefined;
    let changes: FieldChange[] = [];
    if (request.right === 'rectify') {
      changes = request.corrections
        .filter((c) => c.kind === entity.kind && displayValue(row[c.field]) !== c.value)
        .map((c) => ({ field: c.field, from: displayValue(row[c.field]), to: c.value }));
    } else if (request.right === 'restrict' && entity.operations.restrict) {
      const hook = this.hookFor(entity.kind);
      if (hook?.restrictPreview) {
        const preview = await hook.restrictPreview(this.refOf(record), signal);
        guided.push(...(preview.guided ?? []));
        changes = preview.changes;
      } else
        changes = Object.entries(entity.changes.restrict)
          .filter(([field, value]) => row[field] !== value)
          .map(([field, value]) => ({ field, from: displayValue(row[field]), to: String(value) }));
    }
    return changes.length > 0 ? { ...base, changes } : undefined;
  }

  private refOf(record: Held): RecordRef {
    return { entity: record.entity, scope: record.scope, key: record.key };
  }

  /** The record a target names, from its kind and its id as the findings write it. */
  private resolve(target: ChangeTarget): RecordRef {
    const entity = this.system.entities.find((e) => e.kind === target.kind);
    if (!entity) throw new ChangeRequestError(said('refusals.change.noKind', { kind: target.kind }));
    const bar = target.id.lastIndexOf('|');
    return bar >= 0
      ? { entity, scope: target.id.slice(0, bar), key: target.id.slice(bar + 1) }
      : { entity, scope: this.system.root, key: target.id };
  }

  private async patch(
    ref: RecordRef,
    body: Record<string, unknown>,
    etag: string | undefined,
    expected: readonly FieldChange[],
    signal: AbortSignal,
  ): Promise<void> {
    let version = etag;
    if (version === undefined) {
      // A system without versions: compare with what the preview showed before writing.
      const current = await this.http.getJson<Row>(this.system.recordUrl(ref), { signal });
      const moved = expected.find((c) => displayValue(current.body[c.field]) !== c.from);
      if (moved) {
        throw new ConnectorHttpError('conflict', `The field '${moved.field}' changed since the preview.`, 412);
      }
      version = current.etag ?? '*';
    }
    await this.http.patch(this.system.recordUrl(ref), body, version, signal);
  }

  private async restrict(ref: RecordRef, target: ChangeTarget, signal: AbortSignal): Promise<ApplyOutcome> {
    const values = ref.entity.changes.restrict;
    const fields = target.changes.map((c) => c.field).filter((field) => field in values);
    const current = await this.http.getJson<Row>(this.system.recordUrl(ref), { signal });
    if (fields.every((field) => current.body[field] === values[field])) {
      // Already restricted (a retry after the write went through): what stood before is what the preview read.
      const before = Object.fromEntries(
        target.changes.filter((c) => c.field in values).map((c) => [c.field, typedLike(values[c.field]!, c.from)]),
      );
      return { status: 'applied', before };
    }
    const before = Object.fromEntries(fields.map((field) => [field, current.body[field] ?? null]));
    const etag = target.etag ?? current.etag ?? '*';
    await this.http.patch(
      this.system.recordUrl(ref),
      Object.fromEntries(fields.map((field) => [field, values[field]])),
      etag,
      signal,
    );
    return { status: 'applied', before };
  }

  private async remove(found: RecordRef, signal: AbortSignal): Promise<ApplyOutcome> {
    const hook = this.hookFor(found.entity.kind);
    if (hook?.delete) return hook.delete(found, signal);
    let ref = found;
    const through = found.entity.deleteThrough;
    if (through) {
      // The set the record is found in cannot delete it: read which set can, by the record's type.
      const url = withQuery(this.system.recordUrl(found), { $select: through.field });
      const answer = await this.http.send('GET', url, { signal, allow: [404] });
      if (answer.status === 404) return { status: 'gone' };
      const code = displayValue((JSON.parse(answer.text) as Row)[through.field]);
      const entitySet = through.entitySets[code];
      if (!entitySet) {
        return {
          status: 'failed',
          message: `A record of type '${code}' cannot be deleted through the API: delete it by hand.`,
          retryable: false,
        };
      }
      ref = { ...found, entity: { ...found.entity, entitySet } };
    }
    const response = await this.http.send('DELETE', this.system.recordUrl(ref), {
      signal,
      allow: [404],
      ...(this.system.deleteIfMatch ? { headers: { 'If-Match': '*' } } : {}),
    });
    return response.status === 404 ? { status: 'gone' } : { status: 'applied' };
  }

  /** Every record of the person the change may touch, in full, with its findings id. */
  private async collect(
    query: SearchQuery,
    selection: RecordSelection,
    signal: AbortSignal,
    queries: string[],
  ): Promise<Held[]> {
    const { source, entities } = this.system;
    const scopes = await source.scopes(signal);
    const idOf = (scope: string, key: string) => (scopes.length > 1 ? `${scope}|${key}` : key);
    const held: Held[] = [];
    for (const entity of entities.filter((e) => !e.related)) {
      const filters = personFilters(entity, query, source.dialect);
      if (filters.length === 0) continue;
      for (const filter of filters) queries.push(`${entity.entitySet}?$filter=${filter}`);
      for (const scope of scopes) {
        for await (const page of personRows(source, scope, entity, filters, changeFields(entity), signal)) {
          for (const row of page) {
            const key = keyOf(entity, row);
            const id = idOf(scope, key);
            if (selection.admits(id, matchedOn(entity, query, row))) held.push({ entity, scope, key, id, row });
          }
        }
      }
    }
    // Records reached by navigation (a user's licences, manager) are not changed one by one.
    for (const entity of entities.filter((e) => e.related && e.related.via === 'filter')) {
      const relation = entity.related!;
      const mainEntity = entities.find((e) => e.kind === relation.to);
      if (!mainEntity || typeof mainEntity.key !== 'string') continue;
      const owners = held.filter((h) => h.entity === mainEntity);
      // Related records found by the person's own identifiers too (an activity party by the address used).
      const own = personFilters(entity, query, source.dialect);
      for (const filter of own) queries.push(`${entity.entitySet}?$filter=${filter}`);
      for (const scope of own.length > 0 ? scopes : []) {
        for await (const page of personRows(source, scope, entity, own, changeFields(entity), signal)) {
          for (const row of page) {
            const key = keyOf(entity, row);
            const id = idOf(scope, key);
            const throughOwner = owners.some(
              (o) => o.scope === scope && displayValue(row[relation.field]).toLowerCase() === o.key.toLowerCase(),
            );
            // Its own strong match, a person's confirmation, or a main record that is the person's.
            if (!selection.admits(id, matchedOn(entity, query, row)) && !(throughOwner && selection.admitsRelated(id)))
              continue;
            const owner = owners.find(
              (o) => o.scope === scope && displayValue(row[relation.field]).toLowerCase() === o.key.toLowerCase(),
            );
            held.push({ entity, scope, key, id, row, ...(owner ? { ownerId: owner.id } : {}) });
          }
        }
      }
      for (const scope of new Set(owners.map((o) => o.scope))) {
        const mine = owners.filter((o) => o.scope === scope);
        for (let i = 0; i < mine.length; i += 15) {
          const chunk = mine.slice(i, i + 15);
          const filter = relationFilter(
            relation.field,
            chunk.map((o) => o.key),
          )!;
          queries.push(`${entity.entitySet}?$filter=${filter}`);
          for await (const page of source.collection(scope, entity.entitySet, filter, changeFields(entity), signal)) {
            for (const row of page) {
              const key = keyOf(entity, row);
              const id = idOf(scope, key);
              if (!selection.admitsRelated(id) || held.some((h) => h.entity === entity && h.id === id)) continue;
              const owner = chunk.find((o) => displayValue(row[relation.field]).toLowerCase() === o.key.toLowerCase());
              held.push({ entity, scope, key, id, row, ...(owner ? { ownerId: owner.id } : {}) });
            }
          }
        }
      }
    }
    return held;
  }
}

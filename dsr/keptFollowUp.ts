import { counted } from './counted.js';
import { randomUUID } from 'node:crypto';
import type { DsrCase } from './case.js';
import type { Clock } from './clock.js';
import { computeDueDate, policyFor, type OrgCalendar } from './deadlines.js';
import { dueAt, keptUntil, type KeptBasis, type KeptPeriods, type KeptRecord } from './keptRecords.js';
import type { LeaseStore } from './ports/leases.js';
import type { PlanStep } from './plan.js';
import type { CaseAction } from './caseActions.js';
import type { ActResult, CreateResult } from './caseResults.js';
import type { CaseStore } from './ports/store.js';
import { namedLease, RunLease, type LeaseRecord } from './runs/runLease.js';

/** Records of one step named per line of the follow-up's step; the rest are counted. */
const NAMED_PER_LINE = 50;

/** The key a follow-up is created under: the same original and end date always give the same case. */
export function followUpKey(originalId: string, until: string): string {
  return `kept|${originalId}|${until}`;
}

/**
 * The follow-up case for records whose reason ended on `until`: only what the erasure needs (the
 * systems, kinds and ids of the records, the basis that kept them), never the person's name or
 * contact details, which the original case may no longer have. One step per system, which a
 * member of the privacy team carries out and ticks, naming exactly these records.
 */
export function followUpCase(
  id: string,
  original: DsrCase,
  records: readonly KeptRecord[],
  now: Date,
  calendar: OrgCalendar,
  /** Whether the bot can delete these records in their system itself; otherwise a person does. */
  deletable: ErasableBy = () => false,
): DsrCase {
  const at = now.toISOString();
  const systems = [...new Set(records.map((r) => r.systemId))];
  const steps: PlanStep[] = systems.map((systemId) => {
    const mine = records.filter((r) => r.systemId === systemId);
    const systemName = original.plan?.steps.find((s) => s.systemId === systemId)?.systemName ?? systemId;
    const byBasis = new Map<string, KeptRecord[]>();
    for (const record of mine) byBasis.set(record.basis, [...(byBasis.get(record.basis) ?? []), record]);
    const automated = deletable(systemId, [...new Set(mine.map((r) => r.kind))]);
    return {
      id: `delete:${systemId}`,
      right: 'delete',
      systemId,
      systemName,
      mode: automated ? 'automated' : 'guided',
      title: `Erase the records ${original.id} kept in ${systemName}`,
      instructions: [...byBasis].map(([basis, kept]) => {
        const named = kept.slice(0, NAMED_PER_LINE).map((r) => `${r.kind} ${r.id}`);
        const more = kept.length > named.length ? ` and ${kept.length - named.length} more` : '';
        return {
          text: `Kept for '${basis}' until ${kept[0]!.until}, which has ended: delete ${named.join('; ')}${more}. Where the reason still holds, note it and why.`,
        };
      }),
      // A deletion the bot carries out: previewed from exactly these ids, approved by a second
      // person on that preview, applied and checked like any other (changeRun.ts).
      destructive: automated,
      state: 'todo',
      ...(automated ? { keptTargets: mine.map((r) => ({ kind: r.kind, id: r.id })) } : {}),
      updatedAt: at,
    };
  });
  return {
    id,
    version: 1,
    status: 'actions',
    // Only the role, a category: the records are named by id.
    subject: { name: '', emails: [], phones: [], identifiers: {}, role: original.subject.role },
    requestTypes: ['delete'],
    regulation: original.regulation,
    receivedAt: at,
    // The organisation's own obligation (Art. 17(1)(a)) has no deadline in law; the regulation's
    // period keeps it from lingering.
    dueAt: computeDueDate(policyFor(original.regulation), now, calendar).toISOString(),
    identityCheck: original.identityCheck,
    details: `Erasure of ${counted(records.length, 'record')} that ${original.id} kept for a legal reason that has ended.`,
    requester: { id: 'system', name: 'DSR Assistant' },
    createdAt: at,
    updatedAt: at,
    intakeKey: followUpKey(original.id, records[0]!.until),
    assignee: null,
    pause: null,
    identityRequests: [],
    extension: null,
    identityVerified: null,
    decision: null,
    notes: [],
    plan: { createdAt: at, steps },
    followUpOf: original.id,
    ...(original.language ? { language: original.language } : {}),
  };
}

/** Whether the bot can delete records of these kinds in a system through its connector. */
export type ErasableBy = (systemId: string, kinds: readonly string[]) => boolean;

/**
 * Reads kept records again in their system: the ids still kept, each with the basis that keeps it
 * now, or undefined when the system cannot be asked now.
 */
export type KeptRecheck = (
  systemId: string,
  records: readonly { kind: string; id: string }[],
) => Promise<Map<string, KeptBasis> | undefined>;

export interface KeptFollowUpParts {
  store: Pick<CaseStore, 'casesWithKeptDue'>;
  cases: {
    actAsSystem(caseId: string, action: CaseAction): Promise<ActResult>;
    openFollowUp(original: DsrCase, records: readonly KeptRecord[], deletable: ErasableBy): Promise<CreateResult>;
  };
  periods: KeptPeriods;
  recheck: KeptRecheck;
  /** Decides per system whether the follow-up's step is a deletion the bot runs or a guided one. */
  deletable(systemId: string, kinds: readonly string[]): Promise<boolean>;
  clock: Clock;
  leases: LeaseStore | undefined;
  /** Told of each follow-up case opened, to post it in the privacy channel. */
  opened(followUp: DsrCase, original: DsrCase): Promise<void>;
}

const LEASE = 'kept-follow-up';
/** Renewed every third of this while a pass works (a system asked again may take two minutes). */
const LEASE_MS = 60_000;
const BATCH = 50;

/**
 * Opens a follow-up erasure for every kept record whose reason ended, in the reminder pass.
 * Records kept while a condition holds are read again first: those still kept get their next
 * check date. A follow-up is created under a key of its original and end date, so a crash between
 * creating it and linking it, or two instances at once, never opens it twice. Sharing a store, one
 * instance follows up at a time: it holds the lease while it works and gives it up at the end; a
 * pass whose lease another instance took over (this one hung past it) stops before the next case.
 */
export class KeptFollowUps {
  /** Without a lease store (one instance alone) the pass needs no lease. */
  private readonly lease: LeaseRecord | undefined;

  constructor(private readonly parts: KeptFollowUpParts) {
    this.lease = parts.leases ? namedLease(parts.leases, LEASE, randomUUID()) : undefined;
  }

  async pass(): Promise<{ opened: string[]; rechecked: number }> {
    const opened: string[] = [];
    let rechecked = 0;
    const now = this.parts.clock.now();
    const lease = this.lease ? new RunLease(this.lease, () => new Date(), LEASE_MS) : undefined;
    if (lease && !(await lease.claim())) return { opened, rechecked };
    lease?.keep();
    try {
      for (const original of await this.parts.store.casesWithKeptDue(now, BATCH)) {
        if (lease?.lost) break;
        const result = await this.settle(original, now);
        opened.push(...result.opened);
        rechecked += result.rechecked;
      }
    } finally {
      await lease?.release().catch(() => undefined);
    }
    return { opened, rechecked };
  }

  private async settle(original: DsrCase, now: Date): Promise<{ opened: string[]; rechecked: number }> {
    const due = (original.kept ?? []).filter((r) => r.followUpCaseId === undefined && dueAt(r) <= now);
    const ended: KeptRecord[] = due.filter((r) => r.ends === 'period');
    let rechecked = 0;
    for (const systemId of new Set(due.filter((r) => r.ends === 'condition').map((r) => r.systemId))) {
      const records = due.filter((r) => r.ends === 'condition' && r.systemId === systemId);
      const still = await this.parts.recheck(systemId, records);
      // The system cannot be asked now: the records stay due, and the next pass asks again.
      if (!still) continue;
      ended.push(...records.filter((r) => !still.has(r.id)));
      // Still kept: by the same condition (checked again a period on), or by a rule with a date
      // now (an invoice paid since is a posted document, kept until the end of its period).
      const updates = records.flatMap((r) => {
        const basis = still.get(r.id);
        if (!basis) return [];
        const period = this.parts.periods.get(basis.basis);
        const counted = period ? basis : { ...basis, ends: 'condition' as const };
        const until = keptUntil(counted, period ?? { amount: 30, unit: 'd' }, now);
        return [{ id: r.id, basis: basis.basis, ends: counted.ends, until }];
      });
      if (updates.length > 0) {
        const result = await this.parts.cases.actAsSystem(original.id, { kind: 'recheckKept', records: updates });
        if (result.ok) rechecked += updates.length;
      }
    }
    const opened: string[] = [];
    for (const until of [...new Set(ended.map((r) => r.until))].sort()) {
      const group = ended.filter((r) => r.until === until);
      const erasable = new Set<string>();
      for (const systemId of new Set(group.map((r) => r.systemId))) {
        const kinds = [...new Set(group.filter((r) => r.systemId === systemId).map((r) => r.kind))];
        if (await this.parts.deletable(systemId, kinds)) erasable.add(systemId);
      }
      const created = await this.parts.cases.openFollowUp(original, group, (systemId) => erasable.has(systemId));
      // Posted before the link: a crash in between posts again under the same key, and links then.
      await this.parts.opened(created.case, original);
      const linked = await this.parts.cases.actAsSystem(original.id, {
        kind: 'linkFollowUp',
        caseId: created.case.id,
        recordIds: group.map((r) => r.id),
      });
      if (linked.ok && created.created) opened.push(created.case.id);
    }
    return { opened, rechecked };
  }
}

import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AuditDetail, AuditDraft } from './audit.js';
import { applyAction, type CaseAction } from './caseActions.js';
import { isCaseId, type Actor, type DsrCase, type RelatedCase } from './case.js';
import type { Clock } from './clock.js';
import { computeDueDate, policyFor, workingDaysAfter, type OrgCalendar } from './deadlines.js';
import type { IntakeRequest } from './intake.js';
import { canTransition, nextStatus } from './lifecycle.js';
import { mayAct, mayView, type ActorRoles } from './permissions.js';
import { hasKeys, relatedCases, strongKeys } from './repeats.js';
import { followUpCase, followUpKey, type ErasableBy } from './keptFollowUp.js';
import { refused, type ActResult, type CreateResult, type Refusal } from './caseResults.js';
import { said, type Said } from '../i18n/index.js';
import type { KeptRecord } from './keptRecords.js';
import type { RetentionPolicy } from './retention.js';
import type { RoleDirectory } from './roles.js';
import { DuplicateIntakeError, VersionConflictError, type CaseStore, type NewCase } from './ports/store.js';

export type { CaseAction } from './caseActions.js';

// What the case service answers, where the rest of the code has always imported it.
export type { ActResult, CreateResult, Refusal } from './caseResults.js';

/** The organisation's rules on keeping cases, from its configuration. */
export interface CasePolicies {
  retention?: RetentionPolicy;
  /** How far back an answered request of the same person is pointed out (Art. 12(5)). */
  repeatMonths?: number;
}

/**
 * A case id as the trail may keep it: anything else a card or message sent in its place (a forged
 * card, a typed name) could be personal data, and the trail outlives every case's personal data.
 */
function asCaseId(text: string): string | null {
  return isCaseId(text) ? text : null;
}

/** How often work that ends later retries on a case someone keeps changing before it gives up. */
export const ACT_ON_LATEST_TRIES = 10;

/** The bot itself, as the audit trail names it when it acts on its own (the purge). */
export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'DSR Assistant' };

/**
 * The one writer of cases: every change is checked for role, lifecycle and version, then
 * persisted together with its audit event. Refusals are audited too.
 */
export class CaseService {
  constructor(
    private readonly store: CaseStore,
    private readonly roles: RoleDirectory,
    private readonly clock: Clock,
    private readonly calendar: OrgCalendar,
    private readonly policies: CasePolicies = {},
  ) {}

  async rolesOf(actor: Actor): Promise<ActorRoles> {
    return { actor, privacyTeam: await this.roles.isPrivacyTeam(actor.id) };
  }

  async createCase(actor: Actor, request: IntakeRequest, intakeKey: string = randomUUID()): Promise<CreateResult> {
    const existing = await this.store.findByIntakeKey(intakeKey);
    if (existing) return { case: existing, created: false };

    const now = this.clock.now();
    const policy = policyFor(request.regulation);
    const keys = strongKeys(request.subject);
    // The new case is not stored yet, so none of these is itself.
    const related = hasKeys(keys)
      ? relatedCases(await this.store.casesOfSubject(keys), '', now, this.policies.repeatMonths ?? 12)
      : [];
    const build = (id: string): NewCase => {
      const dsrCase = this.newCase(id, actor, request, intakeKey, now, policy, related);
      return {
        case: dsrCase,
        audit: {
          ...this.draft(actor, dsrCase.id, 'create', 'applied', 1),
          detail: {
            requestTypes: dsrCase.requestTypes,
            regulation: dsrCase.regulation,
            receivedAt: dsrCase.receivedAt,
            dueAt: dsrCase.dueAt,
            // Case ids only: which identifier matched would say something about the person.
            relatedCases: related.map((r) => r.caseId),
          },
        },
      };
    };
    return this.numbered(now, build);
  }

  private newCase(
    id: string,
    actor: Actor,
    request: IntakeRequest,
    intakeKey: string,
    now: Date,
    policy: ReturnType<typeof policyFor>,
    related: RelatedCase[],
  ): DsrCase {
    return {
      id,
      version: 1,
      status: 'received',
      subject: request.subject,
      requestTypes: request.requestTypes,
      regulation: request.regulation,
      receivedAt: request.receivedAt.toISOString(),
      dueAt: computeDueDate(policy, request.receivedAt, this.calendar).toISOString(),
      identityCheck: request.identityCheck,
      language: request.language,
      details: request.details,
      requester: actor,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      intakeKey,
      assignee: null,
      pause: null,
      identityRequests: [],
      extension: null,
      ...(policy.receiptConfirmationDays !== null
        ? {
            receiptConfirmation: {
              dueAt: workingDaysAfter(request.receivedAt, policy.receiptConfirmationDays, this.calendar).toISOString(),
              sentAt: null,
            },
          }
        : {}),
      identityVerified: null,
      decision: null,
      notes: [],
      ...(related.length > 0 ? { related } : {}),
    };
  }

  /**
   * Opens the follow-up erasure of `records`, kept by `original` until their reason ended, as a
   * linked case (see keptFollowUp.ts). Its key is the original and the end date, so opening it again
   * (a crash before the link, another instance) returns the case already opened.
   */
  async openFollowUp(
    original: DsrCase,
    records: readonly KeptRecord[],
    deletable: ErasableBy = () => false,
  ): Promise<CreateResult> {
    const intakeKey = followUpKey(original.id, records[0]!.until);
    const existing = await this.store.findByIntakeKey(intakeKey);
    if (existing) return { case: existing, created: false };
    const now = this.clock.now();
    const build = (id: string): NewCase => {
      const dsrCase = followUpCase(id, original, records, now, this.calendar, deletable);
      return {
        case: dsrCase,
        audit: {
          ...this.draft(SYSTEM_ACTOR, id, 'openFollowUp', 'applied', 1),
          detail: {
            followUpOf: original.id,
            records: records.length,
            systems: [...new Set(records.map((r) => r.systemId))],
            until: records[0]!.until,
          },
        },
      };
    };
    return this.numbered(now, build);
  }

  /**
   * Numbers and saves a new case in one step. The year in the id is the organisation's, so a case
   * filed on New Year's Eve evening is last year's. When two identical submissions raced past the
   * lookup for an existing case, the store lets only one through and the other uses no number.
   */
  private async numbered(now: Date, build: (id: string) => NewCase): Promise<CreateResult> {
    try {
      const created = await this.store.createCase(DateTime.fromJSDate(now).setZone(this.calendar.timeZone).year, build);
      return { case: created.case, created: true };
    } catch (error) {
      if (error instanceof DuplicateIntakeError) {
        const winner = await this.store.getCase(error.existingCaseId);
        if (winner) return { case: winner, created: false };
      }
      throw error;
    }
  }

  /**
   * Acts on the case as it is now, for work that ends long after its card was pressed (a search, a
   * package, a change step): when someone changed the case meanwhile, it reads the case again and
   * retries, up to ACT_ON_LATEST_TRIES times. The workflows' one way of recording their outcome.
   */
  async actOnLatest(actor: Actor, caseId: string, action: CaseAction): Promise<ActResult> {
    for (let attempt = 1; ; attempt++) {
      const latest = await this.viewCase(actor, caseId);
      if (!latest) return refused('not-found', said('refusals.case.gone'));
      const result = await this.act(actor, caseId, latest.version, action);
      if (result.ok || result.refusal !== 'stale' || attempt >= ACT_ON_LATEST_TRIES) return result;
    }
  }

  /** Returns the case only if the actor may see it, so that someone else's case id reveals nothing. */
  async viewCase(actor: Actor, caseId: string): Promise<DsrCase | undefined> {
    if (!isCaseId(caseId)) return undefined;
    const dsrCase = await this.store.getCase(caseId);
    if (!dsrCase) return undefined;
    return mayView(await this.rolesOf(actor), dsrCase) ? dsrCase : undefined;
  }

  async listCasesFor(actor: Actor, options: { mine?: boolean; openOnly?: boolean } = {}): Promise<DsrCase[]> {
    const roles = await this.rolesOf(actor);
    const query = roles.privacyTeam && !options.mine ? {} : { requesterId: actor.id };
    const cases = await this.store.listCases({ ...query, openOnly: options.openOnly ?? false });
    // ISO instants in UTC sort as plain strings.
    return cases.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
  }

  /**
   * What the bot does on its own (the purge), at the case's current version: no role is asked,
   * and no person's card can reach it (see SYSTEM_ONLY), but the lifecycle and the save are the same.
   */
  async actAsSystem(caseId: string, action: CaseAction): Promise<ActResult> {
    const current = await this.store.getCase(caseId);
    if (!current) return refused('not-found', said('refusals.case.notFound', { caseId: caseId.slice(0, 40) }));
    return this.apply(SYSTEM_ACTOR, current, action);
  }

  async act(actor: Actor, caseId: string, expectedVersion: number, action: CaseAction): Promise<ActResult> {
    const current = isCaseId(caseId) ? await this.store.getCase(caseId) : undefined;
    const roles = await this.rolesOf(actor);
    if (!current) {
      return this.refuse(
        actor,
        null,
        action.kind,
        'not-found',
        said('refusals.case.notFound', { caseId: caseId.slice(0, 40) }),
        {
          requestedCase: asCaseId(caseId),
        },
      );
    }
    if (!mayView(roles, current)) {
      // Answered exactly like an unknown id, so probing ids tells an outsider nothing; the case's
      // own trail records the attempt, so the privacy team sees who tried what on it.
      await this.audit(actor, current.id, action.kind, 'forbidden', { requestedCase: caseId, shownAs: 'not-found' });
      return refused('not-found', said('refusals.case.notFound', { caseId }));
    }
    const permission = mayAct(roles, action.kind, current);
    if (!permission.allowed) return this.refuse(actor, current, action.kind, 'forbidden', permission.reason);
    if (expectedVersion !== current.version) {
      return this.refuse(actor, current, action.kind, 'stale', said('refusals.case.stale'));
    }
    return this.apply(actor, current, action);
  }

  private async apply(actor: Actor, current: DsrCase, action: CaseAction): Promise<ActResult> {
    if (!canTransition(action.kind, current.status)) {
      return this.refuse(
        actor,
        current,
        action.kind,
        'invalid-transition',
        said('refusals.case.notNow', { status: said(`case.status.${current.status}`) }),
      );
    }
    const change = applyAction(current, action, {
      actor,
      now: this.clock.now(),
      calendar: this.calendar,
      ...(this.policies.retention ? { retention: this.policies.retention } : {}),
    });
    if ('invalid' in change) return this.refuse(actor, current, action.kind, 'invalid-input', change.invalid);

    const now = this.clock.now().toISOString();
    const next: DsrCase = {
      ...change.next,
      status: nextStatus(action.kind, current.status),
      version: current.version + 1,
      updatedAt: now,
    };
    try {
      await this.store.saveCase(next, current.version, {
        ...this.draft(actor, current.id, action.kind, 'applied', next.version),
        detail: change.detail,
      });
    } catch (error) {
      if (error instanceof VersionConflictError) {
        const latest = await this.store.getCase(current.id);
        return this.refuse(actor, latest ?? current, action.kind, 'stale', said('refusals.case.raced'));
      }
      throw error;
    }
    return { ok: true, case: next };
  }

  /** Audits an attempt refused before it named a valid action, such as a forged or broken card. */
  async recordRefusal(actor: Actor, action: string, refusal: Refusal, caseId: string | null): Promise<void> {
    // Filed on the case when it names one that exists, so "audit DSR-…" shows the attempt.
    const named = caseId !== null && isCaseId(caseId) ? await this.store.getCase(caseId) : undefined;
    await this.audit(actor, named?.id ?? null, action, refusal, {
      requestedCase: caseId === null ? null : asCaseId(caseId),
    });
  }

  private async audit(
    actor: Actor,
    caseId: string | null,
    action: string,
    refusal: Refusal,
    detail: AuditDetail,
  ): Promise<void> {
    await this.store.appendAudit({
      ...this.draft(actor, caseId, action.slice(0, 40), 'refused', null),
      detail: { ...detail, refusal },
    });
  }

  /** Audits that someone read or downloaded something of a case (such as its trail), or of all cases (no case id). */
  async recordAccess(actor: Actor, caseId: string | null, action: string, detail: AuditDetail = {}): Promise<void> {
    await this.store.appendAudit({ ...this.draft(actor, caseId, action, 'applied', null), detail });
  }

  /** Audits a change to how the bot is set up (such as the privacy team channel), with its outcome. */
  /** Records a setting changed (or refused); one about a case (a snooze) goes on that case's trail. */
  async recordSetting(
    actor: Actor,
    action: string,
    allowed: boolean,
    detail: AuditDetail = {},
    caseId: string | null = null,
  ): Promise<void> {
    await this.store.appendAudit({
      ...this.draft(actor, caseId, action, allowed ? 'applied' : 'refused', null),
      detail,
    });
  }

  private async refuse(
    actor: Actor,
    dsrCase: DsrCase | null,
    action: string,
    refusal: Refusal,
    words: Said,
    detail: AuditDetail = {},
  ): Promise<ActResult> {
    await this.store.appendAudit({
      ...this.draft(actor, dsrCase?.id ?? null, action.slice(0, 40), 'refused', dsrCase?.version ?? null),
      detail: { ...detail, refusal },
    });
    return refused(refusal, words, dsrCase ?? undefined);
  }

  private draft(
    actor: Actor,
    caseId: string | null,
    action: string,
    outcome: AuditDraft['outcome'],
    version: number | null,
  ): Omit<AuditDraft, 'detail'> {
    return { at: this.clock.now().toISOString(), actorId: actor.id, caseId, action, outcome, version };
  }
}

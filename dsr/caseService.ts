import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AuditDetail, AuditDraft } from './audit.js';
import { applyAction, type CaseAction } from './caseActions.js';
import { isCaseId, type Actor, type DsrCase } from './case.js';
import type { Clock } from './clock.js';
import { computeDueDate, policyFor, type OrgCalendar } from './deadlines.js';
import type { IntakeRequest } from './intake.js';
import { canTransition, nextStatus } from './lifecycle.js';
import { mayAct, mayView, type ActorRoles } from './permissions.js';
import type { RoleDirectory } from './roles.js';
import { DuplicateIntakeError, VersionConflictError, type CaseStore } from './store.js';

export type { CaseAction } from './caseActions.js';

export type Refusal = 'not-found' | 'forbidden' | 'stale' | 'invalid-transition' | 'invalid-input';

export type ActResult = { ok: true; case: DsrCase } | { ok: false; refusal: Refusal; message: string; case?: DsrCase };

export interface CreateResult {
  case: DsrCase;
  /** False when the same intake had already created this case (a resubmitted card). */
  created: boolean;
}

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
  ) {}

  async rolesOf(actor: Actor): Promise<ActorRoles> {
    return { actor, privacyTeam: await this.roles.isPrivacyTeam(actor.id) };
  }

  async createCase(actor: Actor, request: IntakeRequest, intakeKey: string = randomUUID()): Promise<CreateResult> {
    const existing = await this.store.findByIntakeKey(intakeKey);
    if (existing) return { case: existing, created: false };

    const now = this.clock.now();
    // The year in the id is the organisation's, so a case filed on New Year's Eve evening is last year's.
    const id = await this.store.allocateCaseId(DateTime.fromJSDate(now).setZone(this.calendar.timeZone).year);
    const policy = policyFor(request.regulation);
    const dsrCase: DsrCase = {
      id,
      version: 1,
      status: 'received',
      subject: request.subject,
      requestTypes: request.requestTypes,
      regulation: request.regulation,
      receivedAt: request.receivedAt.toISOString(),
      dueAt: computeDueDate(policy, request.receivedAt, this.calendar).toISOString(),
      identityCheck: request.identityCheck,
      details: request.details,
      requester: actor,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      intakeKey,
      assignee: null,
      pause: null,
      pausedMs: 0,
      extension: null,
      identityVerified: null,
      decision: null,
      notes: [],
    };
    try {
      await this.store.saveCase(dsrCase, null, {
        ...this.draft(actor, dsrCase.id, 'create', 'applied', 1),
        detail: {
          requestTypes: dsrCase.requestTypes,
          regulation: dsrCase.regulation,
          receivedAt: dsrCase.receivedAt,
          dueAt: dsrCase.dueAt,
        },
      });
    } catch (error) {
      // Two identical submissions raced past the lookup above; the store let only one through.
      if (error instanceof DuplicateIntakeError) {
        const winner = await this.store.getCase(error.existingCaseId);
        if (winner) return { case: winner, created: false };
      }
      throw error;
    }
    return { case: dsrCase, created: true };
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

  async act(actor: Actor, caseId: string, expectedVersion: number, action: CaseAction): Promise<ActResult> {
    const current = isCaseId(caseId) ? await this.store.getCase(caseId) : undefined;
    const roles = await this.rolesOf(actor);
    if (!current) {
      return this.refuse(actor, null, action.kind, 'not-found', `There is no case ${caseId.slice(0, 40)}.`, {
        requestedCase: caseId.slice(0, 40),
      });
    }
    if (!mayView(roles, current)) {
      // Answered exactly like an unknown id, so probing ids tells an outsider nothing.
      return this.refuse(actor, null, action.kind, 'not-found', `There is no case ${caseId}.`, {
        requestedCase: caseId,
      });
    }
    const permission = mayAct(roles, action.kind, current);
    if (!permission.allowed) return this.refuse(actor, current, action.kind, 'forbidden', permission.reason);
    if (expectedVersion !== current.version) {
      return this.refuse(
        actor,
        current,
        action.kind,
        'stale',
        'This case changed since you looked at it; here is the current state.',
      );
    }
    if (!canTransition(action.kind, current.status)) {
      return this.refuse(
        actor,
        current,
        action.kind,
        'invalid-transition',
        `That is not possible while the case is ${current.status}.`,
      );
    }
    const change = applyAction(current, action, { actor, now: this.clock.now(), calendar: this.calendar });
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
        return this.refuse(
          actor,
          latest ?? current,
          action.kind,
          'stale',
          'Someone else changed this case at the same moment; here is the current state.',
        );
      }
      throw error;
    }
    return { ok: true, case: next };
  }

  /** Audits an attempt refused before it named a valid action, such as a forged or broken card. */
  async recordRefusal(actor: Actor, action: string, refusal: Refusal, caseId: string | null): Promise<void> {
    await this.store.appendAudit({
      ...this.draft(actor, null, action.slice(0, 40), 'refused', null),
      detail: { refusal, requestedCase: caseId?.slice(0, 40) ?? null },
    });
  }

  /** Audits that someone read or downloaded something of a case (such as its trail), or of all cases (no case id). */
  async recordAccess(actor: Actor, caseId: string | null, action: string, detail: AuditDetail = {}): Promise<void> {
    await this.store.appendAudit({ ...this.draft(actor, caseId, action, 'applied', null), detail });
  }

  /** Audits a change to how the bot is set up (such as the privacy team channel), with its outcome. */
  async recordSetting(actor: Actor, action: string, allowed: boolean, detail: AuditDetail = {}): Promise<void> {
    await this.store.appendAudit({
      ...this.draft(actor, null, action, allowed ? 'applied' : 'refused', null),
      detail,
    });
  }

  private async refuse(
    actor: Actor,
    dsrCase: DsrCase | null,
    action: string,
    refusal: Refusal,
    message: string,
    detail: AuditDetail = {},
  ): Promise<ActResult> {
    await this.store.appendAudit({
      ...this.draft(actor, dsrCase?.id ?? null, action.slice(0, 40), 'refused', dsrCase?.version ?? null),
      detail: { ...detail, refusal },
    });
    return dsrCase ? { ok: false, refusal, message, case: dsrCase } : { ok: false, refusal, message };
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

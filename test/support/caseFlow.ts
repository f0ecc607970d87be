import { SET_ASIDE_INPUT, setAsideValue } from '../../cards/findingsCard.js';
import { TRIAGE_CHECKS, type DsrCase } from '../../dsr/case.js';
import { openCandidates } from '../../dsr/matching.js';
import type { PlanStep } from '../../dsr/plan.js';
import { cardOf, cardText, invokeCard, type BotHarness, type PostResult } from './botHarness.js';
import { adele, megan, type TeamsUser } from './people.js';

export const PRIVACY_CHANNEL = '19:privacy-requests@thread.tacv2';
/** The case's thread in the privacy channel, where its cards are pressed. */
export const CASE_THREAD = `${PRIVACY_CHANNEL};messageid=2`;
export const ALL_CHECKS = Object.fromEntries(TRIAGE_CHECKS.map((check) => [check, 'true']));

/**
 * What the privacy team does to a case on its cards, as Teams sends it: every press carries the
 * case's current version and the id of the card pressed. The bot is read through a function,
 * since tests restart it.
 */
export class CaseFlow {
  constructor(
    private readonly bot: () => BotHarness,
    private readonly cardId = 'plan-card',
  ) {}

  async version(caseId: string): Promise<number> {
    return (await this.bot().app.store.getCase(caseId))!.version;
  }

  async press(
    user: TeamsUser,
    verb: string,
    caseId: string,
    extra: Record<string, unknown> = {},
    /** The Teams client's language, as Teams sends it on the press; none reads English. */
    locale?: string,
  ): Promise<PostResult> {
    const bot = this.bot();
    return bot.post({
      ...bot.base(user, CASE_THREAD),
      ...(locale ? { locale } : {}),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: this.cardId,
      value: {
        action: { type: 'Action.Execute', verb, data: { caseId, version: await this.version(caseId), ...extra } },
      },
    });
  }

  /** Presses and returns every text on the card that came back. */
  async card(user: TeamsUser, verb: string, caseId: string, extra: Record<string, unknown> = {}): Promise<string> {
    return cardText(invokeCard(await this.press(user, verb, caseId, extra)));
  }

  /** The same, from a Teams client set to `locale`. */
  async cardIn(
    locale: string,
    user: TeamsUser,
    verb: string,
    caseId: string,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    return cardText(invokeCard(await this.press(user, verb, caseId, extra, locale)));
  }

  /**
   * The prepared package reviewed by one officer, approved by another and released, as the
   * response waits for; returns the text of the card that answered the release.
   */
  async releasePackage(caseId: string, reviewer: TeamsUser = megan, approver: TeamsUser = adele): Promise<string> {
    await this.card(reviewer, 'review.submit', caseId);
    const hash = (await this.bot().app.store.getCase(caseId))!.review!.submitted!.hash;
    await this.card(approver, 'review.approve', caseId, { hash });
    return this.card(reviewer, 'review.release', caseId);
  }

  async step(caseId: string, stepId: string): Promise<PlanStep | undefined> {
    return (await this.bot().app.store.getCase(caseId))!.plan?.steps.find((s) => s.id === stepId);
  }

  /** Files a request through the intake card in `requester`'s 1:1 chat; returns its case id. */
  async file(requester: TeamsUser, fields: Record<string, string>): Promise<string> {
    const bot = this.bot();
    const replies = await bot.say(requester, 'new request');
    const actions = cardOf(replies[0])!.actions as Array<{ data: { intakeId: string } }>;
    const filed = await bot.execute(requester, 'intake.submit', { intakeId: actions[0]!.data.intakeId, ...fields });
    return /DSR-\d{4}-\d{4}/.exec(cardText(invokeCard(filed)))![0];
  }

  /** Identity verified and the case approved, each by a privacy officer who did not file it. */
  async approve(caseId: string, requester: TeamsUser): Promise<void> {
    const bot = this.bot();
    const decider = requester === megan ? adele : megan;
    await bot.execute(decider, 'triage.verifyIdentity', { caseId, version: await this.version(caseId) }, CASE_THREAD);
    await bot.execute(
      decider,
      'triage.approve',
      { caseId, version: await this.version(caseId), ...ALL_CHECKS },
      CASE_THREAD,
    );
  }

  /** "Find data", waiting until the findings are on the card. */
  async find(user: TeamsUser, caseId: string): Promise<void> {
    const bot = this.bot();
    const before = bot.connector.calls.length;
    await this.press(user, 'discovery.find', caseId);
    await bot.connector.waitFor(
      () =>
        bot.connector.calls
          .slice(before)
          .find((c) => c.method === 'PUT' && /Findings for/.test(JSON.stringify(c.body))),
      20_000,
    );
  }

  /**
   * Ticks every record matched on a name or phone only (the sandbox's namesakes) on the findings
   * card and saves once, as the member does who recognises none of them; returns how many were set aside.
   */
  async setAsideCandidates(user: TeamsUser, caseId: string): Promise<number> {
    const dsrCase = (await this.bot().app.store.getCase(caseId))!;
    const ticked = (dsrCase.findings?.systems ?? []).flatMap((system) =>
      openCandidates(system).map((record) => setAsideValue(system.systemId, record.id)),
    );
    if (ticked.length === 0) return 0;
    await this.press(user, 'discovery.setAside', caseId, this.ticks(dsrCase, ticked));
    return ticked.length;
  }

  /** The data a findings card sends with these toggles ticked (values as the card gives them). */
  ticks(dsrCase: DsrCase, values: string[]): Record<string, unknown> {
    return {
      findingsAt: dsrCase.findings?.updatedAt ?? '',
      ...Object.fromEntries(values.map((value, n) => [`${SET_ASIDE_INPUT}${n}`, value])),
    };
  }

  /** A case filed, approved, searched and planned: where the plan's steps begin. */
  async planned(requester: TeamsUser, fields: Record<string, string>): Promise<string> {
    const caseId = await this.file(requester, fields);
    await this.approve(caseId, requester);
    const planner = requester === megan ? adele : megan;
    await this.find(planner, caseId);
    await this.setAsideCandidates(planner, caseId);
    await this.press(planner, 'plan.create', caseId);
    return caseId;
  }
}

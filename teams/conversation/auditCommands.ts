import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { AUDIT_PAGE_SIZE, auditTrailCard } from '../../cards/auditTrailCard.js';
import { translator } from '../../i18n/index.js';
import type { CardJson } from '../../cards/template.js';
import { verifyTrail, type AuditEvent, type WitnessedHead } from '../../dsr/audit.js';
import type { DsrServices } from '../services.js';
import type { CaseStore } from '../../dsr/ports/store.js';
import { actorOf } from '../turnActor.js';
import { actorIds, eventSentence, eventTime, nameTable } from './auditWords.js';
import { verdictWords } from './verdictWords.js';

/** Issues a signed link to a file for one person. */
export interface LinkIssuer {
  issue(resource: string, userId: string, now: Date): string;
}

/** "audit DSR-…", "export audit DSR-…" and "verify audit": the trail, for the privacy team only. */
export class AuditCommands {
  constructor(
    private readonly services: DsrServices,
    private readonly store: Pick<CaseStore, 'auditEvents' | 'auditHead' | 'auditKeys' | 'getCase'>,
    private readonly links: LinkIssuer,
  ) {}

  private async allowed(context: TurnContext): Promise<boolean> {
    const actor = actorOf(context.activity);
    if ((await this.services.cases.rolesOf(actor)).privacyTeam) return true;
    await context.sendActivity(translator(context.activity.locale)('audit.onlyTeam'));
    return false;
  }

  async showTrail(context: TurnContext, caseId: string | undefined, page = 1): Promise<void> {
    if (!(await this.allowed(context))) return;
    const t = translator(context.activity.locale);
    if (!caseId) {
      await context.sendActivity(t('audit.nameCase'));
      return;
    }
    const shown = await this.trailPage(caseId, page, context.activity.locale);
    if ('message' in shown) await context.sendActivity(shown.message);
    else await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(shown.card)));
  }

  /**
   * One page of a case's trail in words, oldest first: names found in the directory for the ids
   * the trail keeps, the step and system from the case's plan, times in the organisation's zone.
   */
  async trailPage(
    caseId: string,
    page: number,
    locale: string | undefined,
  ): Promise<{ card: CardJson } | { message: string }> {
    const t = translator(locale);
    const events: AuditEvent[] = [];
    for await (const event of this.store.auditEvents(caseId)) events.push(event);
    if (events.length === 0) return { message: t('audit.none', { caseId }) };
    const pages = Math.ceil(events.length / AUDIT_PAGE_SIZE);
    if (page > pages) return { message: t('audit.noSuchPage', { caseId, pages }) };
    const shown = events.slice((page - 1) * AUDIT_PAGE_SIZE, page * AUDIT_PAGE_SIZE);
    const dsrCase = await this.store.getCase(caseId);
    const names = nameTable(await this.services.team.namesOf(actorIds(shown)), dsrCase);
    const lines = shown.map((event) => ({
      time: eventTime(event.at, this.services.calendar, locale),
      sentence: eventSentence(event, names, dsrCase, t),
    }));
    return { card: auditTrailCard({ caseId, page, pages, total: events.length, lines }, t) };
  }

  /**
   * A CSV of the trail through a link only for the asker, expiring soon. It goes to their 1:1
   * chat, never into a channel, because the link opens without signing in again.
   */
  async exportTrail(context: TurnContext, caseId: string | undefined): Promise<void> {
    if (!(await this.allowed(context))) return;
    const t = translator(context.activity.locale);
    if (!caseId || !(await this.store.getCase(caseId))) {
      await context.sendActivity(caseId ? t('replies.audit.noSuchCase', { caseId }) : t('replies.audit.nameTrail'));
      return;
    }
    const actor = actorOf(context.activity);
    const link = this.links.issue(`audit/${caseId}.csv`, actor.id, this.services.clock.now());
    await this.sendLink(context, t('replies.audit.trailLink', { caseId, link }));
  }

  /**
   * The whole record of a case (the case, its trail and its ledger) as one JSON file, so the team
   * can keep what it needs before the purge deletes the personal data. Delivered like the trail.
   */
  async exportCaseFile(context: TurnContext, caseId: string | undefined): Promise<void> {
    if (!(await this.allowed(context))) return;
    const t = translator(context.activity.locale);
    const dsrCase = caseId ? await this.store.getCase(caseId) : undefined;
    if (!caseId || !dsrCase) {
      await context.sendActivity(caseId ? t('replies.audit.noSuchCase', { caseId }) : t('replies.audit.nameCaseFile'));
      return;
    }
    if (dsrCase.purge?.doneAt) {
      await context.sendActivity(t('replies.audit.purged', { caseId }));
      return;
    }
    const actor = actorOf(context.activity);
    const link = this.links.issue(`casefile/${caseId}.json`, actor.id, this.services.clock.now());
    await this.sendLink(context, t('replies.audit.caseFileLink', { caseId, link }));
  }

  private async sendLink(context: TurnContext, text: string): Promise<void> {
    const actor = actorOf(context.activity);
    if (context.activity.conversation.conversationType === 'personal') {
      await context.sendActivity(text);
      return;
    }
    const sent = await this.services.notifier.tellUser(actor.id, text);
    const t = translator(context.activity.locale);
    await context.sendActivity(sent ? t('replies.audit.linkSent') : t('replies.audit.openPersonalChat'));
  }

  /** `witnessed` is a head the reader saw earlier, so a trail cut back to before it shows. */
  async verify(context: TurnContext, witnessed?: WitnessedHead): Promise<void> {
    if (!(await this.allowed(context))) return;
    const verdict = await verifyTrail(
      this.store.auditEvents(),
      () => this.store.auditHead(),
      witnessed,
      this.store.auditKeys,
    );
    await context.sendActivity(verdictWords(verdict, translator(context.activity.locale)));
  }
}

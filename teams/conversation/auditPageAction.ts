import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { AUDIT_VERBS } from '../../cards/verbs.js';
import { translator } from '../../i18n/index.js';
import type { AuditCommands } from './auditCommands.js';
import type { ActionOutcome, CardActionHandler, CardData } from '../actions/cardActions.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';

const pageSchema = z.object({
  caseId: z.string().min(1).max(40),
  page: z.coerce.number().int().min(1).max(100_000),
});

/** "Previous page" and "Next page" on the audit trail card: the same page as "audit DSR-… page N". */
export class AuditPageAction implements CardActionHandler {
  readonly verb = AUDIT_VERBS.page;

  constructor(
    private readonly services: DsrServices,
    private readonly audit: Pick<AuditCommands, 'trailPage'>,
  ) {}

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const t = translator(context.activity.locale);
    const actor = actorOf(context.activity);
    const parsed = pageSchema.safeParse(data);
    if (!(await this.services.cases.rolesOf(actor)).privacyTeam) {
      await this.services.cases.recordRefusal(actor, this.verb, 'forbidden', parsed.data?.caseId ?? null);
      return { kind: 'error', status: 403, message: t('audit.onlyTeam') };
    }
    if (!parsed.success) return { kind: 'error', status: 400, message: t('audit.nameCase') };
    const shown = await this.audit.trailPage(parsed.data.caseId, parsed.data.page, context.activity.locale);
    return 'card' in shown ? { kind: 'card', card: shown.card } : { kind: 'message', text: shown.message };
  }
}

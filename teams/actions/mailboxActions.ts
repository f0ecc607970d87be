import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { translator } from '../../i18n/index.js';
import { intakeValues } from '../../cards/intakeCard.js';
import { MAILBOX_VERBS, mailDecidedCard, mailDraftCard } from '../../cards/mailDraftCard.js';
import type { Actor } from '../../dsr/case.js';
import { validateIntake } from '../../dsr/intake.js';
import type { MailboxStore, MailRecord } from '../../dsr/mailbox/mailboxStore.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { DsrServices } from '../services.js';
import { actorOf } from '../turnActor.js';

const messageEnvelope = z.object({ messageId: z.string().min(1).max(1000) });
const recordEnvelope = messageEnvelope.extend({ intakeId: z.uuid() });

/** The intake key of the case a mail becomes: whoever presses, and however often, one mail makes one case. */
export const mailIntakeKey = (messageId: string) => `mailbox:${messageId}`;

type Checked = { actor: Actor; messageId: string; record: MailRecord } | ActionOutcome;

/**
 * The checks both buttons of a draft make: the card names a mail, the actor is on the privacy team
 * (taken from the activity, never the card), and the mail is one the watcher drafted. A refusal is
 * audited and answered; a mail decided already is answered with what happened to it, changing nothing.
 */
async function checkPress(
  context: TurnContext,
  verb: string,
  data: CardData,
  services: DsrServices,
  mailbox: MailboxStore,
  envelope: typeof messageEnvelope,
): Promise<Checked> {
  const { cases } = services;
  const t = translator(context.activity.locale);
  const actor = actorOf(context.activity);
  const parsed = envelope.safeParse(data);
  if (!parsed.success) {
    await cases.recordRefusal(actor, verb, 'invalid-input', null);
    return { kind: 'error', status: 400, message: t('mailbox.incomplete') };
  }
  if (!(await cases.rolesOf(actor)).privacyTeam) {
    await cases.recordRefusal(actor, verb, 'forbidden', null);
    return { kind: 'error', status: 403, message: t('mailbox.forbidden') };
  }
  const { messageId } = parsed.data;
  const record = await mailbox.mail(messageId);
  if (!record || record.state === 'skipped') {
    await cases.recordRefusal(actor, verb, 'not-found', null);
    return { kind: 'error', status: 404, message: t('mailbox.unknown') };
  }
  const decided = alreadyDecided(record, context.activity.locale);
  return decided ?? { actor, messageId, record };
}

function alreadyDecided(record: MailRecord | undefined, locale: string | undefined): ActionOutcome | undefined {
  const t = translator(locale);
  if (record?.state === 'recorded') {
    return { kind: 'card', card: mailDecidedCard(t('mailbox.already.recorded', { caseId: record.caseId })) };
  }
  if (record?.state === 'dismissed') return { kind: 'card', card: mailDecidedCard(t('mailbox.already.dismissed')) };
  return undefined;
}

/**
 * "Record request" on a draft: the form as pressed goes through the intake's own validation and
 * becomes a case through the normal intake (audited, then the triage card in the channel). The case's
 * intake key is the mail's, so a double press or two officers at once make one case.
 */
export class MailboxRecord implements CardActionHandler {
  readonly verb = MAILBOX_VERBS.record;

  constructor(
    private readonly services: DsrServices,
    private readonly mailbox: MailboxStore,
  ) {}

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const checked = await checkPress(context, this.verb, data, this.services, this.mailbox, recordEnvelope);
    if ('kind' in checked) return checked;
    const { actor, messageId } = checked;
    const { cases, clock, calendar, log, notifier } = this.services;
    const locale = context.activity.locale;
    const t = translator(locale);
    const now = clock.now();
    const languages = this.services.letters?.service.languages;
    const result = validateIntake(data, now, calendar.timeZone, languages);
    if (!result.ok) {
      log.info({ fields: Object.keys(result.errors) }, 'mail draft refused: invalid fields');
      return {
        kind: 'card',
        card: mailDraftCard({
          messageId,
          intakeId: (data as { intakeId: string }).intakeId,
          timeZone: calendar.timeZone,
          now,
          notes: [],
          values: intakeValues(data),
          errors: result.errors,
          locale,
          ...(languages ? { languages } : {}),
        }),
      };
    }
    const { case: created, created: isNew } = await cases.createCase(actor, result.request, mailIntakeKey(messageId));
    const decision = await this.mailbox.decide(messageId, {
      state: 'recorded',
      caseId: created.id,
      decidedBy: actor.id,
      decidedAt: now.toISOString(),
    });
    if (isNew) {
      await cases.recordAccess(actor, created.id, 'mailbox.record', { messageId });
      log.info({ caseId: created.id }, 'case created from the privacy mailbox');
      await notifier.caseCreated(created);
    }
    if (!isNew || !decision.changed) {
      return (
        alreadyDecided(decision.record, locale) ?? {
          kind: 'card',
          card: mailDecidedCard(t('mailbox.already.recorded', { caseId: created.id })),
        }
      );
    }
    return { kind: 'card', card: mailDecidedCard(t('mailbox.recorded', { caseId: created.id, name: actor.name })) };
  }
}

/** "Not a request": the mail is dismissed for good, audited by its message id alone. */
export class MailboxDismiss implements CardActionHandler {
  readonly verb = MAILBOX_VERBS.dismiss;

  constructor(
    private readonly services: DsrServices,
    private readonly mailbox: MailboxStore,
  ) {}

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const checked = await checkPress(context, this.verb, data, this.services, this.mailbox, messageEnvelope);
    if ('kind' in checked) return checked;
    const { actor, messageId } = checked;
    const { cases, clock } = this.services;
    const locale = context.activity.locale;
    const decision = await this.mailbox.decide(messageId, {
      state: 'dismissed',
      decidedBy: actor.id,
      decidedAt: clock.now().toISOString(),
    });
    if (!decision.changed) {
      return (
        alreadyDecided(decision.record, locale) ?? {
          kind: 'error',
          status: 409,
          message: translator(locale)('mailbox.unknown'),
        }
      );
    }
    await cases.recordAccess(actor, null, 'mailbox.dismiss', { messageId });
    return {
      kind: 'card',
      card: mailDecidedCard(translator(locale)('mailbox.dismissed', { name: actor.name })),
    };
  }
}

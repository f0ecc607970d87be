import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { letterCard } from '../../cards/letterCard.js';
import { LETTER_VERBS } from '../../cards/verbs.js';
import { triageCard } from '../../cards/triageCard.js';
import type { Actor, DsrCase } from '../../dsr/case.js';
import type { ActResult } from '../../dsr/caseService.js';
import { releasePending } from '../../dsr/packageReview.js';
import { LETTER_KINDS, type LetterKind } from '../../dsr/letters/letterKinds.js';
import { translator, wordsOf } from '../../i18n/index.js';
import { refusalText } from '../refusalText.js';
import type { ActionOutcome, CardActionHandler, CardData } from './cardActions.js';
import type { DsrServices, LetterDesk } from '../services.js';
import { actorOf } from '../turnActor.js';

const target = z.object({ caseId: z.string().max(40), letter: z.enum(LETTER_KINDS) });
const versioned = target.extend({
  version: z.coerce.number().int().min(1),
  note: z.string().max(5000).optional().default(''),
});
const channel = z.enum(['email-client', 'post', 'hand']);

/**
 * The letter card's actions. Only the privacy team handles letters; the case is read again and
 * the letter rendered again from it, so what is sent is what the case says now.
 */
export class LetterAction implements CardActionHandler {
  constructor(
    readonly verb: string,
    private readonly services: DsrServices,
    private readonly desk: LetterDesk,
  ) {}

  static all(services: DsrServices, desk: LetterDesk): LetterAction[] {
    return Object.values(LETTER_VERBS).map((verb) => new LetterAction(verb, services, desk));
  }

  async handle(context: TurnContext, data: CardData): Promise<ActionOutcome> {
    const { cases, log } = this.services;
    const locale = context.activity.locale;
    const t = translator(locale);
    const actor = actorOf(context.activity);
    const parsed = target.safeParse(data);
    const change = versioned.safeParse(data);
    const caseId = typeof data.caseId === 'string' ? data.caseId : null;
    if (!parsed.success || (this.verb !== LETTER_VERBS.show && !change.success)) {
      await cases.recordRefusal(actor, this.verb, 'invalid-input', caseId);
      return { kind: 'error', status: 400, message: t('letter.incomplete') };
    }
    if (!(await cases.rolesOf(actor)).privacyTeam) {
      await cases.recordRefusal(actor, this.verb, 'forbidden', caseId);
      return { kind: 'error', status: 403, message: t('letter.onlyTeam') };
    }
    const dsrCase = await cases.viewCase(actor, parsed.data.caseId);
    if (!dsrCase) return { kind: 'error', status: 404, message: t('letter.notFound') };
    const kind = parsed.data.letter;
    if (this.verb === LETTER_VERBS.show || !change.success) return this.show(actor, dsrCase, kind, locale);
    const { version, note } = change.data;
    const service = this.desk.service;
    let result: ActResult;
    switch (this.verb) {
      case LETTER_VERBS.update:
        result = await service.saveNote(actor, dsrCase, version, kind, note);
        return result.ok
          ? this.show(actor, result.case, kind, locale, { text: t('letter.updated'), tone: 'good' })
          : this.refused(actor, result.case ?? dsrCase, kind, locale, refusalText(t, result));
      case LETTER_VERBS.send:
        try {
          result = await service.send(actor, dsrCase, version, kind, note);
        } catch (error) {
          log.warn({ caseId: dsrCase.id, letter: kind, err: error }, 'letter could not be sent');
          return this.refused(actor, dsrCase, kind, locale, t('letter.mailboxRefused'));
        }
        break;
      case LETTER_VERBS.markSent: {
        const how = channel.safeParse(data.channel);
        if (!how.success) return this.refused(actor, dsrCase, kind, locale, t('letter.howMissing'));
        result = await service.markSent(actor, dsrCase, version, kind, note, how.data);
        break;
      }
      default:
        return { kind: 'error', status: 400, message: t('letter.unknown') };
    }
    if (!result.ok) return this.refused(actor, result.case ?? dsrCase, kind, locale, refusalText(t, result));
    log.info({ caseId: result.case.id, letter: kind }, 'letter sent');
    if (kind === 'response') await this.services.notifier.caseNews(result.case, 'answered');
    const { clock, calendar, team } = this.services;
    return {
      kind: 'card',
      card: triageCard(
        result.case,
        clock.now(),
        calendar,
        await team.members(),
        {
          text: t(kind === 'response' ? 'letter.sentResponse' : 'letter.sent', { letter: t(`letter.kinds.${kind}`) }),
          tone: 'good',
        },
        'live',
        { ...(locale ? { locale } : {}), viewer: actor },
      ),
    };
  }

  private async show(
    actor: Actor,
    dsrCase: DsrCase,
    kind: LetterKind,
    locale: string | undefined,
    notice?: { text: string; tone: 'good' | 'attention' },
  ): Promise<ActionOutcome> {
    const service = this.desk.service;
    const t = translator(locale);
    const draft = service.draft(dsrCase, kind);
    if (!draft.ok) return this.caseWith(actor, dsrCase, refusalText(t, draft), locale);
    // The person's copy goes out only once reviewed, approved and released; until then the
    // response is refused (dsr/packageReview.ts), and the officer is told why before trying.
    const unreleased = kind === 'response' ? releasePending(dsrCase, this.services.clock.now()) : null;
    if (!notice && unreleased) notice = { text: wordsOf(t, unreleased), tone: 'attention' };
    return {
      kind: 'card',
      card: letterCard({
        dsrCase,
        kind,
        letter: draft.letter,
        note: draft.note,
        to: draft.to,
        mailbox: await service.mailbox(),
        eml: this.desk.link(dsrCase.id, `${kind}.eml`, actor.id),
        printable: this.desk.link(dsrCase.id, `${kind}.html`, actor.id),
        ...(notice ? { notice } : {}),
        locale,
        now: this.services.clock.now(),
        calendar: this.services.calendar,
      }),
    };
  }

  private refused(
    actor: Actor,
    dsrCase: DsrCase,
    kind: LetterKind,
    locale: string | undefined,
    message: string,
  ): Promise<ActionOutcome> {
    return this.show(actor, dsrCase, kind, locale, { text: message, tone: 'attention' });
  }

  private async caseWith(
    actor: Actor,
    dsrCase: DsrCase,
    message: string,
    locale: string | undefined,
  ): Promise<ActionOutcome> {
    const { clock, calendar, team } = this.services;
    return {
      kind: 'card',
      card: triageCard(
        dsrCase,
        clock.now(),
        calendar,
        await team.members(),
        { text: message, tone: 'attention' },
        'live',
        { ...(locale ? { locale } : {}), viewer: actor },
      ),
    };
  }
}

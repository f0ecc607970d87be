import { DateTime } from 'luxon';
import type { IntakeErrors, IntakeField } from '../dsr/intake.js';
import type { IntakePrefill } from '../dsr/intake/prefill.js';
import type { MailNote } from '../dsr/mailbox/mailIntake.js';
import { cardBytes, CARD_BYTE_LIMIT } from './cardSize.js';
import { shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import { intakeCard } from './intakeCard.js';
import { intakeSuggestions } from './intakeSuggestions.js';
import { CARD_SCHEMA, CARD_VERSION, executeAction, ignoringInputs, type CardJson } from './template.js';

export const MAILBOX_VERBS = {
  record: 'mailbox.record',
  dismiss: 'mailbox.dismiss',
} as const;

export interface MailDraftView {
  messageId: string;
  intakeId: string;
  /** The mail itself; absent when the card is drawn again after a refused press (nothing of it is stored). */
  mail?: {
    sender: { name?: string; address?: string } | undefined;
    subject: string;
    receivedAt: Date;
    quote: string;
  };
  timeZone: string;
  now: Date;
  /** What was read from the mail; absent when the card is drawn again after a refused press. */
  prefill?: IntakePrefill;
  notes: MailNote[];
  locale?: string;
  /** When a press was refused: what the form held, and the problems found. */
  values?: Partial<Record<IntakeField, string>>;
  errors?: IntakeErrors;
  languages?: readonly string[];
}

/** Lines of the quote shown; each is a TextBlock of its own, so a mail's paragraphs stay apart. */
const QUOTE_LINES = 25;

function quoteBlocks(quote: string, limit: number): CardJson[] {
  const lines = quote
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .slice(0, QUOTE_LINES);
  let left = limit;
  const blocks: CardJson[] = [];
  for (const line of lines) {
    if (left <= 0) break;
    blocks.push({ type: 'TextBlock', text: shownAsText(line, left), wrap: true, spacing: 'Small' });
    left -= line.length;
  }
  return blocks;
}

/**
 * A mail to the privacy mailbox as a draft request in the privacy channel: the intake form as the
 * intake card draws it, filled from the mail, with the mail's sender, time and notes above it and
 * the mail quoted below; one press records it, another dismisses it. What came from outside (sender,
 * subject, text) is shown as text, never as Markdown.
 */
export function mailDraftCard(view: MailDraftView): CardJson {
  const t = translator(view.locale);
  const intake = intakeCard({
    intakeId: view.intakeId,
    now: view.now,
    timeZone: view.timeZone,
    values: view.values ?? view.prefill?.values ?? {},
    ...(view.errors ? { errors: view.errors } : {}),
    ...(view.languages ? { languages: view.languages } : {}),
    ...(view.prefill ? { suggestions: intakeSuggestions(view.prefill, view.locale) } : {}),
    locale: view.locale,
  });
  const mail = view.mail;
  const quote = mail?.quote ?? '';
  const header: CardJson[] = [
    { type: 'TextBlock', text: t('mailbox.draft.title'), weight: 'Bolder', wrap: true },
    ...(mail ? aboutMail(mail, view.timeZone, view.locale) : []),
    // On tints in the default text colour, which reads in every Teams theme (coloured text does not).
    ...(view.notes.length > 0
      ? [
          {
            type: 'Container',
            style: 'warning',
            items: view.notes.map((note): CardJson => ({
              type: 'TextBlock',
              text: t(`mailbox.notes.${note}`),
              wrap: true,
            })),
          },
        ]
      : []),
    ...(view.errors
      ? [
          {
            type: 'Container',
            style: 'attention',
            items: [{ type: 'TextBlock', text: t('mailbox.fixForm'), wrap: true }],
          },
        ]
      : []),
    { type: 'TextBlock', text: t('mailbox.draft.check'), wrap: true, isSubtle: true },
  ];
  const render = (quoteLimit: number): CardJson => ({
    ...intake,
    body: [
      ...header,
      ...((intake.body as CardJson[] | undefined) ?? []),
      ...(quote && quoteLimit > 0
        ? [
            {
              type: 'Container',
              style: 'emphasis',
              separator: true,
              items: [
                { type: 'TextBlock', text: t('mailbox.draft.quoteTitle'), weight: 'Bolder', wrap: true },
                ...quoteBlocks(quote, quoteLimit),
              ],
            },
          ]
        : []),
    ],
    actions: [
      executeAction(
        t('mailbox.draft.record'),
        MAILBOX_VERBS.record,
        { messageId: view.messageId, intakeId: view.intakeId },
        'positive',
      ),
      ignoringInputs(executeAction(t('mailbox.draft.dismiss'), MAILBOX_VERBS.dismiss, { messageId: view.messageId })),
    ],
  });
  // The quote is what gives way when a mail full of wide characters would pass the size budget.
  for (const limit of [quote.length, 800, 300, 0]) {
    const card = render(limit);
    if (cardBytes(card) <= CARD_BYTE_LIMIT) return card;
  }
  return render(0);
}

/** Who sent the mail, when it arrived, and its subject line. */
function aboutMail(mail: NonNullable<MailDraftView['mail']>, timeZone: string, locale: string | undefined): CardJson[] {
  const t = translator(locale);
  const { sender } = mail;
  const from = sender?.name
    ? sender.address
      ? `${sender.name} <${sender.address}>`
      : sender.name
    : (sender?.address ?? t('mailbox.draft.unknownSender'));
  const received = DateTime.fromJSDate(mail.receivedAt)
    .setZone(timeZone)
    .setLocale(locale ?? 'en')
    .toLocaleString(DateTime.DATETIME_MED);
  return [
    {
      type: 'TextBlock',
      text: t('mailbox.draft.from', { sender: shownAsText(from, 300), received }),
      wrap: true,
      spacing: 'Small',
    },
    {
      type: 'TextBlock',
      text: t('mailbox.draft.subject', { subject: shownAsText(mail.subject || t('mailbox.draft.noSubject'), 200) }),
      wrap: true,
      spacing: 'Small',
    },
  ];
}

/** What replaces the draft once decided: no form, no quote, only what happened. */
export function mailDecidedCard(text: string): CardJson {
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body: [{ type: 'TextBlock', text, wrap: true }],
  };
}

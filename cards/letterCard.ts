import type { DsrCase } from '../dsr/case.js';
import { caseHeaderFacts } from '../dsr/caseHeader.js';
import type { OrgCalendar } from '../dsr/deadlines.js';
import { LETTER_NOTE_MAX_LENGTH, type LetterKind } from '../dsr/letters/letterKinds.js';
import type { RenderedLetter } from '../dsr/letters/templates.js';
import {
  actionSet,
  choiceSetInput,
  container,
  executeAction,
  factSet,
  openUrlAction,
  showCardAction,
  textBlock,
  textInput,
  type CardAction,
} from './adaptive.js';
import { fullestThatFits } from './cardSize.js';
import { caseCardShell } from './caseHeader.js';
import { clip, shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import type { Notice } from './notices.js';
import type { CardJson } from './template.js';
import { LETTER_VERBS, TRIAGE_VERBS } from './verbs.js';

export { LETTER_VERBS };

export interface LetterCardInput {
  dsrCase: DsrCase;
  kind: LetterKind;
  letter: RenderedLetter;
  note: string;
  to: string | undefined;
  /** The mailbox letters leave from; none: download and mark sent. */
  mailbox: string | undefined;
  eml: string;
  printable: string;
  notice?: { text: string; tone: 'good' | 'attention' };
  /** The reader's Teams locale: the card speaks it; the letter keeps the person's language. */
  locale: string | undefined;
  now: Date;
  calendar: OrgCalendar;
}

const LETTER_LANGUAGES = ['en', 'de', 'fr', 'es'];

/** Turns the letter's HTML into paragraphs a card can show: the draft as the person will read it. */
export function letterParagraphs(html: string): string[] {
  return html
    .replace(/<li>/g, '- ')
    .replace(/<\/(p|li|h2|h3|ul)>|<br\s*\/?>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** The draft of one letter: what it says, the officer's words, and the ways to send it. */
export function letterCard(input: LetterCardInput): CardJson {
  const paragraphs = letterParagraphs(input.letter.html).map((text) => clip(text, 2000));
  // A long letter is shown as far as Teams' message size allows (see cardSize.ts); the rest is
  // counted and read whole in the printable letter or the .eml, which are what is sent.
  const shown = [paragraphs.length, 60, 30, 15, 5].filter((n) => n <= paragraphs.length);
  return fullestThatFits(shown, (count) => renderLetter(input, paragraphs, count));
}

function renderLetter(input: LetterCardInput, paragraphs: string[], count: number): CardJson {
  const { dsrCase, kind, letter } = input;
  const t = translator(input.locale);
  const rest = paragraphs.length - count;
  const data = { caseId: dsrCase.id, version: dsrCase.version, letter: kind };
  const language = dsrCase.language ?? 'en';
  const canSend = input.mailbox !== undefined && input.to !== undefined;
  const markSent = showCardAction(
    t('letter.markSent'),
    [
      choiceSetInput({
        id: 'channel',
        label: t('letter.how'),
        isRequired: true,
        errorMessage: t('letter.howMissing'),
        choices: (['email-client', 'post', 'hand'] as const).map((channel) => ({
          title: t(`letter.channels.${channel}`),
          value: channel,
        })),
      }),
    ],
    [executeAction(t('letter.recordSent'), LETTER_VERBS.markSent, data)],
  );
  // The next thing to do is to send it: by the mailbox where there is one, else by hand and mark it sent.
  const actions: CardAction[] = [
    ...(canSend
      ? [
          executeAction(
            t(kind === 'response' ? 'letter.sendResponse' : 'letter.send'),
            LETTER_VERBS.send,
            data,
            'positive',
          ),
        ]
      : []),
    openUrlAction(t('letter.eml'), input.eml),
    openUrlAction(t('letter.printable'), input.printable),
    canSend ? markSent : { ...markSent, style: 'positive' },
    executeAction(t('letter.back'), TRIAGE_VERBS.refresh, { caseId: dsrCase.id }),
  ];
  const notices: Notice[] = input.notice
    ? [{ tone: input.notice.tone === 'good' ? 'good' : 'error', text: input.notice.text }]
    : [];
  return caseCardShell({
    header: caseHeaderFacts(dsrCase, input.now, input.calendar),
    locale: input.locale,
    timeZone: input.calendar.timeZone,
    notices,
    body: [
      textBlock(
        t('letter.title', {
          letter: t(`letter.kinds.${kind}`),
          subject: shownAsText(dsrCase.subject.name, 60),
          caseId: dsrCase.id,
        }),
        {
          size: 'Medium',
          weight: 'Bolder',
          separator: true,
        },
      ),
      factSet([
        { title: t('letter.to'), value: input.to ?? t('letter.noAddress') },
        {
          title: t('letter.language'),
          value: LETTER_LANGUAGES.includes(language) ? t(`letter.languages.${language}`) : language,
        },
        { title: t('letter.from'), value: input.mailbox ?? t('letter.noMailbox') },
        ...(kind === 'response' ? [{ title: t('letter.onSending'), value: t('letter.respondsCase') }] : []),
      ]),
      container(
        [
          textBlock(letter.subject, { weight: 'Bolder' }),
          ...paragraphs.slice(0, count).map((text) => textBlock(text, { spacing: 'Small' })),
          ...(rest > 0 ? [textBlock(t('letter.more', { count: rest }), { spacing: 'Small', isSubtle: true })] : []),
        ],
        { style: 'emphasis' },
      ),
      textInput({
        id: 'note',
        label: t('letter.note'),
        isMultiline: true,
        maxLength: LETTER_NOTE_MAX_LENGTH,
        value: input.note,
      }),
      // Beside the text it applies to, which also keeps the card within five actions of its own.
      actionSet([executeAction(t('letter.update'), LETTER_VERBS.update, data)]),
    ],
    actions,
  });
}

import type { DsrCase } from '../dsr/case.js';
import {
  LETTER_CHANNEL_LABELS,
  LETTER_KIND_LABELS,
  LETTER_NOTE_MAX_LENGTH,
  type LetterKind,
} from '../dsr/letters/letterKinds.js';
import type { RenderedLetter } from '../dsr/letters/templates.js';
import { clip, noticeBlock } from './format.js';
import { LETTER_VERBS } from './verbs.js';
import { TRIAGE_VERBS } from './verbs.js';
import { fullestThatFits } from './cardSize.js';
import { CARD_SCHEMA, CARD_VERSION, CardTemplate, executeAction, type CardJson } from './template.js';

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
}

interface LetterView {
  id: string;
  version: number;
  kind: string;
  title: string;
  facts: Array<{ title: string; value: string }>;
  subject: string;
  paragraphs: Array<{ text: string }>;
  note: string;
  canSend: boolean;
  sendTitle: string;
  eml: string;
  printable: string;
  channels: Array<{ title: string; value: string }>;
}

const data = { caseId: '${id}', version: '${version}', letter: '${kind}' };

const template = new CardTemplate<LetterView>({
  type: 'AdaptiveCard',
  $schema: CARD_SCHEMA,
  version: CARD_VERSION,
  body: [
    { type: 'TextBlock', text: '${title}', size: 'Large', weight: 'Bolder', wrap: true },
    { type: 'FactSet', facts: [{ $data: '${facts}', title: '${title}', value: '${value}' }] },
    {
      type: 'Container',
      style: 'emphasis',
      items: [
        { type: 'TextBlock', text: '${subject}', weight: 'Bolder', wrap: true },
        { type: 'TextBlock', $data: '${paragraphs}', text: '${text}', wrap: true, spacing: 'Small' },
      ],
    },
    {
      type: 'Input.Text',
      id: 'note',
      label: 'Your own words in the letter (optional); press "Update the draft" to see them in place',
      isMultiline: true,
      maxLength: LETTER_NOTE_MAX_LENGTH,
      value: '${note}',
    },
    // Beside the text it applies to, which also keeps the card within five actions of its own.
    { type: 'ActionSet', actions: [executeAction('Update the draft', LETTER_VERBS.update, data)] },
  ],
  actions: [
    { ...executeAction('${sendTitle}', LETTER_VERBS.send, data, 'positive'), $when: '${canSend}' },
    { type: 'Action.OpenUrl', title: 'Download .eml', url: '${eml}' },
    { type: 'Action.OpenUrl', title: 'Printable letter', url: '${printable}' },
    {
      type: 'Action.ShowCard',
      title: 'Mark sent',
      card: {
        type: 'AdaptiveCard',
        body: [
          {
            type: 'Input.ChoiceSet',
            id: 'channel',
            label: 'How did the letter leave?',
            isRequired: true,
            errorMessage: 'Choose how it was sent.',
            choices: [{ $data: '${channels}', title: '${title}', value: '${value}' }],
          },
        ],
        actions: [executeAction('Record as sent today', LETTER_VERBS.markSent, data)],
      },
    },
    executeAction('Back to the case', TRIAGE_VERBS.refresh, { caseId: '${id}' }),
  ],
});

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
  const rest = paragraphs.length - count;
  const card = template.render({
    id: dsrCase.id,
    version: dsrCase.version,
    kind,
    title: `${LETTER_KIND_LABELS[kind]} for ${clip(dsrCase.subject.name, 60)} (${dsrCase.id})`,
    facts: [
      { title: 'To', value: input.to ?? 'No email address: print it and send it by post' },
      { title: 'Language', value: dsrCase.language ?? 'en' },
      {
        title: 'Sent from',
        value: input.mailbox ?? 'No mailbox configured: download the .eml or print the letter, then mark it sent',
      },
      ...(kind === 'response' ? [{ title: 'On sending', value: 'The case is marked responded.' }] : []),
    ],
    subject: letter.subject,
    paragraphs: [
      ...paragraphs.slice(0, count).map((text) => ({ text })),
      ...(rest > 0 ? [{ text: `…and ${rest} more paragraphs: open the printable letter to read it whole.` }] : []),
    ],
    note: input.note,
    canSend: input.mailbox !== undefined && input.to !== undefined,
    sendTitle: kind === 'response' ? 'Send and mark responded' : 'Send',
    eml: input.eml,
    printable: input.printable,
    channels: (['email-client', 'post', 'hand'] as const).map((channel) => ({
      title: LETTER_CHANNEL_LABELS[channel],
      value: channel,
    })),
  });
  if (input.notice) {
    const body = card.body as CardJson[];
    body.unshift(...noticeBlock(input.notice.text, input.notice.tone === 'good' ? 'Good' : 'Attention'));
  }
  return card;
}

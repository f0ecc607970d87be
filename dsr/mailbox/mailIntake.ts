import { DateTime } from 'luxon';
import { INTAKE_FIELDS as F } from '../intake.js';
import { extractRequest, type Extraction } from '../intake/extract.js';
import { plainText } from '../intake/messageText.js';
import { prefillIntake, type IntakePrefill } from '../intake/prefill.js';
import type { SkipReason } from './mailboxStore.js';

/** A mail as the watcher hands it over; the shape Graph sent has been read defensively already. */
export interface IncomingMail {
  id: string;
  receivedDateTime: string | undefined;
  subject: string;
  body: { contentType: 'text' | 'html'; content: string };
  from: { name?: string; address?: string } | undefined;
  conversationId: string | undefined;
  hasAttachments: boolean;
}

/** What the privacy team should know about a draft before trusting it. */
export type MailNote =
  | 'not-a-request'
  | 'shortened'
  | 'binary'
  | 'other-language'
  | 'attachments'
  | 'thread-repeat'
  | 'no-received-time'
  | 'unreadable'
  | 'empty';

export type MailReading =
  | { kind: 'skip'; reason: SkipReason }
  | {
      kind: 'draft';
      prefill: IntakePrefill;
      notes: MailNote[];
      /** The message as a person reads it, cut to QUOTE_LIMIT: what the card quotes. */
      quote: string;
      receivedAt: Date;
    };

/** More of a mail than this is never read: the rules cut at 100,000 characters, HTML shrinks to text. */
const BODY_READ_LIMIT = 400_000;
/** The quote on the card; the whole mail stays in the mailbox. */
export const QUOTE_LIMIT = 1_500;
/** Mails of one conversation within a day beyond which it is a reply-all loop, not a request. */
export const THREAD_LOOP_LIMIT = 3;
export const THREAD_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ReadOptions {
  /** The organisation's own mail domains: their addresses are staff, never the data subject. */
  ownDomains: string[];
  now: Date;
  timeZone: string;
  /** Messages of the same conversation already seen within THREAD_WINDOW_MS. */
  threadSeen: number;
}

// eslint-disable-next-line no-control-regex -- control characters are what binary content looks like
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\ufffd]+/g;

/**
 * Decides what a mail to the privacy mailbox becomes. An automatic reply, bulk mail or a reply-all
 * loop gets no draft (a team of a few people reading fifty mails a week does not want them, and they
 * stay in the mailbox); everything else does, even a mail the rules take for no request, since a
 * missed request costs the person a legal deadline and "Not a request" costs the team one press.
 * Never throws: a mail that cannot be read gets a draft that says so.
 */
export function readMail(mail: IncomingMail, options: ReadOptions): MailReading {
  if (options.threadSeen >= THREAD_LOOP_LIMIT) return { kind: 'skip', reason: 'thread-loop' };
  const notes: MailNote[] = [];
  const content = mail.body.content.slice(0, BODY_READ_LIMIT);
  if (mail.body.content.length > BODY_READ_LIMIT) notes.push('shortened');
  const receivedAt = receivedTime(mail.receivedDateTime, options.now, notes);
  let extraction: Extraction | undefined;
  let text = '';
  try {
    extraction = extractRequest({
      body: content,
      contentType: mail.body.contentType,
      subject: mail.subject,
      from: mail.from,
      ownDomains: options.ownDomains,
    });
    text = plainText(content.replace(CONTROLS, ' '), mail.body.contentType);
  } catch {
    // The rules and html-to-text read anything we have tried; whatever they cannot read is shown as such.
    notes.push('unreadable');
  }
  if (extraction?.notRequestReason === 'auto-reply') return { kind: 'skip', reason: 'auto-reply' };
  if (extraction?.notRequestReason === 'bulk') return { kind: 'skip', reason: 'bulk' };
  const prefill = extraction ? prefillIntake(extraction, text) : emptyPrefill();
  if (extraction?.notRequestReason === 'no-request') notes.push('not-a-request');
  if (extraction?.notes.includes('binary')) notes.push('binary');
  if (prefill.shortened && !notes.includes('shortened')) notes.push('shortened');
  if (prefill.otherLanguage) notes.push('other-language');
  if (mail.hasAttachments) notes.push('attachments');
  if (options.threadSeen > 0) notes.push('thread-repeat');
  if (!text.trim() && !notes.includes('unreadable')) notes.push('empty');
  const local = DateTime.fromJSDate(receivedAt).setZone(options.timeZone);
  prefill.values[F.receivedDate] = local.toISODate() ?? '';
  prefill.values[F.receivedTime] = local.toFormat('HH:mm');
  return { kind: 'draft', prefill, notes, quote: quoteOf(text), receivedAt };
}

/** The message's receivedDateTime; a missing or impossible one is now, and the card says so. */
function receivedTime(value: string | undefined, now: Date, notes: MailNote[]): Date {
  const parsed = value === undefined ? Number.NaN : Date.parse(value);
  if (Number.isNaN(parsed)) {
    notes.push('no-received-time');
    return now;
  }
  // A clock ahead of ours must not give a received time in the future, which the intake refuses.
  return new Date(Math.min(parsed, now.getTime()));
}

function quoteOf(text: string): string {
  const tidy = text
    .replace(CONTROLS, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return tidy.length > QUOTE_LIMIT ? `${tidy.slice(0, QUOTE_LIMIT).trimEnd()}…` : tidy;
}

function emptyPrefill(): IntakePrefill {
  return { values: {}, shown: [], objection: false, otherLanguage: undefined, shortened: false };
}

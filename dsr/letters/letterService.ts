import { readFile } from 'node:fs/promises';
import type { Actor, DsrCase } from '../case.js';
import { releasePending, subjectLinkOpen } from '../packageReview.js';
import type { ActResult, CaseService } from '../caseService.js';
import type { Clock } from '../clock.js';
import type { OrgCalendar } from '../deadlines.js';
import { remainingSteps } from '../plan.js';
import { composeLetter, letterHash, LetterGapError } from './compose.js';
import type { LetterChannel, LetterKind, SentLetter } from './letterKinds.js';
import type { ProcessingRegister } from './register.js';
import { TemplateError, type LetterTemplates, type RenderedLetter } from './templates.js';
import { refused } from '../caseResults.js';
import { inEnglish, said, type Said } from '../../i18n/index.js';

/** Sends a letter from the privacy team's mailbox; implemented over Microsoft Graph under connectors/. */
export interface LetterMailer {
  /** The mailbox letters are sent from, as the person will see it. */
  readonly mailbox: string;
  send(to: string, letter: RenderedLetter, attachments?: MailAttachment[]): Promise<void>;
}

export interface MailAttachment {
  name: string;
  contentType: string;
  content: Buffer;
}

/** The package released to the person after its review: their link, and the file for a small enough mail. */
export interface ReleasedPackages {
  /** The address of the person's link. */
  url(caseId: string, token: string): string;
  file(caseId: string, packageId: string): Promise<{ path: string; bytes: number } | undefined>;
  /** Larger packages go by the link alone. */
  attachMaxBytes: number;
}

/**
 * A draft, or why there is none: `said` in the catalogue's words where the bot knows why; a
 * template's own problem (a template file the organisation wrote) comes in its English `message`.
 */
export type LetterDraftResult =
  | { ok: true; letter: RenderedLetter; to: string | undefined; note: string }
  | { ok: false; message: string; said?: Said };

const cannot = (words: Said) => ({ ok: false as const, message: inEnglish(words), said: words });

/** A draft refused as a case refusal: in the catalogue's words where it has them, else the template's. */
function refusedDraft(draft: Extract<LetterDraftResult, { ok: false }>, dsrCase: DsrCase): ActResult {
  return draft.said
    ? refused('invalid-input', draft.said, dsrCase)
    : { ok: false, refusal: 'invalid-input', message: draft.message, case: dsrCase };
}

/**
 * Which letters a case can take now. Each is owed at a moment of the case: the acknowledgement
 * and the identity request early, the extension notice once extended, the refusal once declined,
 * the response once every step is done or explained.
 */
export function lettersAvailable(dsrCase: DsrCase): LetterKind[] {
  const sent = new Set((dsrCase.letters ?? []).map((letter) => letter.kind));
  const open = ['received', 'triage', 'approved', 'discovery', 'actions'].includes(dsrCase.status);
  const kinds: LetterKind[] = [];
  if (open && !sent.has('acknowledgement')) kinds.push('acknowledgement');
  if (open && !dsrCase.identityVerified) kinds.push('identity');
  if (open && dsrCase.extension && !dsrCase.extension.noticeSentAt) kinds.push('extension');
  if (dsrCase.status === 'declined' && !sent.has('refusal')) kinds.push('refusal');
  if (dsrCase.status === 'actions' && dsrCase.plan && remainingSteps(dsrCase.plan).length === 0) kinds.push('response');
  return kinds;
}

/**
 * The letters workflow: renders a letter of a case whole (or says what is missing), sends it
 * through the mailbox where one is configured, and records it on the case with its hash. The
 * response is recorded together with the case's "respond", so a case is never answered without
 * its letter, nor a letter recorded without the case answered.
 */
export class LetterService {
  constructor(
    private readonly cases: CaseService,
    private readonly templates: LetterTemplates,
    private readonly register: ProcessingRegister | undefined,
    private readonly calendar: OrgCalendar,
    private readonly clock: Clock,
    /** The mailbox, where one is configured and Microsoft Graph is connected. */
    private readonly mailer: () => Promise<LetterMailer | undefined>,
    private readonly released?: ReleasedPackages,
  ) {}

  /** The person's link, while it opens: the response names it with its expiry date. */
  private packageUrl(dsrCase: DsrCase): string | undefined {
    const release = dsrCase.review?.release;
    if (!this.released || !subjectLinkOpen(release, this.clock.now())) return undefined;
    return this.released.url(dsrCase.id, release!.token);
  }

  /** The released package as an attachment of the response, where it is small enough for one request. */
  private async attachments(dsrCase: DsrCase, kind: LetterKind): Promise<MailAttachment[]> {
    const release = dsrCase.review?.release;
    if (kind !== 'response' || !this.released || !subjectLinkOpen(release, this.clock.now())) return [];
    const file = await this.released.file(dsrCase.id, release!.packageId);
    if (!file || file.bytes > this.released.attachMaxBytes) return [];
    return [
      { name: `${dsrCase.id}-personal-data.zip`, contentType: 'application/zip', content: await readFile(file.path) },
    ];
  }

  /** The languages letters can be written in: every folder of templates, built-in or the organisation's. */
  get languages(): readonly string[] {
    return this.templates.languages;
  }

  async mailbox(): Promise<string | undefined> {
    return (await this.mailer())?.mailbox;
  }

  draft(dsrCase: DsrCase, kind: LetterKind, note?: string): LetterDraftResult {
    if (!this.register) {
      return cannot(said('refusals.letters.noRegister'));
    }
    const words = note ?? dsrCase.letterDrafts?.[kind]?.note ?? '';
    try {
      const letter = composeLetter(
        this.templates,
        kind,
        dsrCase,
        this.register,
        this.calendar,
        this.clock.now(),
        words,
        this.packageUrl(dsrCase),
      );
      return { ok: true, letter, to: dsrCase.subject.emails[0], note: words };
    } catch (error) {
      if (error instanceof LetterGapError) return { ok: false, message: error.message };
      if (error instanceof TemplateError) return { ok: false, message: error.message };
      throw error;
    }
  }

  /** Keeps the officer's words for the letter, so a download and a later send carry them. */
  saveNote(actor: Actor, dsrCase: DsrCase, version: number, kind: LetterKind, note: string): Promise<ActResult> {
    return this.cases.act(actor, dsrCase.id, version, { kind: 'saveLetterDraft', letter: kind, note });
  }

  /** Sends through the mailbox, then records; a failed send records nothing. */
  async send(actor: Actor, dsrCase: DsrCase, version: number, kind: LetterKind, note: string): Promise<ActResult> {
    const mailer = await this.mailer();
    if (!mailer) return refused('invalid-input', said('refusals.letters.noMailbox'));
    // A card that saw an older version must not send a letter the case would then refuse to record.
    if (version !== dsrCase.version) {
      return refused('stale', said('refusals.case.stale'), dsrCase);
    }
    const checked = this.checked(dsrCase, kind, note);
    if (!checked.ok) return refusedDraft(checked, dsrCase);
    if (!checked.to) return refused('invalid-input', said('refusals.letters.noEmail'), dsrCase);
    const attachments = await this.attachments(dsrCase, kind);
    await mailer.send(checked.to, checked.letter, attachments);
    return this.record(actor, dsrCase, version, kind, checked.letter, 'mailbox', checked.to);
  }

  /** Records a letter sent another way (own mail client, post, by hand) on the day it left. */
  markSent(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    kind: LetterKind,
    note: string,
    channel: Exclude<LetterChannel, 'mailbox'>,
  ): Promise<ActResult> {
    const checked = this.checked(dsrCase, kind, note);
    if (!checked.ok) return Promise.resolve(refusedDraft(checked, dsrCase));
    return this.record(actor, dsrCase, version, kind, checked.letter, channel, checked.to ?? '');
  }

  private checked(dsrCase: DsrCase, kind: LetterKind, note: string): LetterDraftResult {
    if (!lettersAvailable(dsrCase).includes(kind)) return cannot(said('refusals.letters.notDue'));
    // Refused before the mailbox sends anything: the case would refuse to record the response.
    const unreleased = kind === 'response' ? releasePending(dsrCase, this.clock.now()) : null;
    if (unreleased) return cannot(unreleased);
    return this.draft(dsrCase, kind, note);
  }

  private record(
    actor: Actor,
    dsrCase: DsrCase,
    version: number,
    kind: LetterKind,
    letter: RenderedLetter,
    channel: LetterChannel,
    to: string,
  ): Promise<ActResult> {
    const sent: SentLetter = {
      kind,
      language: dsrCase.language ?? 'en',
      at: this.clock.now().toISOString(),
      byId: actor.id,
      channel,
      to,
      subject: letter.subject,
      html: letter.html,
      sha256: letterHash(letter),
    };
    return this.cases.act(
      actor,
      dsrCase.id,
      version,
      kind === 'response' ? { kind: 'respond', letter: sent } : { kind: 'recordLetter', letter: sent },
    );
  }
}

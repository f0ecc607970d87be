import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CaseNotifier } from './notifier.js';
import { actorOf } from './turnActor.js';
import type { Actor } from '../dsr/case.js';
import type { CaseService } from '../dsr/caseService.js';
import type { Clock } from '../dsr/clock.js';
import { translator } from '../i18n/index.js';
import type { TFunction } from 'i18next';
import { isPackageId, packagePath } from '../dsr/runs/packageRun.js';
import type { PackageStore } from '../dsr/ports/packages.js';
import type { DownloadLinks } from './downloadLinks.js';

export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

/**
 * How a package reaches the privacy team member: `teams-file` through a file consent card in their
 * 1:1 chat (Teams uploads it to their OneDrive), `link` through a signed single-user link. Files
 * need a registered bot in Teams, so a deployment with an App ID uses them and a local run without
 * one (the Agents Playground, which has no OneDrive) uses links; DSR_PACKAGE_DELIVERY overrides.
 */
export type DeliveryMode = 'teams-file' | 'link';

export interface PackageFacts {
  caseId: string;
  packageId: string;
  records: number;
  bytes: number;
  /** The member's Teams locale, from the turn that asked for the package. */
  locale?: string;
}

/** What the consent card carries back to the bot, checked before anything is uploaded. */
const consentContext = z.object({
  caseId: z.string().max(40),
  packageId: z.string().refine(isPackageId, 'a package id'),
  userId: z.string().max(100),
});

const uploadInfo = z.object({
  name: z.string().min(1).max(200),
  uploadUrl: z.url({ protocol: /^https?$/ }),
  contentUrl: z.string().max(2000),
  uniqueId: z.string().max(200).optional(),
  fileType: z.string().max(20).optional(),
});

export interface DeliveryDeps {
  mode: DeliveryMode;
  notifier: CaseNotifier;
  links: DownloadLinks;
  cases: CaseService;
  clock: Clock;
  log: Logger;
  packagesDir: string;
  /** Where the package is recorded, so any instance can serve its link and one sweeper deletes it. */
  packages: PackageStore;
  /** How long a link, and so the package, lives. */
  lifetimeMs: number;
}

/** Hands a prepared package to the one member who asked for it, never into a channel. */
export class PackageDelivery {
  constructor(private readonly deps: DeliveryDeps) {}

  private link(caseId: string, packageId: string, userId: string): string {
    return this.deps.links.issue(`package/${caseId}/${packageId}.zip`, userId, this.deps.clock.now());
  }

  private linkText(
    facts: Pick<PackageFacts, 'caseId' | 'packageId'>,
    userId: string,
    lead: string,
    t: TFunction,
  ): string {
    return `${lead} ${t('package.delivery.link', { url: this.link(facts.caseId, facts.packageId, userId) })}`;
  }

  /** False when the bot has no 1:1 chat with the member. */
  async deliver(actor: Actor, facts: PackageFacts): Promise<boolean> {
    // Recorded before any link exists, so a link can never point at a package no instance knows.
    await this.deps.packages.record({
      caseId: facts.caseId,
      packageId: facts.packageId,
      ownerId: actor.id,
      expiresAt: new Date(this.deps.clock.now().getTime() + this.deps.lifetimeMs).toISOString(),
      bytes: facts.bytes,
      path: packagePath(this.deps.packagesDir, facts.caseId, facts.packageId),
    });
    const t = translator(facts.locale);
    const lead = t('package.delivery.ready', { caseId: facts.caseId, count: facts.records });
    if (this.deps.mode === 'link')
      return this.deps.notifier.tellUser(actor.id, this.linkText(facts, actor.id, lead, t));
    const context = { caseId: facts.caseId, packageId: facts.packageId, userId: actor.id };
    return this.deps.notifier.sendToUser(actor.id, {
      type: 'message',
      text: `${lead} ${t('package.delivery.accept')}`,
      attachments: [
        {
          contentType: FILE_CONSENT_CARD,
          name: `${facts.caseId}-package.zip`,
          content: {
            description: t('package.delivery.description', { caseId: facts.caseId }),
            sizeInBytes: facts.bytes,
            acceptContext: context,
            declineContext: context,
          },
        },
      ],
    });
  }

  /** Checks who answers the consent card and for which package; undefined (and answered) when refused. */
  private async checked(
    turn: TurnContext,
    raw: unknown,
  ): Promise<{ actor: Actor; caseId: string; packageId: string; path: string; size: number } | undefined> {
    const actor = actorOf(turn.activity);
    const t = translator(turn.activity.locale);
    const parsed = consentContext.safeParse(raw);
    if (!parsed.success || parsed.data.userId !== actor.id || !(await this.deps.cases.rolesOf(actor)).privacyTeam) {
      await this.deps.cases.recordRefusal(
        actor,
        'fileConsent',
        'forbidden',
        parsed.success ? parsed.data.caseId : null,
      );
      await turn.sendActivity(t('package.delivery.notYours'));
      return undefined;
    }
    const { caseId, packageId } = parsed.data;
    const path = packagePath(this.deps.packagesDir, caseId, packageId);
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      await turn.sendActivity(t('package.delivery.expired'));
      return undefined;
    }
    return { actor, caseId, packageId, path, size: info.size };
  }

  /** The member accepted: the file goes to the upload address Teams gave, then a file card shows it. */
  async accept(turn: TurnContext, response: { context?: unknown; uploadInfo?: unknown }): Promise<void> {
    const target = await this.checked(turn, response.context);
    if (!target) return;
    const t = translator(turn.activity.locale);
    const upload = uploadInfo.safeParse(response.uploadInfo);
    const facts = { caseId: target.caseId, packageId: target.packageId };
    if (!upload.success) {
      await turn.sendActivity(this.linkText(facts, target.actor.id, t('package.delivery.noUpload'), t));
      return;
    }
    try {
      const answer = await fetch(upload.data.uploadUrl, {
        method: 'PUT',
        headers: {
          'content-type': 'application/zip',
          'content-length': String(target.size),
          'content-range': `bytes 0-${target.size - 1}/${target.size}`,
        },
        body: Readable.toWeb(createReadStream(target.path)),
        duplex: 'half',
      });
      if (!answer.ok) throw new Error(`upload answered ${answer.status}`);
    } catch (error) {
      this.deps.log.warn(
        { caseId: target.caseId, error: error instanceof Error ? error.name : 'unknown' },
        'file upload failed',
      );
      await turn.sendActivity(this.linkText(facts, target.actor.id, t('package.delivery.uploadFailed'), t));
      return;
    }
    await this.deps.cases.recordAccess(target.actor, target.caseId, 'downloadPackage', {
      packageId: target.packageId,
      bytes: target.size,
      via: 'teams-file',
    });
    this.deps.log.info({ caseId: target.caseId }, 'package saved to the member’s OneDrive');
    await turn.sendActivity({
      type: 'message',
      attachments: [
        {
          contentType: FILE_INFO_CARD,
          contentUrl: upload.data.contentUrl,
          name: upload.data.name,
          content: {
            ...(upload.data.uniqueId ? { uniqueId: upload.data.uniqueId } : {}),
            fileType: upload.data.fileType ?? 'zip',
          },
        },
      ],
    });
  }

  /** The member declined the file: the signed link is offered instead. */
  async decline(turn: TurnContext, response: { context?: unknown }): Promise<void> {
    const target = await this.checked(turn, response.context);
    if (!target) return;
    await this.deps.cases.recordAccess(target.actor, target.caseId, 'declinePackageFile', {
      packageId: target.packageId,
    });
    const t = translator(turn.activity.locale);
    await turn.sendActivity(
      this.linkText(
        { caseId: target.caseId, packageId: target.packageId },
        target.actor.id,
        t('package.delivery.declined'),
        t,
      ),
    );
  }
}

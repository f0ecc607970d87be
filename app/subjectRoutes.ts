import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Logger } from 'pino';
import type { Server, Response } from 'restify';
import { isCaseId, type DsrCase } from '../dsr/case.js';
import type { CaseService } from '../dsr/caseService.js';
import type { Clock } from '../dsr/clock.js';
import { LETTER_LOCALES } from '../dsr/letters/letterKinds.js';
import { htmlEscape } from '../storage/exportPackage/summary.js';
import { releasedPackageFile } from '../dsr/runs/reviewSnapshot.js';
import type { CaseStore } from '../dsr/ports/store.js';

/** Who downloads through the person's link: the data subject, never named in the trail. */
const SUBJECT = { id: 'data-subject', name: '' };
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface SubjectRouteDeps {
  store: Pick<CaseStore, 'getCase'>;
  cases: Pick<CaseService, 'recordAccess'>;
  clock: Clock;
  log: Logger;
  /** Where released packages are kept (see reviewSnapshot.ts). */
  reviewDir: string;
}

/** The address the person opens, on the bot's public host. */
export function subjectPackagePath(caseId: string, token: string): string {
  return `/subject-package/${caseId}/${token}`;
}

type Refusal = 'unknown' | 'expired' | 'revoked' | 'gone';

const PAGES: Record<string, Record<Refusal | 'title', string>> = {
  en: {
    title: 'Your personal data',
    unknown: 'This link is not valid. Check that you copied the whole address from our letter.',
    expired: 'This link expired on {date}. Please write to us for a new one.',
    revoked: 'This link was withdrawn. Please write to us for a new one.',
    gone: 'This package is no longer kept. Please write to us if you still need it.',
  },
  de: {
    title: 'Ihre personenbezogenen Daten',
    unknown:
      'Dieser Link ist ungültig. Bitte prüfen Sie, ob Sie die ganze Adresse aus unserem Schreiben kopiert haben.',
    expired: 'Dieser Link ist am {date} abgelaufen. Bitte schreiben Sie uns für einen neuen Link.',
    revoked: 'Dieser Link wurde zurückgezogen. Bitte schreiben Sie uns für einen neuen Link.',
    gone: 'Dieses Paket wird nicht mehr aufbewahrt. Bitte schreiben Sie uns, wenn Sie es noch benötigen.',
  },
  fr: {
    title: 'Vos données personnelles',
    unknown: "Ce lien n'est pas valide. Vérifiez que vous avez copié l'adresse complète de notre courrier.",
    expired: 'Ce lien a expiré le {date}. Écrivez-nous pour en obtenir un nouveau.',
    revoked: 'Ce lien a été retiré. Écrivez-nous pour en obtenir un nouveau.',
    gone: "Ce dossier n'est plus conservé. Écrivez-nous si vous en avez encore besoin.",
  },
  es: {
    title: 'Sus datos personales',
    unknown: 'Este enlace no es válido. Compruebe que ha copiado la dirección completa de nuestra carta.',
    expired: 'Este enlace caducó el {date}. Escríbanos para obtener uno nuevo.',
    revoked: 'Este enlace fue retirado. Escríbanos para obtener uno nuevo.',
    gone: 'Este paquete ya no se conserva. Escríbanos si todavía lo necesita.',
  },
};

function refusalPage(res: Response, status: number, why: Refusal, dsrCase?: DsrCase): void {
  const language = dsrCase?.language && PAGES[dsrCase.language] ? dsrCase.language : 'en';
  const words = PAGES[language]!;
  const expiresAt = dsrCase?.review?.release?.expiresAt;
  const date = expiresAt
    ? new Date(expiresAt).toLocaleDateString(LETTER_LOCALES[language] ?? 'en-GB', { dateStyle: 'long' })
    : '';
  const text = words[why].replace('{date}', date);
  const body = `<!DOCTYPE html>\n<html lang="${language}"><head><meta charset="utf-8"><title>${htmlEscape(words.title)}</title></head><body><h1>${htmlEscape(words.title)}</h1><p>${htmlEscape(text)}</p></body></html>\n`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function sameToken(given: string, expected: string): boolean {
  // Compared as hashes: equal lengths, and no timing says how much of the token was right.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The data subject's link to their package: no Teams account, no sign-in. The token is 256 random
 * bits kept on the case, so the address cannot be guessed; it opens until it expires or the team
 * revokes it, and each download (and each refused attempt) is audited by case id and time only.
 */
export function registerSubjectRoutes(server: Server, deps: SubjectRouteDeps): void {
  server.get('/subject-package/:caseId/:token', async (req, res) => {
    const params = req.params as Record<string, unknown>;
    const caseId = typeof params.caseId === 'string' ? params.caseId : '';
    const token = typeof params.token === 'string' ? params.token : '';
    const dsrCase = isCaseId(caseId) && TOKEN.test(token) ? await deps.store.getCase(caseId) : undefined;
    const release = dsrCase?.review?.release;
    if (!dsrCase || !release || !sameToken(token, release.token)) {
      // An unknown case and a wrong token look alike, so probing tells nothing.
      if (dsrCase) await deps.cases.recordAccess(SUBJECT, dsrCase.id, 'subjectDownloadRefused', { why: 'unknown' });
      refusalPage(res, 404, 'unknown');
      return;
    }
    const now = deps.clock.now();
    const why: Refusal | undefined = release.revokedAt
      ? 'revoked'
      : new Date(release.expiresAt).getTime() <= now.getTime()
        ? 'expired'
        : undefined;
    const file = why ? undefined : await releasedPackageFile(deps.reviewDir, dsrCase.id, release.packageId);
    if (why || !file) {
      await deps.cases.recordAccess(SUBJECT, dsrCase.id, 'subjectDownloadRefused', {
        why: why ?? 'gone',
        packageId: release.packageId,
      });
      refusalPage(res, 410, why ?? 'gone', dsrCase);
      return;
    }
    // Audited before the first byte leaves, so no download goes unrecorded.
    await deps.cases.recordAccess(SUBJECT, dsrCase.id, 'subjectDownload', {
      packageId: release.packageId,
      bytes: file.bytes,
    });
    deps.log.info({ caseId: dsrCase.id }, 'package downloaded by the data subject');
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': String(file.bytes),
      'content-disposition': `attachment; filename="${dsrCase.id}-personal-data.zip"`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    createReadStream(file.path).pipe(res);
  });
}

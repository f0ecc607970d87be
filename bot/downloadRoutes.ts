import { Readable } from 'node:stream';
import type { Server } from 'restify';
import type { Logger } from 'pino';
import type { CaseService } from '../dsr/caseService.js';
import { auditCsv } from '../dsr/auditCsv.js';
import { isCaseId } from '../dsr/case.js';
import type { Clock } from '../dsr/clock.js';
import type { CaseStore } from '../dsr/store.js';
import type { DownloadLinks } from './downloadLinks.js';

export interface DownloadDeps {
  links: DownloadLinks;
  store: Pick<CaseStore, 'auditEvents' | 'getCase'>;
  cases: CaseService;
  clock: Clock;
  log: Logger;
}

/** Files the bot hands to one privacy team member through a signed link; every download is audited. */
export function registerDownloadRoutes(server: Server, deps: DownloadDeps): void {
  server.get('/downloads/audit/:file', async (req, res) => {
    const param: unknown = (req.params as Record<string, unknown>).file;
    const file = typeof param === 'string' ? param : '';
    const caseId = file.replace(/\.csv$/, '');
    const claims = deps.links.verify(`audit/${file}`, req.query as Record<string, unknown>, deps.clock.now());
    if ('refused' in claims) {
      res.send(403, { error: claims.refused });
      return;
    }
    const actor = { id: claims.userId, name: '' };
    // The link outlives nothing: someone who left the privacy team since it was issued gets nothing.
    if (!isCaseId(caseId) || !(await deps.cases.rolesOf(actor)).privacyTeam || !(await deps.store.getCase(caseId))) {
      res.send(403, { error: 'This file is not available to you.' });
      return;
    }
    await deps.cases.recordAccess(actor, caseId, 'downloadAuditTrail');
    deps.log.info({ caseId }, 'audit trail downloaded');
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${caseId}-audit.csv"`,
      'cache-control': 'no-store',
    });
    Readable.from(auditCsv(deps.store.auditEvents(caseId))).pipe(res);
  });
}

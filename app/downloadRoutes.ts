import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Server } from 'restify';
import type { Logger } from 'pino';
import type { CaseService } from '../dsr/caseService.js';
import { auditCsv } from '../dsr/auditCsv.js';
import type { AuditEvent } from '../dsr/audit.js';
import { translator } from '../i18n/index.js';
import { actorIds, nameTable, personName } from '../teams/conversation/auditWords.js';
import type { TeamDirectory } from '../teams/team.js';
import { caseFileJson } from '../dsr/caseFile.js';
import type { ChangeLedger } from '../dsr/ports/changeLedger.js';
import { isCaseId } from '../dsr/case.js';
import type { Clock } from '../dsr/clock.js';
import { isPackageId } from '../dsr/runs/packageRun.js';
import type { PackageStore } from '../dsr/ports/packages.js';
import type { CaseStore } from '../dsr/ports/store.js';
import type { DownloadLinks } from '../teams/downloadLinks.js';
import { LETTER_KINDS, type LetterKind } from '../dsr/letters/letterKinds.js';
import type { LetterService } from '../dsr/letters/letterService.js';
import { emlOf, printableHtml } from '../dsr/letters/mime.js';

export interface DownloadDeps {
  links: DownloadLinks;
  store: Pick<CaseStore, 'auditEvents' | 'auditHead' | 'auditKeys' | 'getCase'>;
  cases: CaseService;
  /** Names for the ids in an exported trail; without it the name column stays empty. */
  team?: Pick<TeamDirectory, 'namesOf'>;
  clock: Clock;
  log: Logger;
  /** Prepared packages waiting for their download. */
  packages: PackageStore;
  /** The per-record ledger, for the case file. */
  ledger: Pick<ChangeLedger, 'targets' | 'outcomes'>;
  /** Letters to the data subject, downloaded as .eml or printable HTML; absent where not wired in. */
  letters?: { service: LetterService; from: () => Promise<string | undefined> };
}

/** Files the bot hands to one privacy team member through a signed link; every download is audited. */
/** Names beside the ids in an exported trail: one look-up for every person the case's trail names. */
async function csvNames(deps: DownloadDeps, caseId: string): Promise<(id: string) => string> {
  const events: AuditEvent[] = [];
  for await (const event of deps.store.auditEvents(caseId)) events.push(event);
  const directory = deps.team ? await deps.team.namesOf(actorIds(events)) : new Map<string, string>();
  const names = nameTable(directory, await deps.store.getCase(caseId));
  // The file is read by whoever exported it and by auditors: its names are in one language.
  const t = translator('en');
  return (id) => personName(id, names, t);
}

export function registerDownloadRoutes(server: Server, deps: DownloadDeps): void {
  // A letter's draft as it stands, for the team's own mail client or printer; audited like every download.
  server.get('/downloads/letter/:caseId/:file', async (req, res) => {
    const params = req.params as Record<string, unknown>;
    const caseId = typeof params.caseId === 'string' ? params.caseId : '';
    const file = typeof params.file === 'string' ? params.file : '';
    const claims = deps.links.verify(
      `letter/${caseId}/${file}`,
      req.query as Record<string, unknown>,
      deps.clock.now(),
    );
    if ('refused' in claims) {
      res.send(403, { error: claims.refused });
      return;
    }
    const match = /^([a-z]+)\.(eml|html)$/.exec(file);
    const kind = match?.[1] as LetterKind | undefined;
    const actor = { id: claims.userId, name: '' };
    const dsrCase = isCaseId(caseId) ? await deps.store.getCase(caseId) : undefined;
    if (
      !deps.letters ||
      !match ||
      !kind ||
      !LETTER_KINDS.includes(kind) ||
      !dsrCase ||
      !(await deps.cases.rolesOf(actor)).privacyTeam
    ) {
      res.send(403, { error: 'This file is not available to you.' });
      return;
    }
    const draft = deps.letters.service.draft(dsrCase, kind);
    if (!draft.ok) {
      res.send(409, { error: draft.message });
      return;
    }
    const language = dsrCase.language ?? 'en';
    const eml = match[2] === 'eml';
    const body = eml
      ? await emlOf(draft.letter, (await deps.letters.from()) ?? 'privacy@localhost', draft.to, language)
      : Buffer.from(printableHtml(draft.letter, language), 'utf8');
    await deps.cases.recordAccess(actor, caseId, 'downloadLetter', { letter: kind, format: match[2]! });
    deps.log.info({ caseId, letter: kind }, 'letter downloaded');
    res.writeHead(200, {
      'content-type': eml ? 'message/rfc822' : 'text/html; charset=utf-8',
      ...(eml ? { 'content-disposition': `attachment; filename="${caseId}-${kind}.eml"` } : {}),
      'cache-control': 'no-store',
    });
    res.end(body);
  });

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
    Readable.from(auditCsv(deps.store.auditEvents(caseId), await csvNames(deps, caseId))).pipe(res);
  });

  server.get('/downloads/casefile/:file', async (req, res) => {
    const param: unknown = (req.params as Record<string, unknown>).file;
    const file = typeof param === 'string' ? param : '';
    const caseId = file.replace(/\.json$/, '');
    const claims = deps.links.verify(`casefile/${file}`, req.query as Record<string, unknown>, deps.clock.now());
    if ('refused' in claims) {
      res.send(403, { error: claims.refused });
      return;
    }
    const actor = { id: claims.userId, name: '' };
    const dsrCase = isCaseId(caseId) ? await deps.store.getCase(caseId) : undefined;
    if (!dsrCase || !(await deps.cases.rolesOf(actor)).privacyTeam) {
      res.send(403, { error: 'This file is not available to you.' });
      return;
    }
    await deps.cases.recordAccess(actor, caseId, 'downloadCaseFile', { purged: dsrCase.purge?.doneAt !== undefined });
    deps.log.info({ caseId }, 'case file downloaded');
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${caseId}-case-file.json"`,
      'cache-control': 'no-store',
    });
    Readable.from(caseFileJson(dsrCase, deps.store.auditEvents(caseId), deps.ledger)).pipe(res);
  });

  server.get('/downloads/package/:caseId/:packageId', async (req, res) => {
    const params = req.params as Record<string, unknown>;
    const caseId = typeof params.caseId === 'string' ? params.caseId : '';
    const packageId = typeof params.packageId === 'string' ? params.packageId.replace(/\.zip$/, '') : '';
    const claims = deps.links.verify(
      `package/${caseId}/${packageId}.zip`,
      req.query as Record<string, unknown>,
      deps.clock.now(),
    );
    if ('refused' in claims) {
      res.send(403, { error: claims.refused });
      return;
    }
    const actor = { id: claims.userId, name: '' };
    const dsrCase = isCaseId(caseId) ? await deps.store.getCase(caseId) : undefined;
    if (!dsrCase || !isPackageId(packageId) || !(await deps.cases.rolesOf(actor)).privacyTeam) {
      res.send(403, { error: 'This file is not available to you.' });
      return;
    }
    const prepared = await deps.packages.get(caseId, packageId);
    const info = prepared && (await stat(prepared.path).catch(() => undefined));
    if (!prepared || !info) {
      res.send(410, { error: 'This package was deleted after its link expired; prepare it again from the plan.' });
      return;
    }
    await deps.cases.recordAccess(actor, caseId, 'downloadPackage', { packageId, bytes: info.size });
    deps.log.info({ caseId }, 'package downloaded');
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': String(info.size),
      'content-disposition': `attachment; filename="${caseId}-package.zip"`,
      'cache-control': 'no-store',
    });
    createReadStream(prepared.path).pipe(res);
  });
}

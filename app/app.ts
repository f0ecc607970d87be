import { auditKeys, localAuditKey } from '../dsr/auditKeys.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { CardActionRouter } from '../teams/actions/cardActions.js';
import { CaseRefresh } from '../teams/actions/caseRefresh.js';
import { DiscoveryAction } from '../teams/actions/discoveryActions.js';
import { ChangeAction, planViewOf, type ChangeDeps } from '../teams/actions/changeActions.js';
import { BulkChangeAction } from '../teams/actions/bulkChangeActions.js';
import { PlanAction } from '../teams/actions/planActions.js';
import { ChangeRunner, DEFAULT_RUN_OPTIONS, type ChangeRunOptions } from '../dsr/runs/changeRun.js';
import type { ChangeLedger } from '../dsr/ports/changeLedger.js';
import { FileChangeLedger } from '../storage/fileChangeLedger.js';
import { PostgresChangeLedger } from '../storage/postgresChangeLedger.js';
import { PackageBuilder } from '../dsr/runs/packageRun.js';
import { CasePurger } from '../dsr/runs/purgeRun.js';
import { KeptFollowUps } from '../dsr/keptFollowUp.js';
import { snoozeKey } from '../teams/reminders/reminderDispatcher.js';
import { RecordFromMessage } from '../teams/actions/messageAction.js';
import { IntakeSubmission } from '../teams/actions/intakeSubmission.js';
import { RootDialog } from '../teams/conversation/rootDialog.js';
import { actorOf } from '../teams/turnActor.js';
import { TriageAction, TriageRefresh } from '../teams/actions/triageActions.js';
import type { DsrServices } from '../teams/services.js';
import { CaseService } from '../dsr/caseService.js';
import { systemClock, type Clock } from '../dsr/clock.js';
import type { Connector } from '../dsr/discovery.js';
import { GroupRoleDirectory, type GroupMembership } from '../dsr/groupRoles.js';
import { CachedManagerDirectory } from '../dsr/reminders/managers.js';
import { StaticRoleDirectory, type RoleDirectory } from '../dsr/roles.js';
import { LowdbCaseStore } from '../storage/lowdbStore.js';
import { PostgresCaseStore, StoreUnavailableError } from '../storage/postgresStore.js';
import {
  PostgresCaseChanges,
  PostgresLeaseStore,
  PostgresOutboxStore,
  PostgresPackageStore,
} from '../storage/postgresShared.js';
import { FolderPackageStore, type PackageStore } from '../dsr/ports/packages.js';
import { IsolatedCopyStore } from '../dsr/isolatedCopies.js';
import type { OutboxStore } from '../dsr/ports/outbox.js';
import type { SharedReminders } from '../teams/reminders/reminderService.js';
import type { CaseStore } from '../dsr/ports/store.js';
import { createChannelAdapter, createChannelAuthentication } from '../teams/authentication.js';
import { AdapterCardUpdater } from '../teams/cardUpdater.js';
import type { AppConfig } from './config.js';
import { setUpDiscovery, type DiscoverySetup, type LocalSystems } from './discovery.js';
import { DsrBot } from '../teams/dsrBot.js';
import { createOutbox } from '../teams/outbox/index.js';
import { FileOutboxStore } from '../storage/fileOutboxStore.js';
import { connectorSource } from '../teams/outbox/teamsTransport.js';
import { GraphReadBack, graphPathOf } from '../teams/outbox/readBack.js';
import { fastForwardClock, ReminderService } from '../teams/reminders/reminderService.js';
import { ObservedCaseStore } from '../dsr/reminders/observedStore.js';
import { ProactiveNotifier } from '../teams/proactiveNotifier.js';
import { KvTeamDirectory } from '../teams/teamDirectory.js';
import { AuditCommands } from '../teams/conversation/auditCommands.js';
import { AuditPageAction } from '../teams/conversation/auditPageAction.js';
import { ApprovalWaitingAction } from '../teams/conversation/approvalWaitingAction.js';
import { DownloadLinks } from '../teams/downloadLinks.js';
import { PackageDelivery } from '../teams/packageDelivery.js';
import { registerDownloadRoutes } from './downloadRoutes.js';
import { dashboardAuthFor } from './dashboardAuth.js';
import { registerDashboardRoutes } from './dashboardRoutes.js';
import { RegisterFeed } from './registerFeed.js';
import { storeUnavailableReply } from './storeUnavailable.js';
import { Foreground } from './foreground.js';
import { startHttpServer, type HttpServer } from './server.js';
import { LetterAction } from '../teams/actions/letterActions.js';
import { ReviewAction } from '../teams/actions/reviewActions.js';
import { forgetCaseReleases, releasedPackageFile } from '../dsr/runs/reviewSnapshot.js';
import { SENDMAIL_ATTACHMENT_MAX_BYTES } from '../connectors/graphMail.js';
import { registerSubjectRoutes, subjectPackagePath } from './subjectRoutes.js';
import type { GraphInboxReader } from '../connectors/graphInbox.js';
import { MailboxDismiss, MailboxRecord } from '../teams/actions/mailboxActions.js';
import type { MailboxStore } from '../dsr/mailbox/mailboxStore.js';
import { FileMailboxStore } from '../storage/fileMailboxStore.js';
import { PostgresMailboxStore } from '../storage/postgresMailboxStore.js';
import { MailboxWatcher } from './mailbox/mailboxWatcher.js';
import type { LetterDesk } from '../teams/services.js';
import { LetterService, type LetterMailer } from '../dsr/letters/letterService.js';
import { loadProcessingRegister } from '../dsr/letters/register.js';
import { builtInTemplatesDir, LetterTemplates } from '../dsr/letters/templates.js';

const DOWNLOAD_LINK_LIFETIME_MS = 15 * 60 * 1000;

/** Membership answers stay fresh enough for who may decide, without asking Graph on every click. */
const GROUP_CACHE_MS = 5 * 60 * 1000;

function privacyTeamRoles(config: AppConfig, discovery: DiscoverySetup, clock: Clock, log: Logger): RoleDirectory {
  const { memberIds, groupId } = config.privacyTeam;
  if (!groupId) return new StaticRoleDirectory(memberIds);
  const membership: GroupMembership = {
    async memberIds(id) {
      const graph = await discovery.groupMembership();
      if (!graph) throw new Error('Microsoft Graph is not connected; configure it in DSR_CONNECTORS_FILE');
      return graph.memberIds(id);
    },
  };
  return new GroupRoleDirectory(
    membership,
    clock,
    { groupId, extraMemberIds: memberIds, ttlMs: GROUP_CACHE_MS },
    (error) => log.warn({ err: error }, 'privacy team group lookup failed; using the last known members'),
  );
}

export interface RunningApp {
  readonly port: number;
  readonly store: CaseStore;
  readonly services: DsrServices;
  readonly reminders: ReminderService;
  /** Runs the steps that change data. */
  readonly runner: ChangeRunner;
  /** Deletes the personal data of closed cases whose retention ran out (in the reminder pass). */
  readonly purger: CasePurger;
  /** Reads the privacy mailbox into draft requests, where DSR_INTAKE_MAILBOX names one. */
  readonly mailbox: MailboxWatcher | undefined;
  stop(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  /** The systems discovery searches, instead of those the configuration names. */
  connectors?: Connector[];
  /** What a local run searches when no connector file is configured (the sandbox, given by the local run). */
  localSystems?: LocalSystems;
  /** Lease, progress and timeout settings of the steps that change data. */
  changeRun?: Partial<ChangeRunOptions>;
  /** The largest package attached to the response mail, instead of Graph's inline limit. */
  attachMaxBytes?: number;
  /** The mailbox letters leave from, beside connectors given above (which bring none). */
  letterMailer?: LetterMailer;
  /** The privacy mailbox's inbox, beside connectors given above (which bring none). */
  inboxReader?: GraphInboxReader;
}

/** What lives in the shared database when there is one, and in the data folder otherwise. */
interface SharedParts {
  outbox?: OutboxStore;
  packages: PackageStore;
  reminders?: SharedReminders;
  health(): Promise<Record<string, string>>;
}

function sharedParts(config: AppConfig, store: CaseStore, log: Logger): SharedParts {
  if (!(store instanceof PostgresCaseStore)) {
    return {
      packages: new FolderPackageStore(config.packagesDir, DOWNLOAD_LINK_LIFETIME_MS),
      health: () => Promise.resolve({ store: 'ok' }),
    };
  }
  if (!config.linkSecret) {
    log.warn('DSR_LINK_SECRET is not set: a download link opens only on the instance that made it');
  }
  return {
    outbox: new PostgresOutboxStore(store),
    packages: new PostgresPackageStore(store, { dir: config.packagesDir, maxAgeMs: 2 * DOWNLOAD_LINK_LIFETIME_MS }),
    reminders: {
      leases: new PostgresLeaseStore(store),
      changes: new PostgresCaseChanges(store),
      // Renewed every pass; an instance that stops renewing hands the reminders over after this.
      leaseMs: Math.max(30_000, 3 * config.reminders.tickMs),
    },
    async health() {
      await store.checkHealth();
      return { store: 'ok', database: 'ok' };
    },
  };
}

/** The composition root: builds every part from configuration and starts serving. */
export async function startApp(config: AppConfig, log: Logger, overrides: AppOverrides = {}): Promise<RunningApp> {
  // Letters next: a missing or broken template or register stops the start naming the file and the gap.
  const templates = LetterTemplates.load(builtInTemplatesDir(), config.letters.templatesDir);
  const register = config.letters.processingFile
    ? loadProcessingRegister(config.letters.processingFile, templates.languages)
    : undefined;
  if (!register) log.warn('DSR_PROCESSING_FILE is not set: letters to the data subject cannot be written');
  // First, so a wrong connector configuration stops the start before anything is opened.
  const discovery = setUpDiscovery(config, log, overrides.connectors, overrides.localSystems);
  // An organisation's own entities are held to each live service's $metadata before anything is opened.
  await discovery.checkLive?.();
  let ledger: ChangeLedger;
  let store: CaseStore;
  const keys = config.auditKey
    ? auditKeys(config.auditKey.current, config.auditKey.previous)
    : auditKeys(await localAuditKey(config.dataDir));
  if (config.database) {
    const postgres = new PostgresCaseStore({
      connectionString: config.database.url,
      schema: config.database.schema,
      statementTimeoutMs: config.database.statementTimeoutMs,
      connectTimeoutMs: config.database.connectTimeoutMs,
      auditKeys: keys,
    });
    store = postgres;
    ledger = new PostgresChangeLedger(postgres);
  } else {
    store = new LowdbCaseStore(join(config.dataDir), keys, log);
    ledger = new FileChangeLedger(join(config.dataDir, 'ledger'));
  }
  await store.open();
  await ledger.open();

  // A local demo may fast-forward time so a month of reminders passes in a minute.
  const clock =
    overrides.clock ??
    (config.local && config.reminders.timeScale > 1
      ? fastForwardClock(config.reminders.timeScale, systemClock)
      : systemClock);
  const roles = privacyTeamRoles(config, discovery, clock, log);
  const observed = new ObservedCaseStore(store);
  const cases = new CaseService(observed, roles, clock, config.calendar, {
    retention: { caseDays: config.cases.retentionDays },
    repeatMonths: config.cases.repeatMonths,
  });
  const channelAuth = createChannelAuthentication(config.botAuth);
  const adapter = createChannelAdapter(config.botAuth, channelAuth);
  const appId = config.botAuth.MicrosoftAppId ?? '';
  const team = new KvTeamDirectory(roles, store.state);
  let listeningPort = config.port;
  const links = new DownloadLinks(
    () => config.publicUrl ?? `http://localhost:${listeningPort}`,
    config.linkSecret,
    DOWNLOAD_LINK_LIFETIME_MS,
  );
  const packagesDir = config.packagesDir;
  const shared = sharedParts(config, store, log);
  const isolatedCopies = new IsolatedCopyStore(packagesDir, config.cases.isolatedCopyDays);
  // A package lives as long as its link; whatever is older is deleted, also after a restart.
  // An isolated copy lives for its own period (or the case's retention, and the purge deletes it).
  const sweep = () =>
    Promise.all([shared.packages.sweep(clock.now()), isolatedCopies.sweep(clock.now())]).catch((error: unknown) =>
      log.warn({ error: error instanceof Error ? error.name : 'unknown' }, 'could not sweep packages'),
    );
  void sweep();
  const sweeper = setInterval(() => void sweep(), 60_000);
  sweeper.unref();
  // The outbox shares the database where there is one, else it keeps to the embedded store's folder.
  const outboxStore = shared.outbox ?? new FileOutboxStore(join(config.dataDir, 'outbox'));
  const outbox = await createOutbox(connectorSource(channelAuth, appId), outboxStore, store, log, {
    // A send cut short by a crash is looked for through Graph, where Graph is connected.
    readBack: {
      find: async (record, since) => {
        if (!graphPathOf(record, since)) return { found: 'unknown' };
        const get = await discovery.graphGet();
        return get ? new GraphReadBack(get, appId).find(record, since) : { found: 'unknown' };
      },
    },
  });
  const notifier = new ProactiveNotifier(
    outbox.sender,
    store,
    clock,
    config.calendar,
    team,
    log,
    config.channelLanguage,
  );
  // Escalations go to configured managers first, then to the manager Entra ID names, through Graph.
  const managers = new CachedManagerDirectory({
    configured: config.reminders.managers,
    lookup: async (userId) => {
      const lookup = await discovery.managerLookup();
      return lookup ? lookup(userId) : undefined;
    },
  });
  // The reminder index reads every open case: the embedded store reads case files on this event
  // loop, and PostgreSQL sorts pages of open cases (a query asked at once went on through the
  // first turns and slowed them more than the cases they list did). So on both it is begun once the
  // bot serves and no request has been answered for a moment, /healthz and the first turns first;
  // each slice of it waits for such a moment too, and the first pass waits for the build.
  const foreground = new Foreground();
  let serving: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (serving = resolve));
  const reminders = await ReminderService.start(
    { ...config.reminders, channelLanguage: config.channelLanguage },
    observed,
    outbox.sender,
    config.calendar,
    clock,
    log,
    managers,
    shared.reminders,
    roles,
    { begin: listening.then(() => foreground.giveWay()), giveWay: () => foreground.giveWay() },
  );
  // The purge rides on the reminder pass; its own lease keeps it to one instance even when a
  // long purge outlasts the reminders' lease.
  const purger = new CasePurger(
    observed,
    cases,
    {
      ledger,
      packages: shared.packages,
      isolatedCopies,
      outbox: outbox.store,
      state: store.state,
      stateKeys: (caseId) => [snoozeKey(caseId)],
      released: { forgetCase: (caseId) => forgetCaseReleases(config.release.dir, caseId) },
    },
    clock,
    shared.reminders?.leases,
  );
  reminders.afterEachPass(async () => {
    const result = await purger.pass();
    if (result.purged > 0) log.info({ cases: result.caseIds }, 'personal data of closed cases deleted');
  });
  // Records kept for a legal reason are erased on a linked case once the reason ends; one
  // instance at a time, and a follow-up is keyed so that it is never opened twice.
  const followUps = new KeptFollowUps({
    store: observed,
    cases,
    periods: config.cases.keptPeriods,
    clock,
    leases: shared.reminders?.leases,
    recheck: async (systemId, records) => {
      const connector = (await discovery.connectors()).find((c) => c.info.id === systemId);
      if (!connector?.connected || !connector.changes?.recheckKept) return undefined;
      try {
        return await connector.changes.recheckKept(records, AbortSignal.timeout(120_000));
      } catch (error) {
        log.warn({ systemId, error: error instanceof Error ? error.name : 'unknown' }, 'could not check kept records');
        return undefined;
      }
    },
    deletable: async (systemId, kinds) => {
      const connector = (await discovery.connectors()).find((c) => c.info.id === systemId);
      const changes = connector?.connected ? connector.changes : undefined;
      return Boolean(changes?.previewRecords && changes.deletes && kinds.every((kind) => changes.deletes!(kind)));
    },
    opened: (followUp) => notifier.caseCreated(followUp),
  });
  reminders.afterEachPass(async () => {
    const result = await followUps.pass();
    if (result.opened.length > 0 || result.rechecked > 0)
      log.info({ cases: result.opened, rechecked: result.rechecked }, 'kept records followed up');
  });
  const mailbox = config.letters.mailbox;
  const releaseDir = config.release.dir;
  const letterService = new LetterService(
    cases,
    templates,
    register,
    config.calendar,
    clock,
    () =>
      overrides.letterMailer
        ? Promise.resolve(overrides.letterMailer)
        : mailbox
          ? discovery.letterMailer(mailbox)
          : Promise.resolve(undefined),
    {
      url: (caseId, token) =>
        `${(config.publicUrl ?? `http://localhost:${listeningPort}`).replace(/\/$/, '')}${subjectPackagePath(caseId, token)}`,
      file: (caseId, packageId) => releasedPackageFile(releaseDir, caseId, packageId),
      attachMaxBytes: overrides.attachMaxBytes ?? SENDMAIL_ATTACHMENT_MAX_BYTES,
    },
  );
  const letters: LetterDesk = {
    service: letterService,
    link: (caseId, file, userId) => links.issue(`letter/${caseId}/${file}`, userId, clock.now()),
  };
  const services: DsrServices = { cases, clock, calendar: config.calendar, log, notifier, team, reminders, letters };
  const runOptions: ChangeRunOptions = {
    ...DEFAULT_RUN_OPTIONS,
    keptPeriods: config.cases.keptPeriods,
    ...overrides.changeRun,
  };
  const runner = new ChangeRunner(cases, ledger, clock, log, runOptions);
  const updater = new AdapterCardUpdater(adapter, appId);
  const delivery = new PackageDelivery({
    mode: config.packageDelivery,
    notifier,
    links,
    cases,
    clock,
    log,
    packagesDir,
    packages: shared.packages,
    lifetimeMs: DOWNLOAD_LINK_LIFETIME_MS,
  });
  const packages = new PackageBuilder({
    connectors: discovery.connectors,
    dir: packagesDir,
    clock,
    timeZone: config.calendar.timeZone,
    reviewDir: config.release.dir,
    // One pace for the cards of the runs: the package's card moves no more often than a step's.
    progressEveryMs: runOptions.progressEvery.ms,
  });
  const changeDeps: ChangeDeps = {
    connectors: discovery.connectors,
    runner,
    updater,
    isolationPackage: async (actor, dsrCase, deliver) => {
      const prepared = await packages.build(dsrCase);
      // The durable copy first: a download package is deleted with its link.
      const copy = await isolatedCopies.keep(dsrCase.id, prepared.path, clock.now()).catch(async (error: unknown) => {
        await rm(prepared.path, { force: true });
        throw error;
      });
      if (!deliver) {
        await rm(prepared.path, { force: true });
        return { copy };
      }
      await delivery.deliver(actor, {
        caseId: dsrCase.id,
        packageId: prepared.packageId,
        records: prepared.manifest.totalRecords,
        bytes: prepared.bytes,
      });
      return { packageId: prepared.packageId, copy };
    },
  };

  adapter.onTurnError = async (context: TurnContext, error: unknown) => {
    log.error({ err: error, activityType: context.activity.type }, 'turn failed');
    await context.sendActivity(
      error instanceof StoreUnavailableError
        ? storeUnavailableReply(error)
        : 'Something went wrong on my side. Please check the status of what you were doing, then try again.',
    );
  };

  const mailboxStore: MailboxStore =
    store instanceof PostgresCaseStore ? new PostgresMailboxStore(store) : new FileMailboxStore(config.dataDir);
  // Connectors given without an inbox reader (tests of other parts) bring no mailbox to watch.
  const intakeMailbox = overrides.connectors && !overrides.inboxReader ? undefined : config.intakeMailbox;
  const mailboxWatcher = intakeMailbox
    ? new MailboxWatcher({
        mailbox: intakeMailbox.address,
        reader: () =>
          overrides.inboxReader ? Promise.resolve(overrides.inboxReader) : discovery.inboxReader(intakeMailbox.address),
        store: mailboxStore,
        outbox: outbox.sender,
        state: store.state,
        ...(shared.reminders ? { leases: shared.reminders.leases } : {}),
        clock,
        timeZone: config.calendar.timeZone,
        log,
        pollMs: intakeMailbox.pollMs,
        sinceDays: intakeMailbox.sinceDays,
        ...(letterService.languages ? { languages: letterService.languages } : {}),
        channelLanguage: config.channelLanguage,
      })
    : undefined;

  const intakeSubmission = new IntakeSubmission(services);
  const handlers = [
    intakeSubmission,
    new CaseRefresh(services),
    new TriageRefresh(services),
    ...TriageAction.all(services),
    ...DiscoveryAction.all(services, { connectors: discovery.connectors, updater }),
    ...PlanAction.all(services, {
      connectors: discovery.connectors,
      packages,
      deliver: (actor, facts) => delivery.deliver(actor, facts),
      view: (dsrCase) => planViewOf(dsrCase, changeDeps),
      leases: runner,
      updater,
    }),
    ...ChangeAction.all(services, changeDeps),
    ...BulkChangeAction.all(services, changeDeps),
    ...LetterAction.all(services, letters),
    ...ReviewAction.all(services, { reviewDir: config.release.dir, linkDays: config.release.linkDays }),
    new MailboxRecord(services, mailboxStore),
    new MailboxDismiss(services, mailboxStore),
    new AuditPageAction(services, new AuditCommands(services, store, links)),
    new ApprovalWaitingAction(services),
  ];
  const actions = new CardActionRouter(handlers, (context, verb, data) =>
    cases.recordRefusal(
      actorOf(context.activity),
      verb,
      'invalid-input',
      typeof data.caseId === 'string' ? data.caseId : null,
    ),
  );
  const bot = new DsrBot(
    new RootDialog(services, store, links),
    actions,
    notifier,
    team,
    log,
    delivery,
    new RecordFromMessage(services, intakeSubmission),
  );

  const caseRegister = new RegisterFeed(store, observed, config.calendar.timeZone, log);
  const dashboardAuth = dashboardAuthFor(
    {
      local: config.local,
      appId: config.botAuth.MicrosoftAppId,
      tenantId: config.botAuth.MicrosoftAppTenantId,
      publicUrl: config.publicUrl,
      authority: config.ssoAuthority,
      localPeople: config.localSignInPeople,
    },
    roles,
  );

  let server: HttpServer;
  try {
    server = await startHttpServer(
      config.port,
      adapter,
      bot,
      () => shared.health(),
      log,
      (http) => {
        registerDownloadRoutes(http, {
          links,
          store,
          cases,
          team,
          clock,
          log,
          packages: shared.packages,
          ledger,
          letters: {
            service: letterService,
            from: async () => (await letterService.mailbox()) ?? register?.controller.email,
          },
        });
        registerSubjectRoutes(http, { store, cases, clock, log, reviewDir: config.release.dir });
        registerDashboardRoutes(http, { auth: dashboardAuth, feed: caseRegister, cases, store, team, clock, log });
      },
      { host: config.host, serviceUrls: config.serviceUrls, foreground },
    );
    listeningPort = server.port;
    foreground.listening();
    serving();
  } catch (error) {
    clearInterval(sweeper);
    await store.close();
    await ledger.close();
    await discovery.close();
    throw error;
  }
  outbox.sender.start();
  mailboxWatcher?.start();
  return {
    port: server.port,
    store,
    services,
    reminders,
    runner,
    purger,
    mailbox: mailboxWatcher,
    async stop() {
      clearInterval(sweeper);
      await mailboxWatcher?.stop();
      await server.close();
      // Runs stop before the store closes; their steps stay "running" and are offered to resume.
      await runner.stop();
      await discovery.close();
      await reminders.stop();
      await outbox.sender.stop();
      await ledger.close();
      await store.close();
    },
  };
}

import { join } from 'node:path';
import { CloudAdapter, ConversationState, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { CardActionRouter } from '../dialogs/cardActions.js';
import { CaseRefresh } from '../dialogs/caseRefresh.js';
import { IntakeSubmission } from '../dialogs/intakeSubmission.js';
import { RootDialog } from '../dialogs/rootDialog.js';
import { actorOf } from '../dialogs/turnActor.js';
import { TriageAction, TriageRefresh } from '../dialogs/triageActions.js';
import type { DsrServices } from '../dialogs/services.js';
import { CaseService } from '../dsr/caseService.js';
import { systemClock, type Clock } from '../dsr/clock.js';
import { StaticRoleDirectory } from '../dsr/roles.js';
import { LowdbCaseStore } from '../dsr/storage/lowdbStore.js';
import { PostgresCaseStore, StoreUnavailableError } from '../dsr/storage/postgresStore.js';
import type { CaseStore } from '../dsr/store.js';
import { ChannelAuthentication } from './authentication.js';
import type { AppConfig } from './config.js';
import { DsrBot } from './dsrBot.js';
import { ProactiveNotifier } from './proactiveNotifier.js';
import { storeUnavailableReply } from './storeUnavailable.js';
import { startHttpServer, type HttpServer } from './server.js';
import { CaseStoreStorage } from './stateStorage.js';

export interface RunningApp {
  readonly port: number;
  readonly store: CaseStore;
  readonly services: DsrServices;
  stop(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
}

/** The composition root: builds every part from configuration and starts serving. */
export async function startApp(config: AppConfig, log: Logger, overrides: AppOverrides = {}): Promise<RunningApp> {
  const store: CaseStore = config.database
    ? new PostgresCaseStore({ connectionString: config.database.url, schema: config.database.schema })
    : new LowdbCaseStore(join(config.dataDir));
  await store.open();

  const clock = overrides.clock ?? systemClock;
  const roles = new StaticRoleDirectory(config.privacyTeam.memberIds);
  const cases = new CaseService(store, roles, clock, config.calendar);
  const adapter = new CloudAdapter(new ChannelAuthentication(config.botAuth));
  const appId = config.botAuth.MicrosoftAppId ?? '';
  const notifier = new ProactiveNotifier(adapter, appId, store, clock, config.calendar, log);
  const services: DsrServices = { cases, clock, calendar: config.calendar, log, notifier };

  adapter.onTurnError = async (context: TurnContext, error: unknown) => {
    log.error({ err: error, activityType: context.activity.type }, 'turn failed');
    await context.sendActivity(
      error instanceof StoreUnavailableError
        ? storeUnavailableReply(error)
        : 'Something went wrong on my side. Please check the status of what you were doing, then try again.',
    );
  };

  const conversationState = new ConversationState(new CaseStoreStorage(store.state));
  const handlers = [
    new IntakeSubmission(services),
    new CaseRefresh(services),
    new TriageRefresh(services),
    ...TriageAction.all(services),
  ];
  const actions = new CardActionRouter(handlers, (context, verb) =>
    cases.recordRefusal(actorOf(context.activity), verb, 'invalid-input', null),
  );
  const bot = new DsrBot(conversationState, new RootDialog(services, store), actions, notifier, log);

  let server: HttpServer;
  try {
    server = await startHttpServer(config.port, adapter, bot, () => Promise.resolve({ store: 'ok' }), log);
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    port: server.port,
    store,
    services,
    async stop() {
      await server.close();
      await store.close();
    },
  };
}

import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { ConnectorRegistry } from '../connectors/registry.js';
import type { Connector } from '../dsr/discovery.js';
import type { GroupMembership } from '../dsr/groupRoles.js';
import type { Manager } from '../dsr/reminders/managers.js';
import type { LetterMailer } from '../dsr/letters/letterService.js';
import type { GraphInboxReader } from '../connectors/graphInbox.js';
import type { ConnectorFileInput } from '../connectors/registry.js';
import type { AppCredentials } from '../connectors/tokens.js';
import type { AppConfig } from './config.js';

/** How to reach the systems a local run searches, as a connector file and its credentials would say. */
export interface LocalSystemsSettings {
  url: string;
  config: ConnectorFileInput;
  credentials: AppCredentials;
  caPem: string;
}

/**
 * The stand-ins a local run searches when no connector file is configured. The local run passes
 * them in (local/sandboxSystems.ts), so the production host never loads the sandbox.
 */
export interface LocalSystems {
  /** Starts them on first use; later calls answer the same settings. */
  start(): Promise<LocalSystemsSettings>;
  close(): Promise<void>;
}

export interface DiscoverySetup {
  connectors: () => Promise<Connector[]>;
  /** Entra group membership through the Graph connection; undefined where Graph is not connected. */
  groupMembership: () => Promise<GroupMembership | undefined>;
  /** Who a user reports to through the Graph connection; undefined where Graph is not connected. */
  managerLookup: () => Promise<((userId: string) => Promise<Manager | undefined>) | undefined>;
  /** Sends letters from a mailbox through the Graph connection; undefined where Graph is not connected. */
  letterMailer: (mailbox: string) => Promise<LetterMailer | undefined>;
  /** Reads the privacy mailbox's inbox through the Graph connection; undefined where Graph is not connected. */
  inboxReader: (mailbox: string) => Promise<GraphInboxReader | undefined>;
  /** Reads Graph paths as the app (the outbox's read-back after a crash); undefined where Graph is not connected. */
  graphGet: () => Promise<((path: string) => Promise<unknown>) | undefined>;
  /** Checks the configured systems against their live `$metadata`; throws what stops the start. */
  checkLive?: () => Promise<void>;
  close(): Promise<void>;
}

/**
 * The systems discovery searches. A configuration file names them; a local run without one
 * searches the local systems it was given (started on first use), so the demo works with no setup.
 * A wrong configuration stops the start with every problem named.
 */
export function setUpDiscovery(
  config: AppConfig,
  log: Logger,
  given?: Connector[],
  localSystems?: LocalSystems,
): DiscoverySetup {
  if (given) {
    return {
      connectors: () => Promise.resolve(given),
      groupMembership: () => Promise.resolve(undefined),
      managerLookup: () => Promise.resolve(undefined),
      letterMailer: () => Promise.resolve(undefined),
      inboxReader: () => Promise.resolve(undefined),
      graphGet: () => Promise.resolve(undefined),
      close: () => Promise.resolve(),
    };
  }
  const settings = config.connectors;
  if (settings.file) {
    const registry = ConnectorRegistry.fromFile(settings.file, {
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      ...(settings.caFile ? { caPem: readFileSync(settings.caFile, 'utf8') } : {}),
    });
    const connected = registry
      .all()
      .filter((c) => c.connected)
      .map((c) => c.info.id);
    log.info({ connected }, 'connectors configured');
    return {
      connectors: () => Promise.resolve(registry.all()),
      groupMembership: () => Promise.resolve(registry.groupMembership()),
      managerLookup: () => Promise.resolve(registry.managerLookup()),
      letterMailer: (mailbox) => Promise.resolve(registry.letterMailer(mailbox)),
      inboxReader: (mailbox) => Promise.resolve(registry.inboxReader(mailbox)),
      graphGet: () => Promise.resolve(registry.graphGet()),
      checkLive: () => registry.checkLiveMetadata((message) => log.warn({ check: '$metadata' }, message)),
      close: () => Promise.resolve(),
    };
  }
  if (!config.local || !localSystems) {
    const registry = ConnectorRegistry.fromConfig({}, { source: 'no connector file' });
    log.warn('no connector file configured: every system shows as not connected');
    return {
      connectors: () => Promise.resolve(registry.all()),
      groupMembership: () => Promise.resolve(undefined),
      managerLookup: () => Promise.resolve(undefined),
      letterMailer: () => Promise.resolve(undefined),
      inboxReader: () => Promise.resolve(undefined),
      graphGet: () => Promise.resolve(undefined),
      close: () => Promise.resolve(),
    };
  }
  const local = localSystems;
  let registry: Promise<ConnectorRegistry> | undefined;
  const localRegistry = () => {
    registry ??= (async () => {
      const started = await local.start();
      log.info({ url: started.url }, 'local run: discovery searches the sandbox');
      return ConnectorRegistry.fromConfig(started.config, {
        source: 'sandbox',
        credentials: started.credentials,
        caPem: started.caPem,
      });
    })();
    return registry;
  };
  return {
    connectors: async () => (await localRegistry()).all(),
    groupMembership: async () => (await localRegistry()).groupMembership(),
    managerLookup: async () => (await localRegistry()).managerLookup(),
    letterMailer: async (mailbox) => (await localRegistry()).letterMailer(mailbox),
    inboxReader: async (mailbox) => (await localRegistry()).inboxReader(mailbox),
    graphGet: async () => (await localRegistry()).graphGet(),
    close: async () => {
      if (registry) await local.close();
    },
  };
}

import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { ConnectorRegistry } from '../connectors/registry.js';
import type { Connector } from '../dsr/discovery.js';
import type { GroupMembership } from '../dsr/groupRoles.js';
import type { Manager } from '../dsr/reminders/managers.js';
import type { LetterMailer } from '../dsr/letters/letterService.js';
import type { GraphInboxReader } from '../connectors/graphInbox.js';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import type { AppConfig } from './config.js';
import { sandboxConnectorSettings } from './discoverySandbox.js';

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
  /** The sandbox a local run searches (started on first use); undefined where real systems are configured. */
  sandbox: () => Promise<Sandbox | undefined>;
  close(): Promise<void>;
}

/**
 * The systems discovery searches. A configuration file names them; a local run without one
 * searches a sandbox the app starts on first use, so the demo works with no setup.
 * A wrong configuration stops the start with every problem named.
 */
export function setUpDiscovery(config: AppConfig, log: Logger, given?: Connector[]): DiscoverySetup {
  if (given) {
    return {
      connectors: () => Promise.resolve(given),
      groupMembership: () => Promise.resolve(undefined),
      managerLookup: () => Promise.resolve(undefined),
      letterMailer: () => Promise.resolve(undefined),
      inboxReader: () => Promise.resolve(undefined),
      graphGet: () => Promise.resolve(undefined),
      sandbox: () => Promise.resolve(undefined),
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
      sandbox: () => Promise.resolve(undefined),
      close: () => Promise.resolve(),
    };
  }
  if (!config.local) {
    const registry = ConnectorRegistry.fromConfig({}, { source: 'no connector file' });
    log.warn('no connector file configured: every system shows as not connected');
    return {
      connectors: () => Promise.resolve(registry.all()),
      groupMembership: () => Promise.resolve(undefined),
      managerLookup: () => Promise.resolve(undefined),
      letterMailer: () => Promise.resolve(undefined),
      inboxReader: () => Promise.resolve(undefined),
      graphGet: () => Promise.resolve(undefined),
      sandbox: () => Promise.resolve(undefined),
      close: () => Promise.resolve(),
    };
  }
  let sandbox: Promise<Sandbox> | undefined;
  let registry: Promise<ConnectorRegistry> | undefined;
  const localRegistry = () => {
    registry ??= (async () => {
      sandbox = startSandbox();
      const started = await sandbox;
      log.info({ url: started.url }, 'local run: discovery searches the sandbox');
      const local = sandboxConnectorSettings(started);
      return ConnectorRegistry.fromConfig(local.config, {
        source: 'sandbox',
        credentials: local.credentials,
        caPem: local.caPem,
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
    sandbox: async () => {
      await localRegistry();
      return sandbox;
    },
    close: async () => {
      if (sandbox) await (await sandbox).close();
    },
  };
}

import type { LocalSystems, LocalSystemsSettings } from '../app/discovery.js';
import type { ConnectorFileInput, SystemConfigInput } from '../connectors/registry.js';
import type { AppCredentials } from '../connectors/tokens.js';
import { startSandbox, type Sandbox } from '../sandbox/index.js';

export interface SandboxConnectorSettings {
  config: ConnectorFileInput;
  credentials: AppCredentials;
  caPem: string;
}

/** The connector configuration that points every system at a local sandbox, as a deployment would at real URLs. */
export function sandboxConnectorSettings(
  sandbox: Sandbox,
  overrides: Partial<SystemConfigInput> = {},
): SandboxConnectorSettings {
  const system = (url: string, resource: string): SystemConfigInput => ({ url, resource, ...overrides });
  return {
    config: {
      systems: {
        // The sandbox keeps Marketing's interactions action, so the demo shows them.
        crm: { ...system(sandbox.endpoints.dataverse, sandbox.resources.dataverse), marketing: true },
        bc: system(sandbox.endpoints.businessCentral, sandbox.resources.businessCentral),
        fno: system(sandbox.endpoints.financeOperations, sandbox.resources.financeOperations),
        hr: system(sandbox.endpoints.humanResources, sandbox.resources.humanResources),
        graph: system(sandbox.endpoints.graph, sandbox.resources.graph),
      },
    },
    credentials: {
      tenantId: sandbox.tenantId,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      authorityHost: sandbox.url,
      authorityMetadata: sandbox.authorityMetadata,
    },
    caPem: sandbox.caCertPem,
  };
}

/** The sandbox as the systems a local run searches: started when discovery first needs it. */
export class SandboxSystems implements LocalSystems {
  private started: Promise<Sandbox> | undefined;

  /** The running sandbox (started now if discovery has not needed it yet), e.g. to read its mailbox. */
  sandbox(): Promise<Sandbox> {
    this.started ??= startSandbox();
    return this.started;
  }

  async start(): Promise<LocalSystemsSettings> {
    const sandbox = await this.sandbox();
    return { url: sandbox.url, ...sandboxConnectorSettings(sandbox) };
  }

  async close(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    if (started) await (await started).close();
  }
}

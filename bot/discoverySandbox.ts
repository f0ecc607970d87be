import type { ConnectorFileInput, SystemConfigInput } from '../connectors/registry.js';
import type { AppCredentials } from '../connectors/tokens.js';
import type { Sandbox } from '../sandbox/index.js';

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

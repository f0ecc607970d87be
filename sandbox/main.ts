import { parseArgs } from 'node:util';
import { startSandbox } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4443' },
    'bulk-activities': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`Invalid --port '${values.port}'.\n`);
  process.exit(2);
}
const bulkCount = values['bulk-activities'] === undefined ? 0 : Number(values['bulk-activities']);

const sandbox = await startSandbox({
  port,
  bulk: bulkCount > 0 ? [{ system: 'crm', entitySet: 'activitypointers', count: bulkCount }] : [],
});

const lines = [
  `DSR Assistant sandbox listening on ${sandbox.url}`,
  '',
  `  CA certificate     ${sandbox.caCertPath}  (trust it: NODE_EXTRA_CA_CERTS or an agent's ca)`,
  `  MSAL authority     ${sandbox.authority}  (knownAuthorities: ['${sandbox.knownAuthority}'])`,
  `  token endpoint     ${sandbox.endpoints.token}`,
  `  client id          ${sandbox.clientId}`,
  `  client secret      ${sandbox.clientSecret}`,
  '',
  `  Dataverse          ${sandbox.endpoints.dataverse}  scope ${sandbox.resources.dataverse}/.default`,
  `  Business Central   ${sandbox.endpoints.businessCentral}  scope ${sandbox.resources.businessCentral}/.default`,
  `  Finance & Ops      ${sandbox.endpoints.financeOperations}  scope ${sandbox.resources.financeOperations}/.default`,
  `  Human Resources    ${sandbox.endpoints.humanResources}  scope ${sandbox.resources.humanResources}/.default`,
  `  Microsoft Graph    ${sandbox.endpoints.graph}  scope ${sandbox.resources.graph}/.default`,
  '',
  `  switches           POST ${sandbox.url}/_sandbox/switches   requests: GET ${sandbox.url}/_sandbox/requests   reset: POST ${sandbox.url}/_sandbox/reset`,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);

const stop = (): void => {
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// The sandbox's public surface: start it, trust its certificate, and refer to its sample world.
export * from './server.js';
export { SANDBOX_CA_CERT_PATH, SANDBOX_KEY_PATH, readSandboxCertificate } from './certs.js';
export * from './seed.js';
export { DATAVERSE_MAX_PAGE_SIZE } from './systems/crm.js';
export { BUSINESS_CENTRAL_PAGE_SIZE } from './systems/bc.js';
export { FINANCE_OPERATIONS_PAGE_SIZE } from './systems/fno.js';
export { GRAPH_DEFAULT_PAGE_SIZE, GRAPH_MAX_PAGE_SIZE } from './systems/graph.js';
export type { JsonRecord } from './odata/filter.js';
export type { DeliveredMail, InboxFault, InboxMessage, SandboxInbox } from './systems/graphInbox.js';

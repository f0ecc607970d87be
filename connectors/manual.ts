import {
  CAPABILITIES,
  notConnectedFindings,
  type Connector,
  type ConnectorInfo,
  type SearchQuery,
  type SystemFindings,
} from '../dsr/discovery.js';
import { MANUAL_STEPS, SYSTEM_NAMES, type ApiSystemId, type ManualSystemId } from './systems/index.js';

/** A system searched by hand: it has no API (Social Engagement, logs) or this deployment did not configure one. */
export class ManualConnector implements Connector {
  readonly connected = false;
  readonly info: ConnectorInfo;

  constructor(
    id: ApiSystemId | ManualSystemId,
    private readonly now: () => Date = () => new Date(),
  ) {
    const steps = MANUAL_STEPS[id];
    this.info = {
      id,
      displayName: SYSTEM_NAMES[id],
      capabilities: [],
      manualSteps: Object.fromEntries(CAPABILITIES.map((c) => [c, c === 'find' ? steps : []])),
    };
  }

  find(_query: SearchQuery): Promise<SystemFindings> {
    return Promise.resolve(notConnectedFindings(this.info, this.now()));
  }
}

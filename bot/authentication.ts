import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import {
  AuthenticationError,
  type AuthenticateRequestResult,
  type ConnectorClientOptions,
} from 'botframework-connector';
import { channelHttpClient } from './outbox/channelHttpClient.js';

// Token library failures that mean "this token is not acceptable", as opposed to "we could not check".
const REJECTED_TOKEN = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * Bot Framework authentication where a forged or malformed token is a 401, not a 500: the SDK
 * lets signature failures escape as plain errors, which the adapter reports as a server fault.
 */
export class ChannelAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(options: Record<string, string>, connectorClientOptions?: ConnectorClientOptions) {
    super(options, undefined, undefined, undefined, connectorClientOptions);
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (error) {
      if (error instanceof Error && REJECTED_TOKEN.has(error.name)) {
        throw new AuthenticationError(`Unauthorized: ${error.message}`, 401);
      }
      throw error;
    }
  }
}

/**
 * The adapter every Bot Framework turn and proactive send goes through. Outbound calls use the
 * outbox's HTTP client, so throttling and failures reach the outbox instead of being retried
 * quietly inside the SDK.
 */
export function createChannelAdapter(
  botAuth: Record<string, string>,
  auth: ChannelAuthentication = createChannelAuthentication(botAuth),
): CloudAdapter {
  return new CloudAdapter(auth);
}

/** The bot's Bot Framework authentication, shared by the adapter and the outbox's connector clients. */
export function createChannelAuthentication(botAuth: Record<string, string>): ChannelAuthentication {
  return new ChannelAuthentication(botAuth, { httpClient: channelHttpClient as never });
}

import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
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
 * The CloudAdapter with one more entry: an activity the server has already read and checked.
 * `CloudAdapter.process` would read the body itself, answer every failure but a rejected token
 * with 500 and print the error to the console, past the log's error serializer.
 */
export class ChannelAdapter extends CloudAdapter {
  /** @throws AuthenticationError for a missing or rejected token; any other error is the turn's */
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    // As the SDK's own activity validator does: the wire carries times as ISO strings.
    const times = activity as unknown as Record<string, unknown>;
    for (const key of ['timestamp', 'localTimestamp', 'expiration']) {
      if (typeof times[key] === 'string') times[key] = new Date(times[key]);
    }
    return this.processActivity(authHeader, activity, logic);
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
): ChannelAdapter {
  return new ChannelAdapter(auth);
}

/** The bot's Bot Framework authentication, shared by the adapter and the outbox's connector clients. */
export function createChannelAuthentication(botAuth: Record<string, string>): ChannelAuthentication {
  return new ChannelAuthentication(botAuth, { httpClient: channelHttpClient as never });
}

import {
  AuthenticationConstants,
  ClaimsIdentity,
  type BotFrameworkAuthentication,
  type ConnectorClient,
} from 'botframework-connector';
import { z } from 'zod';
import { classifySendError, type OutboxRecord, type SendOutcome } from '../../dsr/ports/outbox.js';
import { ChannelAnswerError } from './channelHttpClient.js';
import type { OutboxTransport } from './outboxSender.js';

const errorShape = z.looseObject({
  statusCode: z.number(),
  code: z.string().optional(),
  response: z.looseObject({ bodyAsText: z.string().nullish(), headers: z.unknown() }).optional(),
});

const errorBody = z.looseObject({ error: z.looseObject({ code: z.string().optional() }).optional() });

function bodyCode(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const parsed = errorBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error?.code : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null || !('get' in headers)) return undefined;
  const get = headers.get;
  if (typeof get !== 'function') return undefined;
  const value: unknown = get.call(headers, name);
  return typeof value === 'string' ? value : undefined;
}

/** Reads a connector error's status, error code and Retry-After, whatever layer of the SDK threw it. */
export function describeSendError(error: unknown): SendOutcome | undefined {
  if (error instanceof ChannelAnswerError) {
    return classifySendError(error.statusCode, error.channelCode, error.retryAfter);
  }
  const parsed = errorShape.safeParse(error);
  if (!parsed.success) return undefined;
  const { statusCode, response } = parsed.data;
  // Teams accepted it (2xx) but the answer could not be read: the message is there all the same.
  if (statusCode >= 200 && statusCode < 300) return { kind: 'sent' };
  const code = bodyCode(response?.bodyAsText) ?? parsed.data.code;
  return classifySendError(statusCode, code, header(response?.headers, 'retry-after'));
}

/** Makes a Bot Connector client for a service address, authenticated as the bot. */
export type ConnectorSource = (serviceUrl: string) => Promise<ConnectorClient>;

/** Connector clients from the same authentication the adapter uses, as the adapter makes them for proactive sends. */
export function connectorSource(auth: BotFrameworkAuthentication, appId: string): ConnectorSource {
  // One client per address: the client keeps its credentials and token, so a burst does not
  // rebuild them for every message.
  const clients = new Map<string, Promise<ConnectorClient>>();
  return (serviceUrl) => {
    const known = clients.get(serviceUrl);
    if (known) return known;
    const identity = new ClaimsIdentity([
      { type: AuthenticationConstants.AudienceClaim, value: appId },
      { type: AuthenticationConstants.AppIdClaim, value: appId },
      { type: AuthenticationConstants.ServiceUrlClaim, value: serviceUrl },
    ]);
    const client = auth.createConnectorFactory(identity).create(serviceUrl, undefined);
    clients.set(serviceUrl, client);
    // A client that could not be made is not kept: the next send tries again.
    client.catch(() => clients.delete(serviceUrl));
    return client;
  };
}

type ChannelThreadDestination = Extract<OutboxRecord['destination'], { kind: 'channelThread' }>;

/** A new thread's reference, as replies to it are addressed. */
function channelThreadSent(
  destination: ChannelThreadDestination,
  conversationId: string,
  activityId: string | undefined,
): Extract<SendOutcome, { kind: 'sent' }> {
  return {
    kind: 'sent',
    conversationReference: {
      channelId: 'msteams',
      serviceUrl: destination.serviceUrl,
      bot: destination.bot,
      activityId,
      // Kept with the thread, so a reply cut short by a crash can be looked for in it (readBack.ts).
      ...(destination.teamId ? { teamId: destination.teamId } : {}),
      conversation: { id: conversationId, isGroup: true, conversationType: 'channel', tenantId: destination.tenantId },
    },
  };
}

interface Reference {
  serviceUrl?: string;
  channelId?: string;
  conversation?: { id?: string; tenantId?: string; isGroup?: boolean; conversationType?: string };
  bot?: { id: string; name?: string };
  user?: { id: string; name?: string };
}

/**
 * Sends outbox records straight through the Bot Connector client, not through the adapter's turn
 * pipeline: a failed proactive send must reach the outbox as an answer to classify, never pass
 * through the turn error handler (which would apologise into the conversation and swallow it).
 */
export class TeamsTransport implements OutboxTransport {
  constructor(private readonly connectors: ConnectorSource) {}

  arrived(record: OutboxRecord, messageId: string | undefined): Extract<SendOutcome, { kind: 'sent' }> {
    const destination = record.destination;
    // A new post's Graph id is its thread's message id: the thread is `<channel>;messageid=<id>`.
    if (destination.kind !== 'channelThread' || !messageId) return { kind: 'sent' };
    return channelThreadSent(destination, `${destination.channelId};messageid=${messageId}`, messageId);
  }

  async send(record: OutboxRecord, departing: () => void = () => undefined): Promise<SendOutcome> {
    try {
      return await this.deliver(record, departing);
    } catch (error) {
      const outcome = describeSendError(error);
      if (outcome) return outcome;
      throw error;
    }
  }

  private async deliver(record: OutboxRecord, departing: () => void): Promise<SendOutcome> {
    const destination = record.destination;
    const activity = record.activity;
    switch (destination.kind) {
      case 'conversation': {
        const reference = destination.reference as Reference;
        const conversationId = reference.conversation?.id;
        if (!reference.serviceUrl || !conversationId) {
          return { kind: 'fail', status: 400, code: 'NoConversationReference' };
        }
        const client = await this.connectors(reference.serviceUrl);
        departing();
        // A thread reply goes to the thread's id ("channel;messageid=…"), which Teams posts as a reply.
        await client.conversations.sendToConversation(conversationId, {
          ...activity,
          channelId: reference.channelId ?? 'msteams',
          serviceUrl: reference.serviceUrl,
          conversation: reference.conversation as never,
          from: reference.bot as never,
          ...(reference.user ? { recipient: reference.user as never } : {}),
        });
        return { kind: 'sent' };
      }
      case 'channelThread': {
        const client = await this.connectors(destination.serviceUrl);
        departing();
        const created = await client.conversations.createConversation({
          isGroup: true,
          channelData: { channel: { id: destination.channelId }, tenant: { id: destination.tenantId } },
          activity: activity as never,
          bot: destination.bot as never,
          tenantId: destination.tenantId,
        });
        return created?.id ? channelThreadSent(destination, created.id, created.activityId) : { kind: 'sent' };
      }
      case 'user': {
        // A 1:1 chat is created (or found: Teams returns the existing one) from the user and tenant;
        // creating it twice is harmless, so only the message itself can ever be doubled.
        const client = await this.connectors(destination.serviceUrl);
        const created = await client.conversations.createConversation({
          isGroup: false,
          members: [{ id: destination.userId, name: '' }],
          bot: destination.bot as never,
          tenantId: destination.tenantId,
          channelData: { tenant: { id: destination.tenantId } },
        });
        const conversation = { id: created.id, conversationType: 'personal', tenantId: destination.tenantId };
        departing();
        await client.conversations.sendToConversation(created.id, {
          ...activity,
          channelId: 'msteams',
          serviceUrl: destination.serviceUrl,
          conversation: conversation as never,
          from: destination.bot as never,
        });
        return {
          kind: 'sent',
          conversationReference: {
            channelId: 'msteams',
            serviceUrl: destination.serviceUrl,
            bot: destination.bot,
            user: { id: destination.userId },
            conversation,
          },
        };
      }
    }
  }
}

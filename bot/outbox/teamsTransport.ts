import { TurnContext, type CloudAdapter } from 'botbuilder';
import { z } from 'zod';
import { classifySendError, type OutboxRecord, type SendOutcome } from '../../dsr/outbox.js';
import { ChannelAnswerError } from './channelHttpClient.js';
import type { OutboxTransport } from './outboxSender.js';

const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

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
  const code = bodyCode(response?.bodyAsText) ?? parsed.data.code;
  return classifySendError(statusCode, code, header(response?.headers, 'retry-after'));
}

/** Sends outbox records through the Bot Framework adapter. */
export class TeamsTransport implements OutboxTransport {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async send(record: OutboxRecord): Promise<SendOutcome> {
    try {
      return await this.deliver(record);
    } catch (error) {
      const outcome = describeSendError(error);
      if (outcome) return outcome;
      throw error;
    }
  }

  private async deliver(record: OutboxRecord): Promise<SendOutcome> {
    const destination = record.destination;
    const activity = record.activity as never;
    let reference: Record<string, unknown> | undefined;
    const capture = async (context: TurnContext) => {
      reference = TurnContext.getConversationReference(context.activity);
      return Promise.resolve();
    };
    switch (destination.kind) {
      case 'conversation':
        await this.adapter.continueConversationAsync(this.appId, destination.reference, async (context) => {
          await context.sendActivity(activity);
        });
        return { kind: 'sent' };
      case 'channelThread':
        await this.adapter.createConversationAsync(
          this.appId,
          'msteams',
          destination.serviceUrl,
          BOT_FRAMEWORK_AUDIENCE,
          {
            isGroup: true,
            channelData: { channel: { id: destination.channelId } },
            activity,
            bot: destination.bot as never,
            tenantId: destination.tenantId,
          },
          capture,
        );
        return { kind: 'sent', conversationReference: reference };
      case 'user':
        // A 1:1 chat is created (or found: Teams returns the existing one) from the user and tenant.
        await this.adapter.createConversationAsync(
          this.appId,
          'msteams',
          destination.serviceUrl,
          BOT_FRAMEWORK_AUDIENCE,
          {
            isGroup: false,
            members: [{ id: destination.userId, name: '' }],
            bot: destination.bot as never,
            tenantId: destination.tenantId,
            channelData: { tenant: { id: destination.tenantId } },
          },
          async (context) => {
            await capture(context);
            await context.sendActivity(activity);
          },
        );
        return { kind: 'sent', conversationReference: reference };
    }
  }
}

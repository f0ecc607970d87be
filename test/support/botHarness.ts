import { deploymentSettings } from './deployment.js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { startApp, type AppOverrides, type RunningApp } from '../../app/app.js';
import { loadLocalConfig } from '../../local/demo.js';
import { SandboxSystems } from '../../local/sandboxSystems.js';
import { FakeConnector } from './fakeConnector.js';
import { PRIVACY_TEAM_IDS, type TeamsUser } from './people.js';

export interface PostResult {
  status: number;
  body: unknown;
}

/** The real server on a free port with a fresh data folder, and a fake connector it replies to. */
export class BotHarness {
  readonly connector = new FakeConnector();
  app!: RunningApp;
  dataDir = '';

  constructor(
    private readonly env: Record<string, string> = {},
    private readonly overrides: AppOverrides = {},
    private readonly log: Logger = pino({ level: 'silent' }),
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.app.port}`;
  }

  async start(dataDir?: string): Promise<this> {
    await this.connector.start();
    this.dataDir = dataDir ?? (await mkdtemp(join(tmpdir(), 'dsr-test-')));
    const config = loadLocalConfig({
      PORT: '0',
      DSR_DATA_DIR: this.dataDir,
      DSR_PRIVACY_TEAM_IDS: PRIVACY_TEAM_IDS.join(','),
      LOG_LEVEL: 'silent',
      // With an App ID the channel is the fake connector, on a loopback http address.
      DSR_SERVICE_URLS: this.connector.url,
      ...deploymentSettings(this.env),
      ...this.env,
    });
    this.app = await startApp(config, this.log, { localSystems: new SandboxSystems(), ...this.overrides });
    return this;
  }

  async stop({ keepData = false } = {}): Promise<void> {
    await this.app.stop();
    await this.connector.stop();
    if (!keepData) await rm(this.dataDir, { recursive: true, force: true });
  }

  async post(activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<PostResult> {
    const response = await fetch(`${this.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  personalConversation(user: TeamsUser): string {
    return `personal-${user.aadObjectId}`;
  }

  base(
    user: TeamsUser,
    conversationId = this.personalConversation(user),
  ): Record<string, unknown> & { conversation: { id: string; conversationType: string; tenantId: string } } {
    return {
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: this.connector.url,
      timestamp: new Date().toISOString(),
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: '28:dsr-bot', name: 'DSR Assistant' },
      conversation: {
        id: conversationId,
        conversationType: conversationId.startsWith('personal-') ? 'personal' : 'channel',
        tenantId: 'tenant-1',
      },
      channelData: { tenant: { id: 'tenant-1' } },
    };
  }

  /** Sends a typed message and returns what the bot answered in that conversation. */
  async say(user: TeamsUser, text: string, conversationId?: string): Promise<Array<Record<string, unknown>>> {
    const activity = { ...this.base(user, conversationId), type: 'message', text };
    const conversation = activity.conversation.id;
    const before = this.connector.sent(conversation).length;
    const result = await this.post(activity);
    if (result.status >= 300) throw new Error(`POST /api/messages answered ${result.status}`);
    return this.connector.sent(conversation).slice(before);
  }

  /** Sends an Action.Execute invoke, as Teams does when a card button is pressed. */
  async execute(user: TeamsUser, verb: string, data: Record<string, unknown>, conversationId?: string) {
    return this.post({
      ...this.base(user, conversationId),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data } },
    });
  }
}

/** The Adaptive Card in a bot message, if there is one. */
export function cardOf(activity: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const attachments = activity?.attachments as Array<{ contentType: string; content: Record<string, unknown> }>;
  return attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** The card an invoke answered with. */
export function invokeCard(result: PostResult): Record<string, unknown> {
  const body = result.body as { statusCode: number; type: string; value: Record<string, unknown> };
  if (body.type !== 'application/vnd.microsoft.card.adaptive') {
    throw new Error(`Expected a card, got ${JSON.stringify(body).slice(0, 300)}`);
  }
  return body.value;
}

/** Every text shown on a card, joined, so tests can assert what a person would read. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      for (const key of ['text', 'title', 'value', 'label']) {
        if (typeof record[key] === 'string') parts.push(record[key]);
      }
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return parts.join('\n');
}

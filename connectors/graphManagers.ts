import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import type { ManagerDirectory } from '../dsr/reminders/managers.js';

const managerBody = z.object({ id: z.string().min(1) });

export interface GraphManagerOptions {
  /** e.g. https://graph.microsoft.com/v1.0/ */
  graphUrl: string;
  /** An app-only token for Microsoft Graph with User.Read.All. */
  getToken(): Promise<string>;
  /** A CA to trust besides the system's, where Graph is reached through a test stand-in. */
  caPem?: string;
  /** Configured managers win over the directory; the directory fills the gaps. */
  configured?: Record<string, string>;
  cacheMs?: number;
  now?: () => number;
}

/**
 * Managers from Microsoft Graph `/users/{id}/manager`, cached, since an escalation run asks about
 * the same few assignees again and again. A user without a manager (404) has none; any other
 * failure is an error, so an escalation is not silently dropped because Graph was down.
 */
export class GraphManagerDirectory implements ManagerDirectory {
  private readonly cache = new Map<string, { managerId: string | undefined; at: number }>();
  private readonly dispatcher: Agent | undefined;

  constructor(private readonly options: GraphManagerOptions) {
    this.dispatcher = options.caPem ? new Agent({ connect: { ca: options.caPem } }) : undefined;
  }

  async managerOf(userId: string): Promise<string | undefined> {
    const configured = this.options.configured?.[userId];
    if (configured) return configured;
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(userId);
    if (cached && now - cached.at < (this.options.cacheMs ?? 3_600_000)) return cached.managerId;
    const url = new URL(`users/${encodeURIComponent(userId)}/manager?$select=id`, this.options.graphUrl);
    const response = await undiciFetch(url, {
      headers: { authorization: `Bearer ${await this.options.getToken()}`, accept: 'application/json' },
      dispatcher: this.dispatcher,
    });
    let managerId: string | undefined;
    if (response.status === 404) {
      await response.body?.cancel();
      managerId = undefined;
    } else if (response.ok) {
      managerId = managerBody.parse(await response.json()).id;
    } else {
      await response.body?.cancel();
      throw new Error(`Microsoft Graph answered ${response.status} for a manager lookup`);
    }
    this.cache.set(userId, { managerId, at: now });
    return managerId;
  }
}

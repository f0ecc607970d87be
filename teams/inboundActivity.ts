import type { IncomingMessage } from 'node:http';
import contentType from 'content-type';
import getRawBody from 'raw-body';
import { z } from 'zod';
import type { Activity } from 'botbuilder';

/**
 * The largest request body /api/messages reads. Teams caps a message at 100 KB (80 KB advised):
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages
 * (message size limits); an activity well above that, envelope included, is not one Teams sent.
 */
export const MAX_ACTIVITY_BYTES = 256 * 1024;

/**
 * The channel's service addresses in Microsoft's clouds: public, GCC, GCC High, DoD, as listed by
 * the Microsoft 365 Agents SDK (`TeamsServiceEndpoints`); regional variants such as
 * https://smba.trafficmanager.net/emea/ share the host.
 */
export const TEAMS_SERVICE_HOSTS: readonly string[] = [
  'smba.trafficmanager.net',
  'smba.infra.gcc.teams.microsoft.com',
  'smba.infra.gov.teams.microsoft.us',
  'smba.infra.dod.teams.microsoft.us',
];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Where replies to an activity may be sent: the bot posts its answers to the activity's serviceUrl. */
export interface ServiceUrlPolicy {
  /** Hosts reached over https only. */
  httpsHosts: readonly string[];
  /** Exact origins (scheme, host and port) also allowed, for a local channel or a test stand-in. */
  origins: readonly string[];
  /** A local run: any loopback address, http or https. */
  loopback: boolean;
}

export function allowsServiceUrl(policy: ServiceUrlPolicy, serviceUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (policy.origins.includes(url.origin)) return true;
  if (policy.loopback && LOOPBACK.has(url.hostname) && (url.protocol === 'http:' || url.protocol === 'https:')) {
    return true;
  }
  return url.protocol === 'https:' && policy.httpsHosts.includes(url.hostname.toLowerCase());
}

export class InboundRefusal extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'InboundRefusal';
  }
}

const id = z.string().min(1).max(1024);
const account = z.looseObject({ id });

/** What every activity this bot handles carries; the SDK checks only that there is a type. */
const envelope = z.looseObject({
  type: z.string().min(1).max(64),
  serviceUrl: z.string().min(1).max(2048),
  channelId: z.string().min(1).max(64).optional(),
  conversation: z.looseObject({ id }),
  from: account,
  recipient: account.optional(),
});

/** Far deeper than any activity or card data the bot handles; deeper input only costs stack. */
export const MAX_ACTIVITY_DEPTH = 32;

function describe(issues: z.core.$ZodIssue[], body: unknown): string {
  const first = issues[0];
  if (!first) return 'the activity is not valid';
  let value: unknown = body;
  for (const key of first.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  const field = first.path.map(String).join('.') || 'the activity';
  return value === undefined ? `${field} is missing` : `${field} is not valid`;
}

/** How deeply objects and arrays nest in a parsed body, counted without recursion. */
function depthOf(body: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[body, 1]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_ACTIVITY_DEPTH) return deepest;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Reads a JSON object body, bounded: JSON only, uncompressed, at most `limit` bytes, nested at most
 * MAX_ACTIVITY_DEPTH levels. Every route that takes a body reads it through here.
 * @throws InboundRefusal with the status and reason for the caller
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  // Compressed bodies are refused rather than inflated: the Bot Connector service posts plain JSON
  // (no Microsoft source documents it compressing requests), and refusing keeps a small body from
  // inflating to many times the limit. RFC 9110 §15.5.16: 415 for an unsupported content coding.
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') throw new InboundRefusal(415, 'compressed request bodies are not accepted');
  let type: contentType.ParsedMediaType;
  try {
    type = contentType.parse(req.headers['content-type'] ?? '');
  } catch {
    throw new InboundRefusal(400, 'the content type must be application/json');
  }
  if (type.type !== 'application/json') throw new InboundRefusal(400, 'the content type must be application/json');
  const charset = (type.parameters.charset ?? 'utf-8').toLowerCase();
  if (charset !== 'utf-8' && charset !== 'utf8') throw new InboundRefusal(400, 'the body must be UTF-8');

  const lengthHeader = req.headers['content-length'];
  let text: string;
  try {
    text = await getRawBody(req, {
      limit,
      encoding: 'utf-8',
      ...(lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? { length: Number(lengthHeader) } : {}),
    });
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 413) throw new InboundRefusal(413, `the body is larger than ${limit} bytes`);
    throw new InboundRefusal(400, 'the body could not be read as its headers describe it');
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new InboundRefusal(400, 'the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InboundRefusal(400, 'the body is not a JSON object');
  }
  if (depthOf(body) > MAX_ACTIVITY_DEPTH) {
    throw new InboundRefusal(400, `the body nests deeper than ${MAX_ACTIVITY_DEPTH} levels`);
  }
  return body as Record<string, unknown>;
}

/**
 * Reads and checks the body of a request to /api/messages before the SDK sees it: a bounded JSON
 * body (readJsonBody) that is an activity with a type, a conversation, a sender and a service
 * address the bot may answer to.
 * @throws InboundRefusal with the status and reason for the caller
 */
export async function readActivity(
  req: IncomingMessage,
  policy: ServiceUrlPolicy,
  limit = MAX_ACTIVITY_BYTES,
): Promise<Activity> {
  const body = await readJsonBody(req, limit);
  const parsed = envelope.safeParse(body);
  if (!parsed.success) throw new InboundRefusal(400, describe(parsed.error.issues, body));
  if (!allowsServiceUrl(policy, parsed.data.serviceUrl)) {
    throw new InboundRefusal(400, 'serviceUrl is not an address of an allowed channel');
  }
  return body as unknown as Activity;
}

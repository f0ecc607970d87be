import type { IncomingHttpHeaders } from 'node:http';
import type { TokenClaims } from './auth.js';

export type SystemId = 'entra' | 'crm' | 'bc' | 'fno' | 'hr' | 'graph';
export const SYSTEM_IDS: readonly SystemId[] = ['entra', 'crm', 'bc', 'fno', 'hr', 'graph'];

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless it is already a string. */
  body?: unknown;
}

/** A failure the service answers in its own error shape; the system decides the code's wording. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface SystemRequest {
  method: string;
  url: URL;
  /** Path below the system's prefix, still percent-encoded. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  claims?: TokenClaims;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body, headers };
}

export function noContent(headers: Record<string, string> = {}): Reply {
  return { status: 204, headers };
}

export function parseJsonBody(request: SystemRequest): unknown {
  if (request.body.length === 0) return {};
  try {
    return JSON.parse(request.body.toString('utf8')) as unknown;
  } catch {
    throw new ServiceError(400, 'BadRequest', 'The request body is not valid JSON.');
  }
}

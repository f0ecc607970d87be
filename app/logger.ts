import { pino, type Logger } from 'pino';

/** Error properties whose values say what failed without carrying what a person entered. */
const SAFE_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Deep enough for an error wrapping an error wrapping the one that failed. */
const CAUSE_DEPTH = 3;
const MAX_TEXT = 2000;

// What is left of personal data in an error's own words: an email address or a phone number a
// library quoted from its input. Names cannot be told apart from text, which is why everything
// but the message and stack is left out.
const EMAIL = /[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[^\s@<>()"',;:]+/g;
const PHONE = /\+?\d[\d ()./-]{6,}\d/g;

function scrub(text: string): string {
  return text.slice(0, MAX_TEXT).replace(EMAIL, '[email]').replace(PHONE, '[number]');
}

export interface SafeError {
  type: string;
  message: string;
  code?: string | number;
  status?: number;
  stack?: string;
  cause?: SafeError;
}

/**
 * The one way an error reaches the log: its type, message, code and stack, and its cause the
 * same way. Whatever else an error carries (the SDK's dialog context with the conversation's
 * state, a request, a response body) is left out, because nothing proves it free of personal data.
 */
export function safeError(error: unknown, depth = 0): SafeError {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: typeof error === 'string' ? scrub(error) : 'not an Error' };
  }
  const { code, status, statusCode } = error as { code?: unknown; status?: unknown; statusCode?: unknown };
  const httpStatus = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  return {
    type: error.name,
    message: scrub(error.message),
    ...(typeof code === 'number' || (typeof code === 'string' && SAFE_CODE.test(code)) ? { code } : {}),
    ...(httpStatus !== undefined ? { status: httpStatus } : {}),
    ...(error.stack ? { stack: scrub(error.stack) } : {}),
    ...(error.cause !== undefined && depth < CAUSE_DEPTH ? { cause: safeError(error.cause, depth + 1) } : {}),
  };
}

/** Replaces every error in a log line, at any depth, by its safe form. */
function withSafeErrors(value: unknown, depth: number): unknown {
  if (value instanceof Error) return safeError(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withSafeErrors(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = withSafeErrors(item, depth + 1);
  return copy;
}

/**
 * Structured JSON logs. Personal data stays out: log case ids, never names, emails or card
 * contents. Errors anywhere in a line go through `safeError`; the redaction below is a safety
 * net for the fields most likely to carry personal data.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'dsr-assistant' },
    formatters: { log: (line) => withSafeErrors(line, 0) as Record<string, unknown> },
    serializers: { err: (value: unknown) => withSafeErrors(value, 0) },
    redact: {
      paths: ['*.email', '*.emails', '*.name', '*.subject', '*.text', '*.value', 'activity'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Personal data stays out: log case ids, never names, emails or card
 * contents; the redaction below is a safety net for the fields most likely to carry them.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'dsr-assistant' },
    redact: {
      paths: ['*.email', '*.emails', '*.name', '*.subject', '*.text', '*.value', 'activity'],
      censor: '[redacted]',
    },
  });
}

import type { WitnessedHead } from '../dsr/audit.js';

/** What a typed message asks for. Matching is forgiving: people write to a bot as they would to a colleague. */
export type Intent =
  | { kind: 'help' }
  | { kind: 'newRequest'; emails: string[] }
  | { kind: 'status'; caseId: string | undefined }
  | { kind: 'myRequests' }
  | { kind: 'useChannel' }
  | { kind: 'auditTrail'; caseId: string | undefined }
  | { kind: 'verifyAudit'; witnessed: WitnessedHead | undefined }
  | { kind: 'exportAudit'; caseId: string | undefined }
  | { kind: 'exportCaseFile'; caseId: string | undefined }
  | { kind: 'reminders'; days: number; page: number }
  | { kind: 'snooze'; caseId: string | undefined; days: number; reason: string }
  | { kind: 'unknown' };

const CASE_ID = /\bDSR-\d{4}-\d{4,}\b/i;
const EMAIL = /[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[a-z]{2,}/gi;

export function recogniseIntent(rawText: string): Intent {
  const text = rawText.trim().replace(/\s+/g, ' ');
  const lower = text.toLowerCase();
  const caseId = CASE_ID.exec(text)?.[0]?.toUpperCase();

  if (/\b(use this channel|privacy (team )?channel|set (the )?channel)\b/.test(lower)) return { kind: 'useChannel' };
  if (/^verify( the)? audit\b/.test(lower)) {
    // "verify audit 1234 ab12cd34": a head read earlier in the digest or a previous answer ("#" optional).
    const head = /^verify(?: the)? audit\s+#?(\d{1,12})\s+([0-9a-f]{4,64})\b/.exec(lower);
    return {
      kind: 'verifyAudit',
      witnessed: head ? { seq: Number(head[1]), hashPrefix: head[2]! } : undefined,
    };
  }
  if (/^(export|download)( the)? audit\b/.test(lower)) return { kind: 'exportAudit', caseId };
  if (/^(export|download)( the)? case ?file\b/.test(lower)) return { kind: 'exportCaseFile', caseId };
  if (/^audit\b/.test(lower)) return { kind: 'auditTrail', caseId };
  if (/^(upcoming )?reminders\b/.test(lower)) {
    return {
      kind: 'reminders',
      days: Number(/\b(\d{1,2})\s*days?\b/.exec(lower)?.[1] ?? 7),
      page: Math.max(1, Number(/\bpage\s*(\d{1,4})\b/.exec(lower)?.[1] ?? 1)),
    };
  }
  if (/^snooze\b/.test(lower)) {
    const days = Number(/\bfor (\d{1,2}) ?days?\b/.exec(lower)?.[1] ?? 3);
    const reason = /\b(?:because|reason:?)\s+(.+)$/i.exec(text)?.[1]?.trim() ?? '';
    return { kind: 'snooze', caseId, days, reason };
  }
  if (/^(help|\?|what can you do|commands|hi|hello|hey)\b/.test(lower)) return { kind: 'help' };
  if (/\bmy (requests|cases)\b/.test(lower)) return { kind: 'myRequests' };
  if (/^(status|show|open|case)\b/.test(lower) || (caseId !== undefined && lower.split(' ').length <= 3)) {
    return { kind: 'status', caseId };
  }
  if (
    /\b(new|file|log|record|raise|open|start)\b.*\b(request|dsr|case)\b/.test(lower) ||
    /\b(received|got|have|had)\b.*\b(dsr|request|data subject)\b/.test(lower) ||
    /\b(data subject|subject access|sar|gdpr request|erasure|right to be forgotten)\b/.test(lower)
  ) {
    return { kind: 'newRequest', emails: [...new Set(text.match(EMAIL) ?? [])].slice(0, 5) };
  }
  return { kind: 'unknown' };
}

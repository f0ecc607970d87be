import type { WitnessedHead } from '../../dsr/audit.js';
import { extractRequest } from '../../dsr/intake/extract.js';
import { fold } from '../../dsr/intake/normalise.js';

/** What a typed message asks for. Matching is forgiving: people write to a bot as they would to a colleague. */
export type Intent =
  | { kind: 'help' }
  /** `text` is what came with the command, or the whole message when it describes a request. */
  | { kind: 'newRequest'; emails: string[]; text: string }
  | { kind: 'dueThisWeek' }
  | { kind: 'status'; caseId: string | undefined }
  | { kind: 'myRequests' }
  | { kind: 'useChannel' }
  | { kind: 'auditTrail'; caseId: string | undefined; page: number }
  | { kind: 'verifyAudit'; witnessed: WitnessedHead | undefined }
  | { kind: 'exportAudit'; caseId: string | undefined }
  | { kind: 'exportCaseFile'; caseId: string | undefined }
  | { kind: 'reminders'; days: number; page: number }
  | { kind: 'snooze'; caseId: string | undefined; days: number; reason: string }
  | { kind: 'unknown' };

const CASE_ID = /\bDSR-\d{4}-\d{4,}\b/i;
const EMAIL = /[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[a-z]{2,}/gi;

const NEW_REQUEST_COMMAND =
  /^(new (data subject |privacy |dsr |gdpr )?request|neue (datenschutz)?anfrage|neuer antrag|nouvelle demande|nueva solicitud|nueva petici[oó]n)\b[\s:,.-]*/i;
const HELP = /^(help|hilfe|aide|ayuda|\?|what can you do|commands|befehle|was kannst du)\b/;
const GREETING = /^(hi|hello|hey|hallo|moin|servus|bonjour|salut|hola|buenas)\b/;
const MY_REQUESTS =
  /\b(my (requests|cases)|meine (anfragen|fälle|faelle)|mes demandes|mis (solicitudes|peticiones|casos))\b/;
// "What's due this week?" in the four languages.
const DUE_THIS_WEEK =
  /\b(due this week|what('s| is) due|was ist (diese woche |bald )?fa(e)?llig|diese woche fa(e)?llig|fa(e)?llig diese woche|a rendre cette semaine|echeances? (de )?cette semaine|qu'est-ce qui est du|vencen? esta semana|que vence)\b/;

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
  if (/^audit\b/.test(lower))
    return { kind: 'auditTrail', caseId, page: Math.max(1, Number(/\bpage\s*(\d{1,5})\b/.exec(lower)?.[1] ?? 1)) };
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
  const newRequest = (withText: string): Intent => ({
    kind: 'newRequest',
    emails: [...new Set(withText.match(EMAIL) ?? [])].slice(0, 5),
    text: withText.trim(),
  });
  // The command in each language, then anything pasted after it (a mail, a note) on the same or the next lines.
  const command = NEW_REQUEST_COMMAND.exec(rawText.trimStart());
  if (command) return newRequest(rawText.trimStart().slice(command[0].length));
  const words = lower.split(' ').length;
  // A greeting opens many pasted mails ("Hello, I want my data deleted…"): only a short one asks for help.
  if (HELP.test(lower) || (GREETING.test(lower) && words <= 3)) return { kind: 'help' };
  const folded = fold(lower);
  if (MY_REQUESTS.test(folded)) return { kind: 'myRequests' };
  if (DUE_THIS_WEEK.test(folded)) return { kind: 'dueThisWeek' };
  if (/^(status|statut|estado|stand|show|open|case)\b/.test(lower) || (caseId !== undefined && words <= 3)) {
    return { kind: 'status', caseId };
  }
  // The phrasings below are read in the first sentences only: ".*" over a whole pasted mail is quadratic.
  const opening = lower.slice(0, 500);
  if (
    /\b(new|file|log|record|raise|open|start)\b.*\b(request|dsr|case)\b/.test(opening) ||
    /\b(received|got|have|had)\b.*\b(dsr|request|data subject)\b/.test(opening) ||
    /\b(data subject|subject access|sar|gdpr request|erasure|right to be forgotten)\b/.test(opening)
  ) {
    return newRequest(rawText);
  }
  // A sentence or a pasted mail that asks for a right ("a customer wants all her data deleted").
  if (words >= 4 && extractRequest({ body: rawText }).isRequest) return newRequest(rawText);
  return { kind: 'unknown' };
}

import type { TFunction } from 'i18next';
import { SHORT_HASH, shortHead, type TrailVerdict } from '../../dsr/audit.js';
import { wordsOf } from '../../i18n/index.js';

/**
 * The verdict of "verify audit" in the reader's language, with the plural of the events counted.
 * What broke the chain (`reason`) is the check's own catalogue key, worded in the same language.
 */
export function verdictWords(verdict: TrailVerdict, t: TFunction): string {
  switch (verdict.kind) {
    case 'intact': {
      const { head } = verdict;
      const lost = verdict.headLostAfter.map((seq) => `#${seq}`).join(', ');
      const said = t('replies.verdict.intact', {
        count: head.seq,
        head: shortHead(head),
        seq: head.seq,
        hash: head.hash.slice(0, SHORT_HASH),
      });
      return lost ? `${said} ${t('replies.verdict.headLost', { events: lost })}` : said;
    }
    case 'edited':
    case 'resealed':
      return t(`replies.verdict.${verdict.kind}`, { at: verdict.at, reason: wordsOf(t, verdict.reason) });
    case 'headMissing':
      return t('replies.verdict.headMissing', { count: verdict.events });
    case 'truncated':
    case 'beyondHead':
      return t(`replies.verdict.${verdict.kind}`, { count: verdict.events, head: shortHead(verdict.head) });
    case 'headMismatch':
      return t('replies.verdict.headMismatch', { head: shortHead(verdict.head) });
    case 'shorterThanWitnessed':
      return t('replies.verdict.shorterThanWitnessed', { count: verdict.events, seq: verdict.witnessed.seq });
    case 'witnessedNotContained':
      return t('replies.verdict.witnessedNotContained', {
        seq: verdict.witnessed.seq,
        hash: verdict.witnessed.hashPrefix,
      });
  }
}

import type { DsrCase } from './case.js';
import { inEnglish, type Said } from '../i18n/index.js';

/**
 * What the case service answers. Apart from the service, so what it calls (the follow-up of kept
 * records) can name its answers without importing it.
 */
export type Refusal = 'not-found' | 'forbidden' | 'stale' | 'invalid-transition' | 'invalid-input';

/**
 * A refusal carries what it says twice: `said`, the catalogue's key for the reader's language, and
 * `message`, the same in English for logs and HTTP routes. A refusal without `said` (a workflow's
 * "busy") is worded by its code.
 */
export type ActResult =
  { ok: true; case: DsrCase } | { ok: false; refusal: Refusal; message: string; said?: Said; case?: DsrCase };

/** A refusal in the catalogue's words, with its English for logs and HTTP routes. */
export function refused(refusal: Refusal, words: Said, dsrCase?: DsrCase): ActResult {
  const answer = { ok: false as const, refusal, message: inEnglish(words), said: words };
  return dsrCase ? { ...answer, case: dsrCase } : answer;
}

export interface CreateResult {
  case: DsrCase;
  /** False when the same intake had already created this case (a resubmitted card). */
  created: boolean;
}

import type { TFunction } from 'i18next';
import { wordsOf, type Said } from '../i18n/index.js';

/**
 * What a refusal from the domain or a workflow says, in the reader's language: its catalogue words
 * where it carries them, a workflow's "busy" by its code, else the English it came with (a letter
 * template's own problem, written by the organisation).
 */
export function refusalText(t: TFunction, refusal: { message: string; said?: Said; refusal?: string }): string {
  if (refusal.said) return wordsOf(t, refusal.said);
  if (refusal.refusal === 'busy') return t('refusals.busy');
  return refusal.message;
}

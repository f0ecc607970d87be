import type { TFunction } from 'i18next';
import { stepTitleSaid, type PlanStep } from '../dsr/plan.js';
import { wordsOf } from '../i18n/index.js';

/** A step's title in the reader's language (see `stepTitleSaid`). */
export function stepTitle(step: PlanStep, t: TFunction): string {
  return wordsOf(t, stepTitleSaid(step));
}

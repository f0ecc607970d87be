import type { TFunction } from 'i18next';
import type { GuideLink, ManualStep } from '../dsr/findings.js';
import { stepTitleSaid, type PlanStep } from '../dsr/plan.js';
import { wordsOf } from '../i18n/index.js';

/** A step's title in the reader's language (see `stepTitleSaid`). */
export function stepTitle(step: PlanStep, t: TFunction): string {
  return wordsOf(t, stepTitleSaid(step));
}

/** A step by hand in the reader's language, where it carries the catalogue's words; else its English. */
export function manualStepText(step: ManualStep, t: TFunction): string {
  return step.said ? wordsOf(t, step.said) : step.text;
}

/** The guide's link after an instruction, " [title](address)": the title in the reader's language, the address as Microsoft publishes it. */
export function guideLinkText(link: GuideLink | undefined, t: TFunction): string {
  return link ? ` [${link.said ? wordsOf(t, link.said) : link.title}](${link.url})` : '';
}

import type { TFunction } from 'i18next';
import { LOGS_SYSTEM_ID, PACKAGE_STEP_ID, type PlanStep } from '../dsr/plan.js';

/**
 * A step's title in the reader's language, from what the step is (its right, its system, whether
 * it was added by a preview or covers a system the bot could not search), never from the English
 * title the plan stores for the response letter and the audit trail.
 */
export function stepTitle(step: PlanStep, t: TFunction): string {
  const system = step.systemName;
  if (step.id === PACKAGE_STEP_ID) return t('plan.stepTitle.package');
  const parentId = step.followUpOf ?? (step.id.endsWith(':by-hand') ? step.id.slice(0, -':by-hand'.length) : '');
  if (parentId)
    return t('plan.stepTitle.followUp', { system, step: t(`plan.stepTitle.right.${step.right}`, { system }) });
  if (step.systemId === LOGS_SYSTEM_ID) return t(`plan.stepTitle.logs.${step.right}`);
  if (step.uncovered) return t(`plan.stepTitle.uncovered.${step.right}`, { system });
  return t(`plan.stepTitle.right.${step.right}`, { system });
}

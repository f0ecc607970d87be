import type { TFunction } from 'i18next';
import { z } from 'zod';
import { stepTitle } from '../../cards/planStepText.js';
import { inputValue } from '../../cards/template.js';
import type { DsrCase } from '../../dsr/case.js';
import { outsideWaitProblem, OUTSIDE_PARTY_MAX_LENGTH, OUTSIDE_REASON_MAX_LENGTH } from '../../dsr/outsideWait.js';
import { isEvidenceLink } from '../../dsr/planEvidence.js';
import { STEP_NOTE_MAX_LENGTH, TICK_MAX_STEPS } from '../../dsr/planCaseActions.js';
import type { CardData } from '../actions/cardActions.js';
import type { DsrServices } from '../services.js';

/**
 * The plan card's bulk form, read and checked before anything changes: every refusal names what to
 * fix in the reader's language, and the case service checks the same rules again.
 */
type Parsed<T> = T | { invalid: string };

const stepIdSchema = z.string().min(1).max(80);

/** The steps chosen: the multi-select sends "a,b,c"; a card from before the form names one step. */
function chosenSteps(data: CardData, dsrCase: DsrCase, version: number, t: TFunction): Parsed<{ stepIds: string[] }> {
  // A selection made on an older card may name steps that changed since: it is refused, never guessed.
  if (version !== dsrCase.version) return { invalid: t('plan.errors.stale') };
  const raw = typeof data.steps === 'string' ? data.steps : typeof data.stepId === 'string' ? data.stepId : '';
  const stepIds = [
    ...new Set(
      raw
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  if (stepIds.length === 0) return { invalid: t('plan.errors.noSteps') };
  if (stepIds.length > TICK_MAX_STEPS || !stepIds.every((id) => stepIdSchema.safeParse(id).success))
    return { invalid: t('plan.errors.unknownStep') };
  const ids = new Set(dsrCase.plan?.steps.map((s) => s.id) ?? []);
  if (!stepIds.every((id) => ids.has(id))) return { invalid: t('plan.errors.unknownStep') };
  return { stepIds };
}

/** A text input's value: absent or a string; anything else is a forged card. */
function text(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value.trim() : null;
}

export function parseTick(
  data: CardData,
  dsrCase: DsrCase,
  version: number,
  t: TFunction,
): Parsed<{ stepIds: string[]; note?: string; link?: string }> {
  const chosen = chosenSteps(data, dsrCase, version, t);
  if ('invalid' in chosen) return chosen;
  const single = typeof data.stepId === 'string' ? data.stepId : '';
  const note = text(data.note ?? inputValue(data, 'note', single));
  const link = text(data.evidence ?? data.link ?? inputValue(data, 'link', single));
  if (note === null || link === null) return { invalid: t('plan.errors.unreadable') };
  if (note && note.length > STEP_NOTE_MAX_LENGTH)
    return { invalid: t('plan.errors.noteTooLong', { max: STEP_NOTE_MAX_LENGTH }) };
  if (link && (link.length > 500 || !isEvidenceLink(link))) return { invalid: t('plan.errors.evidenceNotHttps') };
  const picked = dsrCase.plan?.steps.filter((s) => chosen.stepIds.includes(s.id)) ?? [];
  const unsearched = picked.find((s) => s.uncovered);
  if (unsearched && !note) return { invalid: t('plan.errors.noteNeeded', { system: unsearched.systemName }) };
  if (!link) {
    const needing = picked.find((s) => s.evidence);
    if (needing?.evidence)
      return {
        invalid: t('plan.errors.evidenceNeeded', {
          step: stepTitle(needing, t),
          section: needing.evidence.guideSection,
        }),
      };
  }
  return { stepIds: chosen.stepIds, ...(note ? { note } : {}), ...(link ? { link } : {}) };
}

export function parseWait(
  data: CardData,
  dsrCase: DsrCase,
  version: number,
  t: TFunction,
  services: Pick<DsrServices, 'clock' | 'calendar'>,
): Parsed<{ stepIds: string[]; party: string; expectedBy: string; reason?: string }> {
  const chosen = chosenSteps(data, dsrCase, version, t);
  if ('invalid' in chosen) return chosen;
  const party = text(data.party);
  const expectedBy = text(data.expectedBy);
  const reason = text(data.reason);
  if (party === null || expectedBy === null || reason === null) return { invalid: t('plan.errors.unreadable') };
  const wait = { party: party ?? '', expectedBy: expectedBy ?? '', ...(reason ? { reason } : {}) };
  const problem = outsideWaitProblem(wait, dsrCase.dueAt, services.clock.now(), services.calendar);
  if (problem) {
    switch (problem.problem) {
      case 'party':
        return { invalid: t('plan.errors.party', { max: OUTSIDE_PARTY_MAX_LENGTH }) };
      case 'date':
        return { invalid: t('plan.errors.date') };
      case 'past':
        return { invalid: t('plan.errors.datePast') };
      case 'afterDeadline':
        return { invalid: t('plan.errors.afterDeadline', { due: problem.due }) };
      case 'reason':
        return { invalid: t('plan.errors.reasonTooLong', { max: OUTSIDE_REASON_MAX_LENGTH }) };
    }
  }
  return { stepIds: chosen.stepIds, ...wait };
}

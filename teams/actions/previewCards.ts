import { planCard, type PlanView } from '../../cards/planCard.js';
import type { DsrCase } from '../../dsr/case.js';
import type { PlanStep } from '../../dsr/plan.js';
import type { CardPlace } from '../notifier.js';
import type { DsrServices } from '../services.js';
import type { CardUpdater } from '../cardUpdater.js';

/**
 * Once previews are approved, the cards they were made on (the previewer's card in the case's
 * thread, which would still say "waits for approval") show the plan as it now is, so the one who
 * applies sees Apply there without going back to the plan. Rendered for no one in particular, with
 * the plan's per-reader refresh; the card the approver pressed answers for itself and is left alone.
 * A card that cannot be updated is logged with the case id only, and the approval stands.
 */
export async function refreshPreviewCards(
  services: Pick<DsrServices, 'notifier' | 'log'>,
  updater: CardUpdater,
  dsrCase: DsrCase,
  approved: readonly PlanStep[],
  pressed: CardPlace,
  /** The plan's view for no reader in particular (the card everyone sees first). */
  view: () => Promise<PlanView>,
): Promise<void> {
  const places = new Map<string, CardPlace>();
  for (const step of approved) {
    const hash = step.preview?.hash;
    if (!hash) continue;
    const place = await services.notifier.waitingPlace(dsrCase.id, { kind: 'step', stepId: step.id, hash });
    const conversation = place?.reference.conversation?.id;
    if (!place?.activityId || !conversation) continue;
    if (place.activityId === pressed.activityId && conversation === pressed.reference.conversation?.id) continue;
    places.set(`${conversation}|${place.activityId}`, place);
  }
  if (places.size === 0) return;
  const card = planCard(dsrCase, undefined, await view());
  for (const place of places.values()) {
    try {
      await updater.update(place.reference, place.activityId, card);
    } catch (error) {
      services.log.warn(
        { caseId: dsrCase.id, error: error instanceof Error ? error.name : 'unknown' },
        'could not bring a preview card up to date',
      );
    }
  }
}

/** The verbs of the plan's card actions; apart, so the findings card can offer them without importing the plan card. */
export const PLAN_VERBS = {
  create: 'plan.create',
  show: 'plan.show',
  preparePackage: 'plan.preparePackage',
  /** Marks the guided steps chosen on the card done, with one note and one evidence link. */
  tick: 'plan.tick',
  /** The chosen guided steps wait for an outside party until a day. */
  wait: 'plan.wait',
  /** Teams asks for the plan as it is now, for one reader (the card's refresh). */
  refresh: 'plan.refresh',
  respond: 'plan.respond',
  /** Asks the system what a destructive step would change (with the corrections or restriction mode). */
  preview: 'plan.preview',
  showPreview: 'plan.showPreview',
  /** Approves the preview shown; the data carries its hash. */
  approve: 'plan.approve',
  /** Applies an approved step; on a failed step, retries from where it stopped. */
  apply: 'plan.apply',
  /** Continues a step whose process stopped midway. */
  resume: 'plan.resume',
  lift: 'plan.lift',
  /** Deletes a kept Entra account anyway, with a privacy officer's written reason: a new preview. */
  override: 'plan.override',
} as const;

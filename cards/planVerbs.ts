/** The verbs of the plan's card actions; apart, so the findings card can offer them without importing the plan card. */
export const PLAN_VERBS = {
  create: 'plan.create',
  show: 'plan.show',
  preparePackage: 'plan.preparePackage',
  tick: 'plan.tick',
  respond: 'plan.respond',
} as const;

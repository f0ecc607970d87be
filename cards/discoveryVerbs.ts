/** The verbs of discovery's card actions; apart, so the triage card can offer them without importing the findings card. */
export const DISCOVERY_VERBS = {
  find: 'discovery.find',
  retry: 'discovery.retry',
  notThisPerson: 'discovery.notThisPerson',
  show: 'discovery.show',
} as const;

/** The verbs of discovery's card actions; apart, so the triage card can offer them without importing the findings card. */
export const DISCOVERY_VERBS = {
  find: 'discovery.find',
  retry: 'discovery.retry',
  notThisPerson: 'discovery.notThisPerson',
  /** A record matched on weak identifiers only is the person's. */
  confirm: 'discovery.confirm',
  /** Every record of one system, grouped by kind, one page at a time. */
  review: 'discovery.review',
  show: 'discovery.show',
  /** The records ticked on a findings or review card are someone else's: one Save for all of them. */
  setAside: 'discovery.setAside',
} as const;

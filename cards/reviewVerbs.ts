/** The verbs of the package review card, apart so the plan card can offer the review without importing it. */
export const REVIEW_VERBS = {
  show: 'review.show',
  exclude: 'review.exclude',
  redact: 'review.redact',
  undo: 'review.undo',
  submit: 'review.submit',
  approve: 'review.approve',
  release: 'review.release',
  revoke: 'review.revoke',
} as const;

/** The verbs of the letter card; their own module so the case card can offer letters without a cycle. */
export const LETTER_VERBS = {
  show: 'letter.show',
  update: 'letter.update',
  send: 'letter.send',
  markSent: 'letter.markSent',
} as const;

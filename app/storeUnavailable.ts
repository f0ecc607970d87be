import type { StoreUnavailableError } from '../storage/postgresStore.js';

/** What a person reads when the shared database dropped their turn; it never claims more than is known. */
export function storeUnavailableReply(error: StoreUnavailableError): string {
  return error.maybeApplied
    ? 'I lost the connection to the case database while saving. Please check the case status before you try again: it may already be done.'
    : 'I could not reach the case database just now, so nothing was changed. Please try again in a moment.';
}

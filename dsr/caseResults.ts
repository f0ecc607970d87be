import type { DsrCase } from './case.js';

/**
 * What the case service answers. Apart from the service, so what it calls (the follow-up of kept
 * records) can name its answers without importing it.
 */
export type Refusal = 'not-found' | 'forbidden' | 'stale' | 'invalid-transition' | 'invalid-input';

export type ActResult = { ok: true; case: DsrCase } | { ok: false; refusal: Refusal; message: string; case?: DsrCase };

export interface CreateResult {
  case: DsrCase;
  /** False when the same intake had already created this case (a resubmitted card). */
  created: boolean;
}

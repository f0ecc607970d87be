import { z } from 'zod';
import type { SystemId } from './http.js';

export const systemSwitchesSchema = z
  .object({
    /** Added before the system answers. */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /**
     * 429 with Retry-After. With `count`, the next `count` requests; with `limit` and `windowSeconds`,
     * every request beyond `limit` in a fixed window; with neither, every request.
     */
    throttle: z
      .object({
        retryAfterSeconds: z.number().int().min(0).max(3600),
        count: z.number().int().min(1).optional(),
        limit: z.number().int().min(0).optional(),
        windowSeconds: z.number().min(0.01).optional(),
      })
      .strict()
      .optional(),
    /** 500 or 503 for the next `count` requests (every request without a count). */
    fail: z
      .object({
        status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
        count: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    /**
     * Like `fail`, but only for requests that change data (POST, PATCH, PUT, DELETE): searches and
     * reads still answer, so a step that writes can fail on its own and be retried.
     */
    failWrites: z
      .object({
        status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
        count: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Accept the request and never answer, for client timeouts; `count` limits it to the next requests. */
    hang: z.union([z.boolean(), z.object({ count: z.number().int().min(1) }).strict()]).optional(),
    /** Reset the connection without answering, as an unreachable service looks to a client. */
    disconnected: z.boolean().optional(),
    /**
     * The optional solutions installed (names as the metadata gives them, e.g. `Marketing`): the
     * columns of any other solution are unknown to the system. Every solution when absent.
     */
    solutions: z.array(z.string().min(1).max(80)).max(20).optional(),
  })
  .strict();

export type SystemSwitches = z.input<typeof systemSwitchesSchema>;
type ParsedSwitches = z.output<typeof systemSwitchesSchema>;

export const switchesBodySchema = z
  .object({
    entra: systemSwitchesSchema.nullable().optional(),
    crm: systemSwitchesSchema.nullable().optional(),
    bc: systemSwitchesSchema.nullable().optional(),
    fno: systemSwitchesSchema.nullable().optional(),
    hr: systemSwitchesSchema.nullable().optional(),
    graph: systemSwitchesSchema.nullable().optional(),
  })
  .strict();

export type SwitchesUpdate = Partial<Record<SystemId, SystemSwitches | null>>;

export type Verdict =
  | { kind: 'pass'; latencyMs: number }
  | { kind: 'throttle'; latencyMs: number; retryAfterSeconds: number }
  | { kind: 'fail'; latencyMs: number; status: number }
  | { kind: 'hang' }
  | { kind: 'disconnect' };

interface State {
  switches: ParsedSwitches;
  throttleLeft?: number;
  failLeft?: number;
  failWritesLeft?: number;
  hangLeft?: number;
  windowStart: number;
  windowCount: number;
}

/** Per-system fault injection; counted switches wear off by themselves. */
export class SwitchBoard {
  private readonly states = new Map<SystemId, State>();

  apply(update: SwitchesUpdate): void {
    const parsed = switchesBodySchema.parse(update);
    for (const [system, value] of Object.entries(parsed) as [SystemId, ParsedSwitches | null | undefined][]) {
      if (value === undefined) continue;
      if (value === null) {
        this.states.delete(system);
        continue;
      }
      this.states.set(system, {
        switches: value,
        throttleLeft: value.throttle?.count,
        failLeft: value.fail?.count,
        failWritesLeft: value.failWrites?.count,
        hangLeft: typeof value.hang === 'object' ? value.hang.count : undefined,
        windowStart: 0,
        windowCount: 0,
      });
    }
  }

  clear(): void {
    this.states.clear();
  }

  current(): Partial<Record<SystemId, ParsedSwitches>> {
    return Object.fromEntries([...this.states].map(([system, state]) => [system, state.switches]));
  }

  decide(system: SystemId, now: number, method = 'GET'): Verdict {
    const state = this.states.get(system);
    if (!state) return { kind: 'pass', latencyMs: 0 };
    const { switches } = state;
    if (switches.disconnected) return { kind: 'disconnect' };
    if (switches.hang) {
      if (state.hangLeft === undefined) return { kind: 'hang' };
      if (state.hangLeft > 0) {
        state.hangLeft--;
        return { kind: 'hang' };
      }
    }
    const latencyMs = switches.latencyMs ?? 0;
    const throttle = switches.throttle;
    if (throttle) {
      if (throttle.count !== undefined) {
        if ((state.throttleLeft ?? 0) > 0) {
          state.throttleLeft = (state.throttleLeft ?? 0) - 1;
          return { kind: 'throttle', latencyMs, retryAfterSeconds: throttle.retryAfterSeconds };
        }
      } else if (throttle.limit !== undefined) {
        const windowMs = (throttle.windowSeconds ?? 1) * 1000;
        if (now - state.windowStart >= windowMs) {
          state.windowStart = now;
          state.windowCount = 0;
        }
        if (state.windowCount >= throttle.limit) {
          const wait = Math.max(throttle.retryAfterSeconds, Math.ceil((state.windowStart + windowMs - now) / 1000));
          return { kind: 'throttle', latencyMs, retryAfterSeconds: wait };
        }
        state.windowCount++;
      } else {
        return { kind: 'throttle', latencyMs, retryAfterSeconds: throttle.retryAfterSeconds };
      }
    }
    const fail = switches.fail;
    if (fail) {
      if (state.failLeft === undefined) return { kind: 'fail', latencyMs, status: fail.status };
      if (state.failLeft > 0) {
        state.failLeft--;
        return { kind: 'fail', latencyMs, status: fail.status };
      }
    }
    const failWrites = switches.failWrites;
    if (failWrites && method !== 'GET' && method !== 'HEAD') {
      if (state.failWritesLeft === undefined) return { kind: 'fail', latencyMs, status: failWrites.status };
      if (state.failWritesLeft > 0) {
        state.failWritesLeft--;
        return { kind: 'fail', latencyMs, status: failWrites.status };
      }
    }
    return { kind: 'pass', latencyMs };
  }
}

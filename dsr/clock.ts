/** Injected everywhere time matters, so deadlines and reminders can be tested and a demo fast-forwarded. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The clock comes in through this interface, so rules and schedules can be tested and accelerated. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

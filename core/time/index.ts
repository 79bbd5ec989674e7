export { parseDuration, isDuration, formatDuration, MAX_DURATION_MS } from './duration.ts';
export { systemClock } from './clock.ts';
export type { Clock } from './clock.ts';

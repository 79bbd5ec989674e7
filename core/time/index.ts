export { parseDuration, isDuration, formatDuration } from './duration.ts';
export { systemClock } from './clock.ts';
export type { Clock } from './clock.ts';

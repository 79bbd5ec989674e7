/** What the analyzer's routes share besides schemas: the analyzer itself and the window parameter. */
import type { Analyzer } from '../../analyzer/index.ts';
import { defineError } from '../../core/errors/index.ts';
import { boundedSince } from './bounds.ts';

export const ERR_ANALYZER_OFF = defineError(
  'WEFT_ERR_ANALYZER_OFF',
  503,
  () => 'The analyzer does not run in this process; start Weft with the analyzer (or without --only).',
);

export function analyzerOf(services: { analyzer?: Analyzer }): Analyzer {
  if (!services.analyzer) throw ERR_ANALYZER_OFF();
  return services.analyzer;
}

/** The `since` query in ms, bounded (400 on overflow, zero, or beyond what is kept); undefined when absent. */
export function sinceMs(since: string | undefined, maxMs?: number): number | undefined {
  return boundedSince(since, maxMs);
}

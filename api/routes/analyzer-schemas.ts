/** What the analyzer's routes share besides schemas: the analyzer itself and the window parameter. */
import type { Analyzer } from '../../analyzer/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import { ERR_BAD_REQUEST, defineError } from '../../core/errors/index.ts';

export const ERR_ANALYZER_OFF = defineError('WEFT_ERR_ANALYZER_OFF', 503, () => 'The analyzer does not run in this process; start Weft with the analyzer (or without --only).');

export function analyzerOf(services: { analyzer?: Analyzer }): Analyzer {
  if (!services.analyzer) throw ERR_ANALYZER_OFF();
  return services.analyzer;
}

export function sinceMs(since: string | undefined): number | undefined {
  if (!since) return undefined;
  const ms = parseDuration(since, 'since');
  if (ms <= 0) throw ERR_BAD_REQUEST('since must be a positive duration like 24h.');
  return ms;
}

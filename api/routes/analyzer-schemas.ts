import { Type, type TSchema } from '@sinclair/typebox';
import type { Analyzer } from '../../analyzer/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import { ERR_BAD_REQUEST, defineError } from '../../core/errors/index.ts';

export const ERR_ANALYZER_OFF = defineError('WEFT_ERR_ANALYZER_OFF', 503, () => 'The analyzer does not run in this process; start Weft with the analyzer (or without --only).');

export function analyzerOf(services: { analyzer?: Analyzer }): Analyzer {
  if (!services.analyzer) throw ERR_ANALYZER_OFF();
  return services.analyzer;
}

export const SinceQuery = Type.Object(
  { since: Type.Optional(Type.String({ pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$', description: 'look-back window, e.g. 1h, 24h, 7d (default: the analyzer window)' })) },
  { additionalProperties: false },
);

export function sinceMs(since: string | undefined): number | undefined {
  if (!since) return undefined;
  const ms = parseDuration(since, 'since');
  if (ms <= 0) throw ERR_BAD_REQUEST('since must be a positive duration like 24h.');
  return ms;
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Str = Type.String();
export const Num = Type.Number();
export const NullStr = Nullable(Type.String());

export const FlowStatsSchema = Nullable(
  Type.Object({
    traces: Num,
    failedTraces: Num,
    errorRate: Num,
    records: Num,
    p50Ms: Num,
    p95Ms: Num,
    p99Ms: Num,
    firstSeen: Str,
    lastSeen: Str,
    sampleTrace: Str,
    sampleErrorTrace: Str,
  }),
);

export const WindowFields = { since: Str, until: Str };

export const SeveritySchema = Type.Union(['info', 'low', 'medium', 'high', 'critical'].map((s) => Type.Literal(s)));

export const FindingSchema = Type.Object({
  id: Str,
  kind: Str,
  key: Str,
  severity: Str,
  title: Str,
  subject: Type.Object({ systems: Type.Array(Str), flows: Type.Array(Str), domains: Type.Array(Str) }),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  hint: Str,
  status: Str,
  firstSeen: Str,
  lastSeen: Str,
  resolvedAt: NullStr,
  acknowledgedBy: NullStr,
  acknowledgedAt: NullStr,
  note: Str,
});

export const FindingEventSchema = Type.Object({ at: Str, actor: Str, action: Str, status: Str, note: Str });

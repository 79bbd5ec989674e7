/** Building blocks of the API's response schemas (TypeBox and core/contracts only: the UI imports them). */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export { FindingKindSchema, FindingStatusSchema, SeveritySchema } from '../../core/contracts/index.ts';

export const SinceQuery = Type.Object(
  {
    since: Type.Optional(
      Type.String({
        maxLength: 32,
        pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d|w))+$',
        description: 'look-back window, e.g. 1h, 24h, 7d (default: the analyzer window)',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * A time range, relative (`since`) or absolute (`from`, `to`): the routes of one flow take it and check
 * it with `boundedRange` (api/routes/bounds.ts).
 */
export const RangeFields = {
  since: Type.Optional(
    Type.String({
      maxLength: 32,
      pattern: SinceQuery.properties.since.pattern,
      description: 'look-back window ending now, e.g. 1h, 24h, 7d (default: 24h); instead of `from` and `to`',
    }),
  ),
  from: Type.Optional(
    Type.String({
      minLength: 10,
      maxLength: 40,
      description:
        'absolute range start, an RFC 3339 date-time with its offset (e.g. 2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00; years 1900–2299); with `to`, instead of `since`',
    }),
  ),
  to: Type.Optional(
    Type.String({ minLength: 10, maxLength: 40, description: 'absolute range end, an RFC 3339 date-time with its offset (years 1900–2299; default now)' }),
  ),
};

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Str = Type.String();
export const Num = Type.Number();
/** Records a flow's runs moved (docs/catalog.md, "How spans become flows"). */
export const RunRecords = Type.Number({
  description:
    "records the runs moved, each run (paired trace or completed OpenLineage run) once: what its writes to the target report (integration.records, each span once); where no write reports a count, its root span's; where none does, its reads'. Not the written count of the flow's traced hop in GET /hops (recordsFrom spans), which counts every span received, its trace paired or not",
});
export const NullStr = Nullable(Type.String());
/**
 * A system's or flow's lifecycle as the catalog documents it; null for what the catalog does not document (an
 * unknown system, an observed undocumented flow, an integration runtime), which has no lifecycle to show.
 */
export const DocumentedLifecycle = Type.Union([Type.Literal('active'), Type.Literal('deprecated'), Type.Literal('retired'), Type.Null()], {
  description: "the catalog's lifecycle (active, deprecated or retired); null when the catalog does not document it (an unknown system, an undocumented flow)",
});
/** A latency in ms, or null when no duration is known (runs reported by OpenLineage without their START carry none): never 0 for "no data". */
export const LatencyMs = Nullable(Type.Number({ description: 'ms; null when no duration is known (OpenLineage runs without a START event)' }));

export const FlowStatsSchema = Nullable(
  Type.Object({
    traces: Num,
    failedTraces: Num,
    errorRate: Num,
    records: RunRecords,
    p50Ms: LatencyMs,
    p95Ms: LatencyMs,
    p99Ms: LatencyMs,
    firstSeen: Str,
    lastSeen: Str,
    sampleTrace: Str,
    sampleErrorTrace: Str,
  }),
);

/**
 * The window an answer's figures cover, as read: whole minutes (the rollups' grain). A look-back (`since=1h`)
 * keeps its length and ends with the current minute; a range (`from`, `to`) is widened to the minutes it touches.
 */
export const WindowFields = {
  since: Type.String({ description: 'start of the window the figures cover, on a whole minute (ISO 8601, UTC)' }),
  until: Type.String({ description: 'its end, on a whole minute: for a look-back, the end of the current minute (ISO 8601, UTC)' }),
};

/** Pairing status beside observed data: what arrived but is still being paired (arrival time), so a wait does not look like lost data. */
export const PairingStatusSchema = Type.Object({
  pairedUntil: Str,
  observingSince: Type.Union([Str, Type.Null()]),
  pendingTraces: Type.Number(),
  pendingSpans: Type.Number(),
});
export type PairingStatus = Static<typeof PairingStatusSchema>;

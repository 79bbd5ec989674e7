/**
 * The OpenLineage RunEvent as Weft reads it (spec: https://openlineage.io/spec/2-0-2/OpenLineage.json,
 * facets from https://openlineage.io/spec/facets/). Every object admits properties Weft does not
 * read, so unknown facets are accepted and ignored; the facets Weft does read are checked when present.
 */
import { Type, type Static } from '@sinclair/typebox';

/** ISO 8601 date-time with a zone, as the spec's `format: date-time` (RFC 3339). */
const DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|z|[+-]\\d{2}:?\\d{2})$';
const open = { additionalProperties: true } as const;
const Name = Type.String({ minLength: 1, maxLength: 1024 });
/** The spec's `runId` (`format: uuid`, RFC 9562; producers send v4 or v7): any version, either case. */
const RunId = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'a UUID, as the OpenLineage spec requires, e.g. 0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b',
});
const Time = Type.String({ pattern: DATE_TIME, description: 'ISO 8601 date-time with a zone, e.g. 2026-11-29T02:00:00.000Z' });
/** Rows are counted exactly up to 2^53 - 1 (a JSON number past it is not an exact count). */
const RowCount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** The event types of the spec; `OTHER` is stored and otherwise ignored. */
export const eventTypes = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;
export type EventType = (typeof eventTypes)[number];
/** Event types that end a run: its flows are written when the first of them arrives. */
export const terminalTypes: ReadonlySet<string> = new Set(['COMPLETE', 'FAIL', 'ABORT']);

/** The tags facet (job or run): `{ tags: [{ key, value, source }] }`; Weft reads the `domain` tag. */
const TagsFacet = Type.Object({ tags: Type.Array(Type.Object({ key: Type.String(), value: Type.String() }, open), { maxItems: 1000 }) }, open);

const RunFacets = Type.Object(
  {
    tags: Type.Optional(TagsFacet),
    parent: Type.Optional(Type.Object({ run: Type.Object({ runId: RunId }, open), job: Type.Object({ namespace: Name, name: Name }, open) }, open)),
    nominalTime: Type.Optional(Type.Object({ nominalStartTime: Time, nominalEndTime: Type.Optional(Time) }, open)),
  },
  open,
);

/** A field of the `schema` dataset facet (SchemaDatasetFacet): name, optional type, nested `fields` for structs. */
export interface SchemaField {
  name: string;
  type?: string;
  fields?: SchemaField[];
}
// Nested `fields` (structs) are read defensively by dataset-schema.ts, not checked here.
const Field = Type.Object({ name: Type.String({ minLength: 1, maxLength: 1024 }), type: Type.Optional(Type.String({ maxLength: 1024 })) }, open);
/** The `schema` dataset facet: the dataset's columns as the producer saw them (feeds schema drift). */
const SchemaFacet = Type.Object({ fields: Type.Array(Field, { maxItems: 10_000 }) }, open);
const Counted = Type.Optional(Type.Object({ rowCount: Type.Optional(RowCount) }, open));

const Dataset = { namespace: Name, name: Name, facets: Type.Optional(Type.Object({ schema: Type.Optional(SchemaFacet) }, open)) };
const InputDataset = Type.Object(
  {
    ...Dataset,
    // inputStatistics (spec 1.x) and the older dataQualityMetrics both carry the rows read.
    inputFacets: Type.Optional(Type.Object({ inputStatistics: Counted, dataQualityMetrics: Counted }, open)),
  },
  open,
);
const OutputDataset = Type.Object(
  { ...Dataset, outputFacets: Type.Optional(Type.Object({ outputStatistics: Type.Optional(Type.Object({ rowCount: Type.Optional(RowCount) }, open)) }, open)) },
  open,
);

/** One OpenLineage RunEvent (the fields Weft reads; everything else passes through into `raw`). */
export const RunEventSchema = Type.Object(
  {
    eventType: Type.Optional(Type.Union(eventTypes.map((t) => Type.Literal(t)))),
    eventTime: Time,
    producer: Type.Optional(Type.String({ maxLength: 2048 })),
    schemaURL: Type.Optional(Type.String({ maxLength: 2048 })),
    run: Type.Object({ runId: RunId, facets: Type.Optional(RunFacets) }, open),
    job: Type.Object({ namespace: Name, name: Name, facets: Type.Optional(Type.Object({ tags: Type.Optional(TagsFacet) }, open)) }, open),
    inputs: Type.Optional(Type.Array(InputDataset, { maxItems: 1000 })),
    outputs: Type.Optional(Type.Array(OutputDataset, { maxItems: 1000 })),
  },
  open,
);
export type RunEvent = Static<typeof RunEventSchema>;

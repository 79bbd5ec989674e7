/** Records per hop (analyzer/hops/hop-chain.ts) as the API answers it: TypeBox only, the UI imports it. */
import { Type, type Static } from '@sinclair/typebox';
import { WindowFields } from './common.ts';

const Count = Type.Union([Type.Number(), Type.Null()], { description: 'records; null: not counted' });
const CheckFields = {
  read: Count,
  written: Count,
  difference: Type.Union([Type.Number(), Type.Null()], { description: 'records lost (positive) or gained; null unless both sides were counted' }),
  tolerance: Type.Number({ description: "the domain's drift tolerance for this count" }),
  judged: Type.Boolean({ description: 'both sides were counted for the same runs or settled window, so a loss can be called' }),
  lost: Type.Boolean(),
};

export const HopSchema = Type.Object({
  ...CheckFields,
  source: Type.String(),
  target: Type.String(),
  integration: Type.String({ description: 'the job (namespace/name) or traced integration' }),
  flowId: Type.Union([Type.String(), Type.Null()]),
  via: Type.Union([Type.Literal('openlineage'), Type.Literal('trace')]),
  recordsFrom: Type.Union([Type.Literal('runs'), Type.Literal('spans')], {
    description:
      "what read and written count. runs: the rows each completed OpenLineage run reported reading and writing (units). spans: the records (integration.records) the integration's spans reported reading from the source and writing to the target, of every span received in the window, its trace paired or not; not the flow summary's records, which count each paired run once (what it wrote to the target, else its own count or its reads'), so the two differ while runs are being paired and where writes report no count",
  }),
  units: Type.Number({ description: 'completed runs (OpenLineage) or paired traces, i.e. runs (traced), in the window' }),
  countedUnits: Type.Number({ description: 'of those, the ones with both counts' }),
  evidence: Type.Object({
    runs: Type.Array(Type.Object({ runId: Type.String(), read: Type.Number(), written: Type.Number(), ended: Type.String() })),
    traceIds: Type.Array(Type.String()),
  }),
  handoff: Type.Union([
    Type.Object({
      ...CheckFields,
      system: Type.String(),
      writers: Type.Array(Type.String()),
      traceIds: Type.Array(Type.String()),
      sampled: Type.Optional(
        Type.Array(Type.String(), {
          description: 'the writers or reader whose spans reached Weft sampled in the window (tracestate ot=th:…): the handoff is shown, not judged',
        }),
      ),
    }),
    Type.Null(),
  ]),
});

export const HopChainSchema = Type.Object({
  domain: Type.String(),
  systemOfRecord: Type.String(),
  end: Type.String(),
  replica: Type.Boolean(),
  hops: Type.Array(HopSchema),
  counts: Type.Array(
    Type.Object({
      system: Type.String(),
      records: Type.Union([Type.Number(), Type.Null()]),
      probeId: Type.Union([Type.String(), Type.Null()]),
      at: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  firstDivergence: Type.Union([
    Type.Object({
      hop: Type.Integer(),
      at: Type.Union([Type.Literal('hop'), Type.Literal('handoff')]),
      source: Type.String(),
      target: Type.String(),
      integration: Type.String(),
      lost: Type.Number(),
    }),
    Type.Null(),
  ]),
});
export type HopChainRow = Static<typeof HopChainSchema>;

/** `GET /hops`: the chains over [since, until], and the part of it a handoff counts writes in. */
export const HopsAnswerSchema = Type.Object({
  ...WindowFields,
  settleMs: Type.Number({ description: "how long records may be in flight (ms): the largest drift settle of the catalog's domains" }),
  settledUntil: Type.Union([Type.String(), Type.Null()], {
    description:
      'a handoff through a topic or queue counts the records written into it from since to here (settleMs and the minute in progress before until), against those read from it over the whole window; null: the window is too short to hold a settled part',
  }),
  chains: Type.Array(HopChainSchema),
});
export type HopsAnswer = Static<typeof HopsAnswerSchema>;

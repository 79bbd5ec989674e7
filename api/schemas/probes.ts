import { Type } from '@sinclair/typebox';

export const SampleSchema = Type.Object({
  at: Type.String({ format: 'date-time' }),
  ok: Type.Boolean(),
  value: Type.Union([Type.Number(), Type.Null()]),
  metrics: Type.Record(Type.String(), Type.Number()),
  latencyMs: Type.Number(),
  errorCode: Type.String({ description: 'down, timeout, auth, query, status, response or config; empty when ok' }),
  error: Type.String(),
});

export const ProbeSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  system: Type.String(),
  domain: Type.String(),
  schedule: Type.String({ description: '"every 1m" or "cron */5 * * * *"' }),
  timeout: Type.String(),
  healthy: Type.Union([Type.Boolean(), Type.Null()], { description: 'the latest run succeeded; null before the first run' }),
  consecutiveFailures: Type.Number(),
  latest: Type.Union([SampleSchema, Type.Null()]),
});

export const RunSchema = Type.Object({
  runId: Type.String(),
  reconcileId: Type.String(),
  domain: Type.String(),
  leftSystem: Type.String(),
  rightSystem: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.String({ format: 'date-time' }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  error: Type.String(),
  leftRows: Type.Number(),
  rightRows: Type.Number(),
  missing: Type.Number({ description: 'keys in the left (system of record) missing from the right' }),
  extra: Type.Number({ description: 'keys in the right the left does not have' }),
  changed: Type.Number(),
  changedDuringRun: Type.Number({ description: 'keys that changed again while the run went on (not reported as drift)' }),
  sampleMissing: Type.Array(Type.String()),
  sampleExtra: Type.Array(Type.String()),
  sampleChanged: Type.Array(Type.String()),
  queries: Type.Number(),
  rowsDownloaded: Type.Number(),
  checksumRows: Type.Number(),
  details: Type.Object({
    levels: Type.Number(),
    durationMs: Type.Number(),
    changedColumns: Type.Array(
      Type.Object({
        key: Type.String(),
        columns: Type.Array(
          Type.Object({ column: Type.String(), left: Type.Union([Type.String(), Type.Null()]), right: Type.Union([Type.String(), Type.Null()]) }),
        ),
      }),
    ),
    jsonFormatOnly: Type.Optional(
      Type.Number({ description: 'rows whose JSON columns differed only in formatting (key order, spacing, 1.0 against 1): not counted as changed' }),
    ),
    keyMode: Type.Optional(
      Type.Union([Type.Literal('integer'), Type.Literal('hashed')], {
        description: 'integer: bisected by key ranges; hashed: by a hash of the canonical key text',
      }),
    ),
    keyNotes: Type.Optional(
      Type.Array(
        Type.Object({
          left: Type.String(),
          right: Type.String(),
          why: Type.String({
            description:
              "case, trailing-space, case+trailing-space or unicode-form: the two keys differ only so (reported as missing + extra); collation: one side's key column collation compares them equal, so it cannot hold both",
          }),
        }),
      ),
    ),
    columnNotes: Type.Optional(
      Type.Array(Type.Object({ column: Type.String(), note: Type.String() }), {
        description:
          'compared columns whose values cannot be compared exactly as configured (an instant against a wall-clock time of unknown zone): what was assumed and what to set',
      }),
    ),
  }),
});

export const DriftSchema = Type.Object({
  domain: Type.String(),
  systemOfRecord: Type.String(),
  replica: Type.String(),
  at: Type.String({ format: 'date-time', description: 'time of the latest counts compared' }),
  sorCount: Type.Number(),
  replicaCount: Type.Number(),
  difference: Type.Number({ description: 'replica minus system of record' }),
  differencePercent: Type.Number(),
  tolerance: Type.Number(),
  diverging: Type.Boolean(),
  divergingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  drift: Type.Boolean({ description: 'diverging for longer than the settle time' }),
  settleMs: Type.Number(),
  trend: Type.Union([Type.Literal('growing'), Type.Literal('shrinking'), Type.Literal('steady')]),
  ratePerHour: Type.Number(),
  recent: Type.Array(Type.Object({ ts: Type.String(), sor: Type.Number(), replica: Type.Number() })),
});

const Side = Type.Object({ system: Type.String(), table: Type.String() });
export const ReconciliationSchema = Type.Object({
  id: Type.String(),
  domain: Type.String(),
  left: Side,
  right: Side,
  schedule: Type.String(),
  latest: Type.Union([RunSchema, Type.Null()]),
});

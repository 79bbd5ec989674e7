import { Type } from '@sinclair/typebox';
import type { ReconciliationRun } from '../../analyzer/reconcile/index.ts';
import { defineError } from '../../core/errors/index.ts';
import type { ProbeSample, ProbesRuntime } from '../../probes/index.ts';

export const ERR_PROBES_OFF = defineError('WEFT_ERR_PROBES_OFF', 503, () => 'Probes do not run in this process: start it with the probes part (weft start, or --only probes).');

export function probesOf(services: { probes?: ProbesRuntime }): ProbesRuntime {
  if (!services.probes) throw ERR_PROBES_OFF();
  return services.probes;
}

export const IdParams = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$' }) });

export const SampleSchema = Type.Object({
  at: Type.String({ format: 'date-time' }),
  ok: Type.Boolean(),
  value: Type.Union([Type.Number(), Type.Null()]),
  metrics: Type.Record(Type.String(), Type.Number()),
  latencyMs: Type.Number(),
  errorCode: Type.String({ description: 'down, timeout, auth, query, status, response or config; empty when ok' }),
  error: Type.String(),
});

export const sampleOut = (s: ProbeSample) => ({
  at: s.ts.toISOString(),
  ok: s.ok,
  value: s.value,
  metrics: s.metrics,
  latencyMs: Math.round(s.latencyMs * 10) / 10,
  errorCode: s.errorCode,
  error: s.error,
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
      Type.Object({ key: Type.String(), columns: Type.Array(Type.Object({ column: Type.String(), left: Type.Union([Type.String(), Type.Null()]), right: Type.Union([Type.String(), Type.Null()]) })) }),
    ),
  }),
});

export const runOut = (r: ReconciliationRun) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() });

import { Type } from '@sinclair/typebox';
import type { ReconciliationRun } from '../../probes/index.ts';
import { defineError } from '../../core/errors/index.ts';
import type { ProbeSample, ProbesRuntime } from '../../probes/index.ts';

export const ERR_PROBES_OFF = defineError(
  'WEFT_ERR_PROBES_OFF',
  503,
  () => 'Probes do not run in this process: start it with the probes part (weft start, or --only probes).',
);

export function probesOf(services: { probes?: ProbesRuntime }): ProbesRuntime {
  if (!services.probes) throw ERR_PROBES_OFF();
  return services.probes;
}

export const IdParams = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'an id from the catalog: lower-case letters, digits, and . _ - after the first' }),
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

export const runOut = (r: ReconciliationRun) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() });

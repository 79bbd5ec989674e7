import type { ProbeSpec } from '../core/catalog/index.ts';
import type { Clock } from '../core/time/index.ts';
import { parseDuration } from '../core/time/index.ts';
import type { ProbeInstance, ShapeFingerprint } from './kinds/probe-kind.ts';
import { isProbeError, ProbeError, withDeadline } from './probe-error.ts';
import type { ProbeSample } from './sample.ts';
import type { Secrets } from './secrets.ts';

export const DEFAULT_TIMEOUT = '10s';
/** Longest error message kept with a sample (redacted before it is cut). */
export const MAX_ERROR_CHARS = 1000;

/** Runs one probe once: a sample either way, with a scrubbed error message when it failed. Never throws. */
export async function runProbeOnce(
  spec: ProbeSpec,
  probe: ProbeInstance,
  secrets: Secrets,
  clock: Clock,
): Promise<{ sample: ProbeSample; shape?: ShapeFingerprint }> {
  const ts = clock.now();
  const started = performance.now();
  const base = { ts, probeId: spec.id, kind: spec.kind, system: spec.system, domain: spec.domain ?? '' };
  try {
    const timeoutMs = parseDuration(spec.timeout ?? DEFAULT_TIMEOUT, `probes.${spec.id}.timeout`);
    const reading = await withDeadline(timeoutMs, `probe ${spec.id}`, () => probe.run(timeoutMs));
    return {
      sample: {
        ...base,
        ok: true,
        value: reading.value,
        metrics: secrets.redactDeep(reading.metrics),
        latencyMs: performance.now() - started,
        errorCode: '',
        error: '',
      },
      shape: reading.shape,
    };
  } catch (err) {
    // A non-probe error is a bug or a driver surprise: its text is redacted like any other.
    const e = isProbeError(err) ? err : new ProbeError('config', String((err as Error)?.message ?? err));
    // How long the probe took, not how long its connections took to close (a pool ending waits for a pending connect).
    const latencyMs = performance.now() - started;
    if (e.code === 'timeout' || e.code === 'down') await probe.close().catch(() => undefined);
    return {
      sample: {
        ...base,
        ok: false,
        value: null,
        metrics: secrets.redactDeep(e.metrics),
        latencyMs,
        errorCode: e.code,
        error: secrets.redactTruncated(e.message, MAX_ERROR_CHARS),
      },
    };
  }
}

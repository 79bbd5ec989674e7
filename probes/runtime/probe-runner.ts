import type { ProbeSpec } from '../../core/catalog/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import type { Clock } from '../../core/time/index.ts';
import { createProbe } from '../kinds/index.ts';
import type { ProbeInstance } from '../kinds/probe-kind.ts';
import { runProbeOnce } from '../run-probe.ts';
import type { ProbeSample } from '../sample.ts';
import type { Secrets } from '../secrets.ts';
import type { ProbeRecords } from './probe-records.ts';

export interface ProbeRunResult {
  sample: ProbeSample;
  /** Set when the shape read differs from the previous run's. */
  shapeChanged: boolean;
}

/**
 * Runs probes and records their samples and shapes. Each probe's instance (its connection) is
 * built on first use and kept between runs; `close()` releases them all.
 */
export function probeRunner(deps: { secrets: Secrets; clock: Clock; records: ProbeRecords; logger: Logger }) {
  const { secrets, clock, records, logger } = deps;
  let instances = new Map<string, ProbeInstance>();
  return {
    async run(spec: ProbeSpec): Promise<ProbeRunResult> {
      let probe = instances.get(spec.id);
      if (!probe) instances.set(spec.id, (probe = createProbe(spec, secrets)));
      const { sample, shape } = await runProbeOnce(spec, probe, secrets, clock);
      await records.writeSample(sample);
      const shapeChanged = shape ? await records.trackShape(spec, sample.ts, shape) : false;
      if (!sample.ok) logger.warn({ probe: spec.id, code: sample.errorCode, error: sample.error }, 'probe failed');
      return { sample, shapeChanged };
    },
    /** Closes every probe's connection; the next run opens a new one. */
    async close(): Promise<void> {
      const old = instances;
      instances = new Map();
      await Promise.all([...old.values()].map((p) => p.close().catch(() => undefined)));
    },
  };
}

export type ProbeRunner = ReturnType<typeof probeRunner>;

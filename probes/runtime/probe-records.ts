import type { Store } from '../../clickhouse/index.ts';
import type { ProbeSpec } from '../../core/catalog/index.ts';
import type { ShapeFingerprint } from '../kinds/probe-kind.ts';
import { ReconciliationRunStore, type ReconciliationRun } from '../reconcile/index.ts';
import type { ProbeSample } from '../sample.ts';
import { SampleStore } from '../sample-store.ts';

/**
 * Where the probes part records what it reads: samples, shape changes (schema-change tracking) and
 * reconciliation runs. Without a store (the CLI when the store is busy) nothing is recorded and no
 * shape change is reported: the callers need no guards.
 */
export interface ProbeRecords {
  readonly samples: SampleStore | null;
  readonly runs: ReconciliationRunStore | null;
  writeSample(sample: ProbeSample): Promise<void>;
  /**
   * Records the shape a probe read when it differs from the last one recorded (so a restart does
   * not report a change); true when there was a previous shape and this one differs.
   */
  trackShape(spec: ProbeSpec, at: Date, shape: ShapeFingerprint): Promise<boolean>;
  writeRun(run: ReconciliationRun): Promise<void>;
  /** Forgets the shapes remembered (after a catalog reload, probes may read other things). */
  forgetShapes(): void;
}

export function probeRecords(store: Store | null): ProbeRecords {
  if (!store) {
    return { samples: null, runs: null, writeSample: async () => {}, trackShape: async () => false, writeRun: async () => {}, forgetShapes: () => {} };
  }
  const samples = new SampleStore(store);
  const runs = new ReconciliationRunStore(store);
  /** Probe id → fingerprint of the last shape recorded. */
  const lastShape = new Map<string, string>();
  return {
    samples,
    runs,
    writeSample: (sample) => samples.write([sample]),
    async trackShape(spec, at, shape) {
      if (!lastShape.has(spec.id)) {
        const [state] = await samples.schemaStates([spec.id]);
        if (state) lastShape.set(spec.id, state.current.fingerprint);
      }
      const previous = lastShape.get(spec.id);
      if (previous === shape.fingerprint) return false;
      await samples.writeSchema({ ts: at, probeId: spec.id, system: spec.system, domain: spec.domain ?? '', ...shape });
      lastShape.set(spec.id, shape.fingerprint);
      return previous !== undefined;
    },
    writeRun: (run) => runs.write(run),
    forgetShapes: () => lastShape.clear(),
  };
}

import type { ProbeSpec } from '../../core/catalog/index.ts';
import type { Secrets } from '../secrets.ts';

/** The shape a probe reads, for schema drift: a stable fingerprint and a readable description. */
export interface ShapeFingerprint {
  fingerprint: string;
  shape: string;
}

export interface ProbeReading {
  /** The number this probe is about: a record count, a queue depth, pending messages. */
  value: number | null;
  /** Other numbers read on the same run (status, consumers, ack-pending…). */
  metrics: Record<string, number>;
  shape?: ShapeFingerprint;
}

/** One configured probe: holds its connection between runs, releases it on close. */
export interface ProbeInstance {
  run(timeoutMs: number): Promise<ProbeReading>;
  close(): Promise<void>;
}

export type ProbeFactory<S extends ProbeSpec = ProbeSpec> = (spec: S, secrets: Secrets) => ProbeInstance;

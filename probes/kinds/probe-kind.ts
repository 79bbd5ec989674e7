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

/**
 * One probe kind in the kind table: how to build a probe of it, and what its readings feed.
 * `evaluate.ts` asks the table, never the kind's name.
 */
export interface ProbeKindEntry<S extends ProbeSpec = ProbeSpec> {
  create: ProbeFactory<S>;
  /** Whether this probe's value is a record count (record-count drift, when the probe names a domain). */
  readsCount(spec: S): boolean;
  /** Whether this probe reads a shape (table columns, JSON structure) for schema drift. */
  readsShape(spec: S): boolean;
}

import type { ProbeErrorCode } from './probe-error.ts';

/** One probe run as stored: what was read, or why it failed. Never holds credentials. */
export interface ProbeSample {
  ts: Date;
  probeId: string;
  kind: string;
  system: string;
  domain: string;
  ok: boolean;
  value: number | null;
  metrics: Record<string, number>;
  latencyMs: number;
  errorCode: ProbeErrorCode | '';
  error: string;
}

/** The shape a probe read at one time. */
export interface SchemaObservation {
  ts: Date;
  probeId: string;
  system: string;
  domain: string;
  fingerprint: string;
  shape: string;
}

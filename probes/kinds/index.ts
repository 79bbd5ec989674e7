import type { ProbeKind, ProbeSpec } from '../../core/catalog/index.ts';
import { amqpQueueProbe } from './amqp-queue-probe.ts';
import { httpProbe } from './http-probe.ts';
import { natsConsumerProbe } from './nats-consumer-probe.ts';
import type { ProbeFactory, ProbeKindEntry } from './probe-kind.ts';
import { sqlProbe } from './sql-probe.ts';

/** Every probe kind and what it can do: adding a kind adds an entry. */
export const probeKinds: { [K in ProbeKind]: ProbeKindEntry<Extract<ProbeSpec, { kind: K }>> } = {
  /** A query's first numeric column (a count), and the columns of the tables it reads. */
  sql: { create: sqlProbe, readsCount: () => true, readsShape: () => true },
  /** Status and latency; a count when `count` names a JSON path; the JSON shape of the answer. */
  http: { create: httpProbe, readsCount: (spec) => Boolean(spec.count), readsShape: () => true },
  /** Queue depth and consumers: not a record count, no shape. */
  'amqp-queue': { create: amqpQueueProbe, readsCount: () => false, readsShape: () => false },
  /** Pending and ack-pending messages: not a record count, no shape. */
  'nats-consumer': { create: natsConsumerProbe, readsCount: () => false, readsShape: () => false },
};

/** The table's entry for a spec's kind (the cast joins a spec to the entry of its own kind). */
const entryOf = (spec: ProbeSpec) => probeKinds[spec.kind] as unknown as ProbeKindEntry;

export function createProbe(spec: ProbeSpec, secrets: Parameters<ProbeFactory>[1]) {
  return entryOf(spec).create(spec, secrets);
}

/** Whether the probe's value is a record count (its kind says, per spec). */
export const readsCount = (spec: ProbeSpec): boolean => entryOf(spec).readsCount(spec);

/** Whether the probe reads a shape for schema drift (its kind says, per spec). */
export const readsShape = (spec: ProbeSpec): boolean => entryOf(spec).readsShape(spec);

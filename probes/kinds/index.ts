import type { ProbeKind, ProbeSpec } from '../../core/catalog/index.ts';
import { amqpQueueProbe } from './amqp-queue-probe.ts';
import { httpProbe } from './http-probe.ts';
import { natsConsumerProbe } from './nats-consumer-probe.ts';
import type { ProbeFactory } from './probe-kind.ts';
import { sqlProbe } from './sql-probe.ts';

/** Every probe kind: adding one adds an entry. */
export const probeKinds: { [K in ProbeKind]: ProbeFactory<Extract<ProbeSpec, { kind: K }>> } = {
  sql: sqlProbe,
  http: httpProbe,
  'amqp-queue': amqpQueueProbe,
  'nats-consumer': natsConsumerProbe,
};

export function createProbe(spec: ProbeSpec, secrets: Parameters<ProbeFactory>[1]) {
  return (probeKinds[spec.kind] as ProbeFactory)(spec, secrets);
}

import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsConsumerProbeSpec } from '../../core/catalog/index.ts';
import { networkCause, ProbeError } from '../probe-error.ts';
import type { ProbeFactory } from './probe-kind.ts';
import { reusedConnection } from './reused-connection.ts';

/**
 * The NATS client's own connect timeout, in probe timeouts: longer than the probe's, because a connect the client
 * times out itself leaks its socket, while one that completes after the probe gave up is closed by the probe.
 */
export const NATS_CONNECT_TIMEOUT_FACTOR = 2;

function classify(err: unknown, where: string, spec: NatsConsumerProbeSpec): ProbeError {
  if (err instanceof ProbeError) return err;
  const message = String((err as Error)?.message ?? err);
  const net = networkCause(err);
  if (net || /refused|ECONNREFUSED/i.test(message)) return new ProbeError('down', `NATS at ${where} is not reachable (${net ?? message})`);
  if (/authorization|authentication|auth/i.test(message)) return new ProbeError('auth', `NATS at ${where} refused the credentials`);
  if (/timeout/i.test(message)) return new ProbeError('timeout', `NATS at ${where} did not answer in time`);
  if (/stream not found/i.test(message)) return new ProbeError('query', `NATS at ${where}: stream "${spec.stream}" does not exist`);
  if (/consumer not found/i.test(message))
    return new ProbeError('query', `NATS at ${where}: consumer "${spec.consumer}" does not exist on stream "${spec.stream}"`);
  if (/jetstream not enabled|no responders/i.test(message)) return new ProbeError('query', `NATS at ${where}: JetStream is not enabled`);
  return new ProbeError('down', `NATS at ${where}: ${message}`);
}

/** JetStream consumer: pending (the value), ack-pending, waiting and redelivered, on a reused connection. */
export const natsConsumerProbe: ProbeFactory<NatsConsumerProbeSpec> = (spec, secrets) => {
  const servers = Array.isArray(spec.servers) ? spec.servers : [spec.servers];
  const where = servers.join(',');
  const connection = reusedConnection<NatsConnection>({ close: (c) => c.close(), usable: (c) => !c.isClosed() });
  const open = async (timeoutMs: number) => {
    // The client is loaded by the first probe of the kind, not by every Weft.
    const { connect } = await import('@nats-io/transport-node');
    return connect({
      servers,
      user: spec.user,
      pass: spec.password ? secrets.resolve(spec.password, `probe ${spec.id} password`) : undefined,
      token: spec.token ? secrets.resolve(spec.token, `probe ${spec.id} token`) : undefined,
      // The client leaves the socket of a connect it timed out open (nats.js issue #64, still so in 3.3.1): given
      // longer than the probe, a connect that completes after the probe gave up is closed here instead.
      timeout: timeoutMs * NATS_CONNECT_TIMEOUT_FACTOR,
      reconnect: false,
      name: 'weft-probe',
    });
  };
  return {
    async run(timeoutMs) {
      try {
        // Asked for before anything is awaited: a close() from then on (this run given up) closes what it opens.
        const nc = await connection.get(() => open(timeoutMs));
        const { jetstreamManager } = await import('@nats-io/jetstream');
        const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
        const info = await jsm.consumers.info(spec.stream, spec.consumer);
        return {
          value: info.num_pending,
          metrics: { pending: info.num_pending, ack_pending: info.num_ack_pending, waiting: info.num_waiting, redelivered: info.num_redelivered },
        };
      } catch (err) {
        throw classify(err, where, spec);
      }
    },
    close: () => connection.close(),
  };
};

import type { ChannelModel } from 'amqplib';
import type { AmqpQueueProbeSpec } from '../../core/catalog/index.ts';
import { networkCause, ProbeError } from '../probe-error.ts';
import type { Secrets } from '../secrets.ts';
import type { ProbeFactory } from './probe-kind.ts';
import { reusedConnection, type ReusedConnection } from './reused-connection.ts';

/**
 * The broker URL with its password, and how messages name the broker. A URL held in a variable
 * (`url: env:NAME`) is named by its reference only, and its parts are remembered for redaction.
 */
function brokerUrl(spec: AmqpQueueProbeSpec, secrets: Secrets): { url: string; where: string } {
  const secretUrl = spec.url.startsWith('env:');
  const raw = secrets.resolve(spec.url, `probe ${spec.id} url`, false);
  if (secretUrl) secrets.rememberUrl(raw);
  const source = secretUrl ? `the value of ${spec.url}` : 'the broker URL';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ProbeError('config', `probe ${spec.id}: ${source} is not a URL like amqp://user@host:5672/vhost`);
  }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') throw new ProbeError('config', `probe ${spec.id}: ${source} is not an amqp:// or amqps:// URL`);
  if (spec.password) url.password = encodeURIComponent(secrets.resolve(spec.password, `probe ${spec.id} password`));
  if (url.password) secrets.remember(decodeURIComponent(url.password));
  const where = secretUrl ? spec.url : `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}`;
  return { url: url.toString(), where };
}

function classify(err: unknown, where: string, queue: string): ProbeError {
  if (err instanceof ProbeError) return err;
  const message = String((err as Error)?.message ?? err);
  const net = networkCause(err);
  if (net) return new ProbeError('down', `RabbitMQ at ${where} is not reachable (${net})`);
  if (/ACCESS[-_]REFUSED|403/.test(message)) return new ProbeError('auth', `RabbitMQ at ${where} refused the credentials`);
  if (/NOT[-_]FOUND|404/.test(message)) return new ProbeError('query', `RabbitMQ at ${where}: queue "${queue}" does not exist`);
  return new ProbeError('down', `RabbitMQ at ${where}: ${message}`);
}

/** RabbitMQ queue depth (the value) and consumer count, by a passive declare on a reused connection. */
export const amqpQueueProbe: ProbeFactory<AmqpQueueProbeSpec> = (spec, secrets) => {
  const connection: ReusedConnection<ChannelModel> = reusedConnection({ close: (c) => c.close() });
  const open = async (url: string, timeoutMs: number) => {
    // The driver is loaded by the first probe of the kind, not by every Weft.
    const { default: amqp } = await import('amqplib');
    const c = await amqp.connect(url, { timeout: timeoutMs });
    c.on('error', () => connection.drop(c));
    c.on('close', () => connection.drop(c));
    return c;
  };
  return {
    async run(timeoutMs) {
      const { url, where } = brokerUrl(spec, secrets);
      try {
        const channel = await (await connection.get(() => open(url, timeoutMs))).createChannel();
        channel.on('error', () => undefined);
        try {
          const q = await channel.checkQueue(spec.queue);
          return { value: q.messageCount, metrics: { messages: q.messageCount, consumers: q.consumerCount } };
        } finally {
          await channel.close().catch(() => undefined);
        }
      } catch (err) {
        throw classify(err, where, spec.queue);
      }
    },
    close: () => connection.close(),
  };
};

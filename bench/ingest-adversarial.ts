// Hostile requests for the adversarial phase of bench:ingest (issue 15): the amplification
// request (4 MiB of resource attributes over 2,000 spans, gzipped), the poison batch (150 spans
// on 150 different days) and slow uploads that announce 20 MiB and trickle a byte a second.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { messages } from '../collector/otlp/proto-codec.ts';

const DAY_NS = 86_400_000_000_000n;
let seq = 1;
const kv = (key: string, stringValue: string) => ({ key, value: { stringValue } });

function encode(service: string, resource: { key: string; value: { stringValue: string } }[], starts: bigint[]): Buffer {
  const spans = starts.map((start) => {
    const id = seq++;
    return {
      traceId: Buffer.from(id.toString(16).padStart(32, '0'), 'hex'),
      spanId: Buffer.from(id.toString(16).padStart(16, '0'), 'hex'),
      name: 'adversarial',
      kind: 3,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 1_000_000n),
    };
  });
  const t = messages.traces.request;
  return Buffer.from(
    t.encode(t.fromObject({ resourceSpans: [{ resource: { attributes: [kv('service.name', service), ...resource] }, scopeSpans: [{ spans }] }] })).finish(),
  );
}

/** 4 MiB of resource attributes (64 × 64 KiB) repeated over 2,000 spans, gzipped (the example). */
export function amplificationBody(): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const resource = Array.from({ length: 64 }, (_, i) => kv(`r${i}`, 'x'.repeat(64 * 1024)));
  return gzipSync(
    encode(
      'adversarial-amplify',
      resource,
      Array.from({ length: 2000 }, () => now),
    ),
  );
}

/**
 * 10 million empty ResourceMetrics (`0a 00` repeated: 20 MiB inflated, under the body limit), gzipped to about 19 KiB:
 * decoded whole, it took 5 s of the main thread and about 900 MiB of heap (docs/security-limits.md).
 */
export function emptyMessagesBody(): Buffer {
  const n = 10_000_000 - 16;
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) b[2 * i] = 0x0a;
  return gzipSync(b);
}

/** 150 spans on 150 different days in one small request (the poison batch). */
export function manyDaysBody(): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  return encode(
    'adversarial-days',
    [],
    Array.from({ length: 150 }, (_, i) => now - BigInt(i) * DAY_NS),
  );
}

export function post(url: string, body: Buffer, gzip = false, signal: 'traces' | 'metrics' | 'logs' = 'traces'): Promise<number> {
  return fetch(`${url}/v1/${signal}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-protobuf', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
  }).then(
    async (r) => (await r.arrayBuffer(), r.status),
    () => 0,
  );
}

/** An upload announcing 20 MiB that sends a byte a second; resolves with the status it finally got (0: none). */
export function slowUpload(url: string): { answer: Promise<number>; stop(): void } {
  const target = new URL(`${url}/v1/traces`);
  const req = request({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-length': 20 * 1024 * 1024 },
  });
  const answer = new Promise<number>((resolve) => {
    req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on('error', () => resolve(0));
    req.on('close', () => resolve(0));
  });
  req.write(Buffer.alloc(1));
  const drip = setInterval(() => req.write(Buffer.alloc(1)), 1000);
  return {
    answer,
    stop: () => {
      clearInterval(drip);
      req.destroy();
    },
  };
}

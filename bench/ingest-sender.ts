// A load generator in its own process: POSTs pre-encoded OTLP bodies over keep-alive loopback
// connections and reports per-request latency and status counts as JSON on stdout. Each request is made unique: the
// first 4 bytes of every trace id in it are a counter of requests (the collector takes a request with the same bytes as
// one it stored lately for an exporter's retry, and stores it once: collector/http/recent-requests.ts).
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { messages } from '../collector/otlp/proto-codec.ts';

const [url, bodiesFile, concurrencyArg, durationMsArg, rateArg] = process.argv.slice(2);
const bodies: Buffer[] = (JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[]).map((b) => Buffer.from(b, 'base64'));

/** The offsets of the trace ids' 16 bytes in an OTLP/protobuf traces request (each span's field 1, tag 0x0a, length 16). */
function traceIdOffsets(body: Buffer): number[] {
  type Req = { resourceSpans?: { scopeSpans?: { spans?: { traceId?: Uint8Array }[] }[] }[] };
  const request = messages.traces.request.decode(body) as unknown as Req;
  const ids = new Set<string>();
  for (const rs of request.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) if (span.traceId) ids.add(Buffer.from(span.traceId).toString('hex'));
  const offsets: number[] = [];
  for (const id of ids) {
    const field = Buffer.concat([Buffer.from([0x0a, 0x10]), Buffer.from(id, 'hex')]);
    for (let at = body.indexOf(field); at !== -1; at = body.indexOf(field, at + 1)) offsets.push(at + 2);
  }
  return offsets;
}
const offsets = bodies.map(traceIdOffsets);
let made = randomInt(2 ** 31);
/** `bodies[i]` with its trace ids made this request's own. */
function unique(i: number): Buffer {
  const body = Buffer.from(bodies[i]);
  const n = made++ >>> 0;
  for (const at of offsets[i]) body.writeUInt32BE(n, at);
  return body;
}
const concurrency = Number(concurrencyArg);
const deadline = Date.now() + Number(durationMsArg);
/** Requests per second across all connections; 0: as fast as answers come back. */
const rate = Number(rateArg ?? 0);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(`${url}/v1/traces`);
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let sent = 0;

function post(body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function lane(id: number) {
  let i = id;
  while (Date.now() < deadline) {
    if (rate > 0) {
      const due = start + (sent * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (Date.now() >= deadline) break;
    }
    sent++;
    const body = unique(i++ % bodies.length);
    const t0 = performance.now();
    const status = await post(body);
    latencies.push(performance.now() - t0);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}

const start = Date.now();
await Promise.all(Array.from({ length: concurrency }, (_, i) => lane(i)));
agent.destroy();
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ statuses, p50: q(0.5), p99: q(0.99), requests: latencies.length, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n');

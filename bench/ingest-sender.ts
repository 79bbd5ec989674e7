// A load generator in its own process: POSTs pre-encoded OTLP bodies over keep-alive loopback
// connections and reports per-request latency and status counts as JSON on stdout.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const [url, bodiesFile, concurrencyArg, durationMsArg, rateArg] = process.argv.slice(2);
const bodies: Buffer[] = (JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[]).map((b) => Buffer.from(b, 'base64'));
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
    const body = bodies[i++ % bodies.length];
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

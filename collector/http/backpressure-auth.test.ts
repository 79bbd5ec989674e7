import { Writable } from 'node:stream';
import { createLogger } from '../../core/log/logger.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSpans } from '../../test/otel.ts';
import { startHarness, type Harness } from '../test/harness.ts';

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const body = (i: number) =>
  JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pressure' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: `5b8efff798038103d269b633${String(i).padStart(8, '0')}`,
                spanId: 'eee19b7ec3c1b174',
                name: `s-${i}`,
                startTimeUnixNano: String(NOW_NS),
                endTimeUnixNano: String(NOW_NS + 1000n),
                attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(900) } }],
              },
            ],
          },
        ],
      },
    ],
  });

describe('collector backpressure', () => {
  let h: Harness;
  beforeAll(async () => {
    // Segments stay open (long wait, many rows), so the spool fills until flush() loads it.
    h = await startHarness({ spoolMaxBytes: 20_000, batchRows: 1_000_000, batchMaxWaitMs: 600_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 with Retry-After when the spool is full, and stores every acknowledged span', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${h.collector.url}/v1/traces`, { method: 'POST', body: body(i), headers: { 'content-type': 'application/json' } });
      statuses.push(res.status);
      if (res.status === 503) {
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(((await res.json()) as { message: string }).message).toMatch(/spool is full/);
      } else await res.arrayBuffer();
    }
    const acknowledged = statuses.filter((s) => s === 200).length;
    expect(acknowledged).toBeGreaterThan(5);
    expect(statuses.filter((s) => s === 503).length).toBe(40 - acknowledged);
    expect((await fetch(`${h.collector.url}/readyz`)).status).toBe(503);

    await h.collector.flush();
    expect(await h.rows(`SELECT count() AS n FROM otel_traces WHERE ServiceName = 'pressure'`)).toEqual([{ n: acknowledged }]);
    const again = await fetch(`${h.collector.url}/v1/traces`, { method: 'POST', body: body(99), headers: { 'content-type': 'application/json' } });
    expect(again.status).toBe(200);
  });
});

describe('collector ingest auth', () => {
  let h: Harness;
  const logged: string[] = [];
  beforeAll(async () => {
    const logger = createLogger('info', new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) }));
    h = await startHarness({ tokens: ['ingest-token-1', 'ingest-token-2'], logger });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses ingest without a valid bearer token', async () => {
    const none = await fetch(`${h.collector.url}/v1/traces`, { method: 'POST', body: body(1), headers: { 'content-type': 'application/json' } });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toBe('Missing or invalid bearer token: send "Authorization: Bearer <token>".');
    const wrong = await fetch(`${h.collector.url}/v1/traces`, {
      method: 'POST',
      body: body(1),
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    await expect(sendSpans({ url: h.collector.url, serviceName: 'no-token' }, [{ name: 'x' }])).rejects.toThrow(/Unauthorized/);
    // Regression: refused exporters were invisible (a demo or an exporter with a stale token lost every span, and
    // nothing said so). The first refusal is logged at once, then at most once a minute; never the token.
    const warnings = logged
      .map((l) => JSON.parse(l) as { msg: string; refused: number; byStatus: Record<string, number> })
      .filter((l) => /refused/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ refused: 1, byStatus: { 401: 1 } });
    expect(warnings[0].msg).toMatch(/^the collector refused a request to ingest telemetry: the exporter's spans are lost until it sends a valid ingest token$/);
    expect(logged.join('')).not.toContain('nope');
  });

  it('accepts the real SDK with a configured token', async () => {
    await sendSpans({ url: h.collector.url, serviceName: 'with-token', token: 'ingest-token-2' }, [{ name: 'x' }]);
    await h.collector.flush();
    expect(await h.rows(`SELECT ServiceName FROM otel_traces`)).toEqual([{ ServiceName: 'with-token' }]);
  });
});

describe('collector in-flight budget and slow bodies', () => {
  let h: Harness;
  beforeAll(async () => {
    const limits = { bodyTimeoutMs: 1500, bodyMinBytesPerSecond: 500, bodyMaxTimeoutMs: 3000, headersTimeoutMs: 1000 };
    h = await startHarness({ maxBodyBytes: 20 * 1024 * 1024, limits });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('regression: four slow uploads announcing 20 MiB no longer make everyone else get 429, and are cut with 408', async () => {
    const { request } = await import('node:http');
    const target = new URL(`${h.collector.url}/v1/traces`);
    // Four uploads announce 20 MiB each (once the whole in-flight budget) and send a byte at a time.
    const slow = Array.from({ length: 4 }, () => {
      const headers = { 'content-type': 'application/json', 'content-length': 20 * 1024 * 1024 };
      const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers });
      req.on('error', () => undefined);
      const answer = new Promise<number>((resolve) => req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))));
      req.write('{');
      const drip = setInterval(() => req.write(' '), 400);
      return { req, answer, drip };
    });
    await new Promise((r) => setTimeout(r, 300));
    const res = await fetch(target, { method: 'POST', body: body(1), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // Past the body deadline (1.5 s plus 1 s per 500 bytes, at most 3 s) each slow sender gets 408.
    expect(await Promise.all(slow.map((s) => s.answer))).toEqual([408, 408, 408, 408]);
    for (const s of slow) {
      clearInterval(s.drip);
      s.req.destroy();
    }
    const text = await (await fetch(`${h.collector.url}/metrics`)).text();
    expect(text).toMatch(/^weft_collector_rejected_requests_total\{status="408"\} 4$/m);
  });

  it('closes a connection whose headers trickle in past the header deadline (408)', async () => {
    const { connect } = await import('node:net');
    const target = new URL(h.collector.url);
    const socket = connect(Number(target.port), target.hostname);
    let answer = '';
    socket.on('data', (b) => (answer += b));
    socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 300);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(drip);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

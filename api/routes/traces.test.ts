import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalyzer, type Analyzer } from '../../analyzer/index.ts';
import { baseCatalogYaml, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { withTracer } from '../../test/otel.ts';
import { api } from '@opentelemetry/sdk-node';
import type { ApiApp } from '../app.ts';
import { buildApiApp } from '../index.ts';

describe('trace view (GET /api/v1/traces/:traceId)', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let app: ApiApp;
  let sampleTrace: string;
  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url });
    return { status: r.statusCode, body: r.json() };
  };

  beforeAll(async () => {
    h = await startHarness();
    const catalogFile = join(h.dir, 'estate.yaml');
    writeFileSync(catalogFile, baseCatalogYaml);
    await sendEstateTraffic(h.collector.url, Date.now() - 2 * 60_000);
    await h.collector.flush();
    analyzer = startAnalyzer({
      store: h.store,
      catalog: loadCatalog([catalogFile]),
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0 },
      schedule: false,
    });
    await analyzer.runNow();
    app = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      logger: silentLogger(),
      services: { store: h.store, analyzer, traceLinkTemplate: 'http://jaeger.example:16686/trace/{traceId}' },
    });
    const flows = (await get('/api/v1/inventory/flows?since=1h')).body.flows as { id: string; stats: { sampleTrace: string } | null }[];
    sampleTrace = flows.find((f) => f.id === 'customer-sync')!.stats!.sampleTrace;
  });
  afterAll(async () => {
    await app?.close();
    await analyzer?.stop();
    await h?.close();
  });

  it('returns the spans of a finding or flow sample trace with the systems each one touched', async () => {
    expect(sampleTrace).toMatch(/^[0-9a-f]{32}$/);
    const { status, body } = await get(`/api/v1/traces/${sampleTrace}`);
    expect(status).toBe(200);
    expect(body.services).toEqual(['customer-sync']);
    expect(body.reads).toEqual(['crm']);
    expect(body.writes).toEqual(['erp']);
    expect(body.spans[0]).toMatchObject({ name: 'sync customers', parentSpanId: '' });
    const byName = (n: string) => body.spans.filter((s: { name: string }) => s.name === n);
    expect(byName('GET')[0]).toMatchObject({ kind: 'Client', systems: ['crm'], attributes: { 'http.request.method': 'GET' } });
    expect(byName('INSERT').every((s: { systems: string[] }) => s.systems.includes('erp'))).toBe(true);
    const root = body.spans[0];
    for (const s of body.spans) {
      expect(s.startMs).toBeGreaterThanOrEqual(body.startMs);
      expect(s.startMs + s.durationMs).toBeLessThanOrEqual(body.endMs + 0.001);
      // Offsets from the trace's start (to the nanosecond) agree with the epoch times (to the microsecond).
      expect(Math.abs(s.offsetMs - (s.startMs - body.startMs))).toBeLessThanOrEqual(0.002);
      expect(s.offsetMs + s.durationMs).toBeLessThanOrEqual(body.durationMs);
    }
    expect(root.offsetMs).toBe(0);
    expect(Math.abs(body.durationMs - (body.endMs - body.startMs))).toBeLessThanOrEqual(0.002);
    expect(root.durationMs).toBeGreaterThan(200);
    expect(body.externalUrl).toBe(`http://jaeger.example:16686/trace/${sampleTrace}`);
    expect(body.truncated).toBe(false);
  });

  // Regression: a span naming its host in another letter case or with the trailing dot of a fully qualified name
  // (`ERP.Acme.Test.`) was counted in its flow but shown touching no system in the trace view.
  it('shows the system a span touched whatever the spelling of its host', async () => {
    let traceId = '';
    await withTracer({ url: h.collector.url, serviceName: 'spelling-sync' }, (tracer) => {
      const root = tracer.startSpan('run', { kind: api.SpanKind.INTERNAL });
      traceId = root.spanContext().traceId;
      const ctx = api.trace.setSpan(api.ROOT_CONTEXT, root);
      tracer
        .startSpan('GET', { kind: api.SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': 'https://CRM.Internal./api/customers' } }, ctx)
        .end();
      tracer
        .startSpan(
          'INSERT',
          {
            kind: api.SpanKind.CLIENT,
            attributes: {
              'db.system.name': 'postgresql',
              'db.namespace': 'erp',
              'server.address': 'ERP-DB.',
              'db.query.text': 'INSERT INTO customers VALUES ($1)',
            },
          },
          ctx,
        )
        .end();
      root.end();
    });
    await h.collector.flush();
    await analyzer.runNow();
    const { body } = await get(`/api/v1/traces/${traceId}`);
    expect([body.reads, body.writes]).toEqual([['crm'], ['erp']]);
    const systemsOf = (n: string) => body.spans.find((s: { name: string }) => s.name === n).systems;
    expect([systemsOf('GET'), systemsOf('INSERT')]).toEqual([['crm'], ['erp']]);
  });

  it('reads a trace id in upper case too', async () => {
    expect((await get(`/api/v1/traces/${sampleTrace.toUpperCase()}`)).body.traceId).toBe(sampleTrace);
  });

  it('says why when the trace is not stored, and refuses what is not a trace id', async () => {
    const missing = await get(`/api/v1/traces/${'ab'.repeat(16)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('older than the raw-span retention');
    for (const bad of ['xyz', '0'.repeat(33), '%27%20OR%201%3D1']) expect((await get(`/api/v1/traces/${bad}`)).status).toBe(400);
  });
});

describe('treeOrder', () => {
  const span = (spanId: string, parentSpanId: string, startMs: number) => ({
    spanId,
    parentSpanId,
    startMs,
    offsetMs: startMs,
    durationMs: 1,
    name: spanId,
    kind: 'Internal',
    service: 's',
    status: 'Unset',
    statusMessage: '',
    attributes: {},
    resource: {},
    events: [],
    systems: [],
    depth: 0,
  });
  it('puts children under their parent depth-first, orphans as roots and a cycle from its earliest span, nothing lost', async () => {
    const { treeOrder } = await import('../../analyzer/traces/trace-view.ts');
    const out = treeOrder([span('c', 'a', 2), span('a', '', 1), span('b', 'a', 1), span('orphan', 'gone', 0), span('x', 'y', 5), span('y', 'x', 6)]);
    expect(out.map((s) => `${s.spanId}:${s.depth}`)).toEqual(['orphan:0', 'a:0', 'b:1', 'c:1', 'x:0', 'y:1']);
  });
});

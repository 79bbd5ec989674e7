import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log/logger.ts';
import { sendSpans } from '../../test/otel.ts';
import { startCollector } from '../index.ts';
import { startHarness, type Harness } from '../test/harness.ts';
import { viewTargets } from './dedup-windows.ts';

describe('spool replay and materialized views', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ batchMaxWaitMs: 600_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Row counts of every table a view fills from otel_traces (rollups of any part). */
  async function snapshot(): Promise<Record<string, number>> {
    const tables = await h.rows<{ name: string; engine: string; q: string }>(
      'SELECT name, engine, create_table_query AS q FROM system.tables WHERE database = currentDatabase()',
    );
    const out: Record<string, number> = {};
    for (const name of viewTargets(tables)) {
      const engine = tables.find((t) => t.name === name)?.engine ?? '';
      if (!/MergeTree$/.test(engine)) continue;
      out[name] = Number((await h.rows<{ n: string }>(`SELECT count() AS n FROM \`${name}\``))[0].n);
    }
    out.otel_traces = Number((await h.rows<{ n: string }>('SELECT count() AS n FROM otel_traces'))[0].n);
    return out;
  }

  it('counts nothing twice in view-filled tables when a loaded segment is replayed', async () => {
    await sendSpans({ url: h.collector.url, serviceName: 'replay-views', resource: { 'integration.flow': 'crm-to-erp' } }, [
      { name: 'GET /customers', attributes: { 'http.request.method': 'GET', 'server.address': 'crm.example.com', 'integration.records': 5 }, kind: 3 },
      { name: 'POST /orders', attributes: { 'http.request.method': 'POST', 'server.address': 'erp.example.com', 'integration.records': 5 }, kind: 3 },
    ]);
    const spool = join(h.dir, 'spool');
    const copy = join(h.dir, 'spool-copy');
    cpSync(spool, copy, { recursive: true });
    await h.collector.flush();
    const once = await snapshot();
    expect(once.otel_traces).toBe(2);
    expect(Object.keys(once).length).toBeGreaterThan(1);

    await h.collector.stop();
    rmSync(spool, { recursive: true, force: true });
    cpSync(copy, spool, { recursive: true });
    const again = await startCollector({ config: h.config, store: h.store, logger: silentLogger() });
    h.collector = again;
    await again.flush();
    expect(await snapshot()).toEqual(once);
  });

  it('counts nothing twice either when the segment was not classified by the collector (the SQL classification behind the gate)', async () => {
    await sendSpans({ url: h.collector.url, serviceName: 'replay-sql', resource: { 'integration.flow': 'erp-to-crm' } }, [
      { name: 'GET /orders', attributes: { 'http.request.method': 'GET', 'server.address': 'erp.example.com' }, kind: 3 },
      { name: 'PUT /accounts', attributes: { 'http.request.method': 'PUT', 'server.address': 'crm.example.com' }, kind: 3 },
    ]);
    // The open segment as a spool written without touches leaves it (an earlier version, or one written for a
    // server): the spans alone, under a segment id (and so a deduplication token) of its own.
    const spool = join(h.dir, 'spool');
    const unclassified = join(h.dir, 'spool-sql');
    cpSync(spool, unclassified, { recursive: true });
    for (const f of readdirSync(unclassified)) {
      const from = join(unclassified, f);
      if (f.endsWith('.touches') || !f.startsWith('otel_traces.')) rmSync(from);
      else {
        if (f.endsWith('.commit')) writeFileSync(from, readFileSync(from, 'latin1').trim().split(/\s+/).slice(0, 2).join(' '));
        renameSync(from, join(unclassified, f.replace(/^otel_traces\./, 'otel_traces.sql')));
      }
    }
    expect(readdirSync(unclassified).length).toBe(2);
    await h.collector.flush();
    const count = async (q: string) => Number((await h.rows<{ n: string }>(q))[0].n);
    const counts = async () => ({
      spans: await count("SELECT count() AS n FROM otel_traces WHERE ServiceName = 'replay-sql'"),
      touched: await count("SELECT sum(spans) AS n FROM weft_endpoint_rollup_1m WHERE integration = 'erp-to-crm'"),
      views: await snapshot(),
    });
    const load = async () => {
      await h.collector.stop();
      rmSync(spool, { recursive: true, force: true });
      cpSync(unclassified, spool, { recursive: true });
      h.collector = await startCollector({ config: h.config, store: h.store, logger: silentLogger() });
      await h.collector.flush();
    };
    const before = await counts();
    await load();
    const once = await counts();
    expect({ spans: once.spans - before.spans, touched: once.touched - before.touched }).toEqual({ spans: 2, touched: 2 });
    await load();
    expect(await counts()).toEqual(once);
  });
});

import { cpSync, rmSync } from 'node:fs';
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
});

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openStore } from '../../clickhouse/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { sendSpans } from '../../test/otel.ts';
import { startCollector } from '../index.ts';
import { collectorConfig } from '../test/harness.ts';

const SPANS = 300;

async function startChild(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../test/crash-child.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (b) => {
      out += b;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line).url);
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
  });
  return { child, url };
}

describe('spool crash and replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores spans acknowledged before a SIGKILL exactly once, even when a segment is replayed twice', async () => {
    const { child, url } = await startChild(dir);
    const roots = Array.from({ length: SPANS / 3 }, (_, i) => ({ name: `order-${i}`, children: [{ name: 'read' }, { name: 'write' }] }));
    await sendSpans({ url, serviceName: 'crash-svc' }, roots);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const spool = join(dir, 'spool');
    expect(readdirSync(spool).filter((f) => f.endsWith('.open')).length).toBeGreaterThan(0);
    // Keep the segments as they were at the kill, to replay them a second time below (a crash
    // after the insert and before the segment was deleted).
    cpSync(spool, join(dir, 'spool-at-kill'), { recursive: true });

    const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
    try {
      await migrate(store, { retention: { rawDays: 30, rollupDays: 400, recordDays: 730 } });
      const count = async () =>
        store.client
          .query({ query: "SELECT count() AS n, uniqExact(SpanId) AS ids FROM otel_traces WHERE ServiceName = 'crash-svc'", format: 'JSONEachRow' })
          .then((r) => r.json<{ n: number; ids: number }>());
      const first = await startCollector({ config: collectorConfig(dir), store, logger: silentLogger() });
      await first.flush();
      expect(await count()).toEqual([{ n: SPANS, ids: SPANS }]);
      await first.stop();
      expect(readdirSync(spool)).toEqual([]);

      cpSync(join(dir, 'spool-at-kill'), spool, { recursive: true });
      const second = await startCollector({ config: collectorConfig(dir), store, logger: silentLogger() });
      await second.flush();
      await second.stop();
      expect(await count()).toEqual([{ n: SPANS, ids: SPANS }]);
      const lookup = await store.client
        .query({
          query: "SELECT count() AS n FROM otel_traces_trace_id_ts WHERE TraceId IN (SELECT TraceId FROM otel_traces WHERE ServiceName = 'crash-svc')",
          format: 'JSONEachRow',
        })
        .then((r) => r.json<{ n: number }>());
      expect(lookup).toEqual([{ n: SPANS / 3 }]);
      // The touches the collector spooled beside the spans are stored once too.
      const touched = await store.client
        .query({ query: "SELECT sum(spans) AS n FROM weft_endpoint_rollup_1m WHERE service = 'crash-svc'", format: 'JSONEachRow' })
        .then((r) => r.json<{ n: number }>());
      expect(touched).toEqual([{ n: SPANS }]);
    } finally {
      await store.close();
    }
  });
});

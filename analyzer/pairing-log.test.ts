import { Writable } from 'node:stream';
import { api } from '@opentelemetry/sdk-node';
import { afterAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../collector/test/harness.ts';
import { createLogger } from '../core/log/logger.ts';
import { sendSpans } from '../test/otel.ts';
import { startAnalyzer, type Analyzer } from './index.ts';
import type { PairingResult } from './flows/pairing-job.ts';
import { baseCatalogYaml, catalogFrom } from './test/estate-fixture.ts';

const { CLIENT, INTERNAL } = api.SpanKind;

let h: Harness | undefined;
let analyzer: Analyzer | undefined;
afterAll(async () => {
  await analyzer?.stop();
  await h?.close();
});

// Regression: every first-sight pairing run that paired anything (every 5 s) logged an info line: under steady
// traffic they were most of what a running Weft printed. They are debug now, and the next analysis's line says what
// they paired.
it("says what the first-sight runs paired with the next analysis's line, not one info line every 5 s", async () => {
  h = await startHarness();
  const lines: { level: number; msg: string; paired?: number; runs?: number }[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const runs: PairingResult[] = [];
  analyzer = startAnalyzer({
    store: h.store,
    catalog: catalogFrom(baseCatalogYaml),
    logger: createLogger('debug', out),
    config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 60_000, completeGraceMs: 0 },
    onPairing: (p) => runs.push(p),
  });
  // The first analysis runs at once; then first-sight runs every 5 s.
  await expect.poll(() => runs.length).toBeGreaterThanOrEqual(1);
  await sendSpans({ url: h.collector.url, serviceName: 'customer-sync' }, [
    {
      name: 'sync',
      kind: INTERNAL,
      children: [
        { name: 'GET', kind: CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': 'https://crm.internal/api/customers' } },
        { name: 'INSERT', kind: CLIENT, attributes: { 'db.system': 'postgresql', 'server.address': 'erp-db', 'db.namespace': 'erp' } },
      ],
    },
  ]);
  await h.collector.flush();
  // A complete trace is paired by the next first-sight run.
  await expect.poll(() => runs.slice(1).reduce((n, p) => n + p.paired, 0), { timeout: 30_000 }).toBeGreaterThan(0);
  const result = await analyzer.runNow();
  const pairing = lines.filter((l) => l.msg.startsWith('pairing:'));
  const said = pairing.filter((l) => l.level === 30);
  // The first analysis (nothing yet: at debug), then the evaluation's line: every first-sight run between them at debug.
  expect(pairing[0].level).toBe(20);
  expect(said).toHaveLength(1);
  const quiet = pairing.slice(1, pairing.indexOf(said[0]));
  expect(quiet.length).toBeGreaterThan(0);
  expect(quiet.every((l) => l.level === 20)).toBe(true);
  expect(said[0].paired).toBe(quiet.reduce((n, l) => n + (l.paired ?? 0), 0) + result.pairing!.paired);
  expect(said[0].paired).toBeGreaterThan(0);
  expect(said[0].runs).toBe(quiet.length + 1);
  expect(said[0].msg).toContain(`(${quiet.length + 1} runs since the last analysis)`);
});

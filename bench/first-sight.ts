/**
 * tsx bench/first-sight.ts — time from a new integration's first trace reaching Weft's collector to
 * its flow showing in the graph, with the default analyzer settings (evaluation every 30 s,
 * late-arrival window 2 m): a complete trace (its root span arrived) is paired at once.
 */
import { api } from '@opentelemetry/sdk-node';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { startWeft } from '../runtime/start-weft.ts';
import { sendSpans } from '../test/otel.ts';
import { benchScratch } from './scratch.ts';

const { dir, closing, run, sleep } = benchScratch('weft-first-sight-');
await run(async () => {
  const weft = closing(
    await startWeft(buildConfig(parseArgs(['--data', dir, '--port', '0', '--otlp-port', '0', '--log-level', 'warn']), {}, dir), silentLogger()),
    (w) => w.stop(),
  );
  await sleep(3000);
  const results: number[] = [];
  for (let i = 0; i < 3; i++) {
    const service = `first-sight-${i}`;
    await sendSpans({ url: weft.collector!.url, serviceName: service }, [
      {
        name: 'run',
        kind: api.SpanKind.INTERNAL,
        children: [
          { name: 'GET', kind: api.SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': `https://crm-${i}.example/api/customers` } },
          { name: 'POST', kind: api.SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'url.full': `https://erp-${i}.example/api/customers` } },
        ],
      },
    ]);
    const sent = Date.now();
    for (;;) {
      const graph = (await (await fetch(`${weft.api!.url}/api/v1/graph?since=1h`)).json()) as { edges: Array<{ integrations: string[] }> };
      if (graph.edges.some((e) => e.integrations.includes(service))) break;
      await sleep(200);
    }
    results.push((Date.now() - sent) / 1000);
    console.log(`new flow ${service}: in the graph ${results.at(-1)!.toFixed(1)} s after its trace was exported`);
  }
  console.log(`time to first sight (s): ${results.map((r) => r.toFixed(1)).join(', ')} (analyzer every 30 s, late-arrival 2m, pairing alone every 5 s)`);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSpans } from '../../test/otel.ts';
import { startHarness, type Harness } from '../test/harness.ts';

describe('collector during a storage outage', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ batchMaxWaitMs: 100 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps acknowledging into the spool, reports not ready, and loads everything once storage is back', async () => {
    // The table disappears (as when a server is unreachable): inserts fail and are retried.
    await h.store.client.command({ query: 'RENAME TABLE otel_traces TO otel_traces_away' });
    await sendSpans(
      { url: h.collector.url, serviceName: 'outage' },
      Array.from({ length: 30 }, (_, i) => ({ name: `during-${i}` })),
    );
    let ready = await fetch(`${h.collector.url}/readyz`);
    for (let i = 0; i < 50 && ready.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(`${h.collector.url}/readyz`);
    }
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/^storage: /);
    expect(await (await fetch(`${h.collector.url}/metrics`)).text()).toMatch(/^weft_collector_insert_errors_total [1-9]\d*$/m);

    await h.store.client.command({ query: 'RENAME TABLE otel_traces_away TO otel_traces' });
    await h.collector.flush();
    expect(await h.rows(`SELECT count() AS n FROM otel_traces WHERE ServiceName = 'outage'`)).toEqual([{ n: 30 }]);
    expect((await fetch(`${h.collector.url}/readyz`)).status).toBe(200);
  });
});

import { randomBytes } from 'node:crypto';
import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTracer } from '../../test/otel.ts';
import { runPairing } from '../index.ts';
import { startPairingHarness, type PairingHarness } from '../test/pairing-harness.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CLIENT = api.SpanKind.CLIENT;
const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
flows:
  - { id: far, source: crm, target: erp, owner: icoe, runtime: { service: far-sync } }
`;

// Regression: the runs of an instance were read back from the pairing ledger over [earliest - gap, latest + gap] of the
// new pieces' times: one piece from a sender whose clock was 20 days behind, beside one of now, made that every run of the
// instance the ledger holds (3 days), each paired again from its arrival rows. Those are kept 2 days: a run whose rows had
// expired was paired again with nothing, and taken back out of its flow's edges. Only the runs within the run gap of a new
// piece can join it.
describe('a piece of a run from a sender whose clock is days behind', () => {
  let harness: PairingHarness;
  const pairNow = () => runPairing(harness.h.store, new Date(), 0, { runGapMs: 1000 });
  const edges = async () =>
    (await harness.analyzer.edges(3 * HOUR))
      .filter((e) => e.service === 'far-sync' && e.target === 'erp')
      .map((e) => `${e.source} -> ${e.target} traces=${e.traces}`)
      .sort();
  /** One call of instance far-1 at `at` (ms), in a trace whose parent never arrives (a piece of the instance's run). */
  const call = async (method: 'GET' | 'POST', host: string, at: number) =>
    withTracer({ url: harness.h.collector.url, serviceName: 'far-sync', resource: { 'service.instance.id': 'far-1' } }, (tracer) => {
      const parent = api.trace.setSpanContext(api.ROOT_CONTEXT, {
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        traceFlags: 1,
      });
      const attributes = { 'http.request.method': method, 'url.full': `https://${host}/api/orders` };
      tracer.startSpan(method, { kind: CLIENT, startTime: at, attributes }, parent).end(at + 50);
    });

  beforeAll(async () => {
    harness = await startPairingHarness(catalogYaml);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('reads back only the runs within the run gap of the new pieces, not every run between their times', async () => {
    const t = Date.now() - HOUR;
    await call('GET', 'crm.internal', t);
    await call('POST', 'erp.internal', t + 100);
    await harness.h.collector.flush();
    await pairNow();
    expect(await edges()).toEqual(['crm -> erp traces=1']);
    // The run's arrival rows expire (2 days) before its ledger rows (3 days), as they do for a run 2 to 3 days old.
    await harness.h.store.client.command({ query: "DELETE FROM weft_trace_spans WHERE service = 'far-sync'" });
    // A new piece of now alone (a read, more than the run gap after the run) leaves the run as it was.
    await call('GET', 'crm.internal', Date.now());
    await harness.h.collector.flush();
    await pairNow();
    expect(await edges()).toEqual(['crm -> erp traces=1']);
    // New pieces of the instance: one from a sender whose clock is 20 days behind, one of now; both reads alone.
    await call('GET', 'crm.internal', Date.now() - 20 * DAY);
    await call('GET', 'crm.internal', Date.now());
    await harness.h.collector.flush();
    await pairNow();
    expect(await edges()).toEqual(['crm -> erp traces=1']);
  });
});

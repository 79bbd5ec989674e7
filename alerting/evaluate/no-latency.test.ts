import { describe, expect, it } from 'vitest';
import type { AttributedEdge, Snapshot } from '../../analyzer/index.ts';
import { renderMetrics } from '../metrics/prometheus.ts';
import { rulesFor } from '../rules/derive-rules.ts';
import { observations, testCatalog } from '../testing/fixtures.ts';
import { conditionsFor } from './conditions.ts';
import { flowStats } from './observe.ts';

const now = new Date('2026-01-01T12:00:00Z');
const edge = (p95Ms: number | null): AttributedEdge => ({
  source: 'erp',
  target: 'wms',
  integration: 'pick',
  service: 'pick',
  domain: '',
  traces: 20,
  failedTraces: 0,
  errorSpans: 0,
  records: 0,
  p50Ms: p95Ms,
  p95Ms,
  p99Ms: p95Ms,
  firstSeen: now.toISOString(),
  lastSeen: now.toISOString(),
  sampleTrace: '',
  sampleErrorTrace: '',
  slowestTrace: '',
  slowestMs: 0,
  flowId: 'erp-wms-pick',
  mark: 'documented',
  effectiveDomain: '',
});

// Regression (issue #12): runs without a duration (OpenLineage without START) were a latency of 0 ms.
describe('a flow whose runs carry no duration', () => {
  it('has no latency (null), and an edge with one gives it', () => {
    const snap = { catalog: testCatalog(), edges: [edge(null)] } as unknown as Snapshot;
    expect(flowStats(snap).get('erp-wms-pick')).toEqual({ traces: 20, failedTraces: 0, p95Ms: null, p99Ms: null });
    snap.edges.push(edge(1500));
    expect(flowStats(snap).get('erp-wms-pick')).toMatchObject({ traces: 40, p95Ms: 1500 });
  });

  it('gets no latency verdict from the alert rules and no latency sample in /metrics, its error ratio still', () => {
    const catalog = testCatalog();
    const obs = observations(now, { stats: { 'erp-wms-pick': { traces: 20, p95Ms: null, p99Ms: null } } });
    const latency = conditionsFor(rulesFor(catalog), catalog, obs).filter((c) => c.flow === 'erp-wms-pick' && /latency/.test(c.rule.measure));
    expect(latency.length).toBeGreaterThan(0);
    for (const c of latency) {
      expect(c.active).toBe(false);
      expect(c.summary).toMatch(/is no data/);
    }
    const text = renderMetrics({ findings: [], alerts: [], catalog, observations: obs });
    expect(text).not.toMatch(/weft_flow_latency_p95_seconds\{flow="erp-wms-pick"\}/);
    expect(text).toMatch(/weft_flow_error_ratio\{flow="erp-wms-pick"\} 0/);
  });

  it('exports the pairing watermark (stale-flow counts silence only up to it), and nothing before an evaluation', () => {
    const obs = observations(now, { pairedUntil: '2026-01-01T11:58:00.000Z' });
    expect(renderMetrics({ findings: [], alerts: [], catalog: testCatalog(), observations: obs })).toMatch(
      /^weft_pairing_paired_until_timestamp_seconds 1767268680$/m,
    );
    expect(renderMetrics({ findings: [], alerts: [], catalog: testCatalog(), observations: null })).not.toMatch(
      /^weft_pairing_paired_until_timestamp_seconds /m,
    );
  });
});

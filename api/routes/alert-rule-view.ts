import type { AlertRule } from '../../alerting/index.ts';
import { windowedMeasures } from '../../core/catalog/index.ts';

/**
 * A rule as `GET /api/v1/alerts/rules` lists it (RuleSchema). `threshold` is the rule's one threshold in its measure's
 * unit (ms for staleness, latency, telemetry-gap and pairing-lag; a fraction for error-rate; a score for
 * throughput-drop), null when it is per flow; `flowThresholds` is then each selected flow's (null: the flow is not
 * watched by this rule), so that a scheduled flow's allowed silence (twice its period or its cron's longest gap) can
 * be read. The derived telemetry-gap's threshold is the catalog's: at run time it waits at least as long as the
 * intake's usual silence too.
 */
export function ruleView(r: AlertRule) {
  const perFlow = typeof r.threshold === 'function' ? r.threshold : undefined;
  return {
    id: r.id,
    origin: r.origin,
    measure: r.measure,
    op: r.op,
    windowMs: windowedMeasures.has(r.measure) ? r.windowMs : null,
    forMs: r.forMs,
    keepFiringForMs: r.keepFiringForMs,
    severity: r.severity,
    threshold: typeof r.threshold === 'number' ? r.threshold : null,
    flowThresholds: perFlow ? r.flows.map((flow) => ({ flow, threshold: perFlow(flow) ?? null })) : [],
    flows: r.flows,
    remediation: r.remediation ?? null,
  };
}

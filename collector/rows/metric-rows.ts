import { attributeMap, type ValueContext } from '../otlp/any-value.ts';
import { resourceLimits } from '../otlp/limits.ts';
import { enumNumber } from '../otlp/ids-and-times.ts';
import { ExpansionBudget } from './expansion.ts';
import { exemplarColumns, histogramValues, isRefusal, METRIC_REASONS, pointTimes, pointValue, type Refusal } from './metric-points.ts';
import { list, mapRowBytes, num, obj, serviceName, str } from './shape.ts';

const TEMPORALITY = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'] as const;
/** The warning for an aggregationTemporality name this collector does not know (OTLP enums are open; only OTLP/JSON sends names). */
export const WARN_UNKNOWN_TEMPORALITY = 'metrics with an unknown aggregationTemporality name (stored as 0, unspecified)';

export interface MetricRows {
  sum: unknown[][];
  gauge: unknown[][];
  histogram: unknown[][];
  rejected: number;
  message: string;
}

/**
 * Rows for otel_metrics_sum, otel_metrics_gauge and otel_metrics_histogram from an
 * ExportMetricsServiceRequest. Exponential histograms and summaries are not stored: their points
 * are counted as rejected and named in the partial_success message. A point with a malformed time, value, exemplar or
 * histogram (`METRIC_REASONS`) is refused alone, the request's other points kept. Attribute limits and the
 * expansion budget of `ctx` apply (resource and scope attributes are repeated in every point's row).
 */
export function metricRows(request: unknown, ctx: ValueContext): MetricRows {
  const budget = new ExpansionBudget(ctx.limits.maxExpandedBytes);
  const out: MetricRows = { sum: [], gauge: [], histogram: [], rejected: 0, message: '' };
  const reasons = new Set<string>();
  const resourceMetrics = list(obj(request, 'request').resourceMetrics, 'resourceMetrics');
  for (let r = 0; r < resourceMetrics.length; r++) {
    const rw = `resourceMetrics[${r}]`;
    const rm = obj(resourceMetrics[r], rw);
    const resource = obj(rm.resource, `${rw}.resource`);
    const resAttrs = attributeMap(resource.attributes, `${rw}.resource.attributes`, { ...ctx, limits: resourceLimits(ctx.limits) });
    const resSchema = str(rm.schemaUrl, `${rw}.schemaUrl`);
    const service = serviceName(resAttrs, ctx.report, `${rw}.resource.attributes`);
    const scopeMetrics = list(rm.scopeMetrics, `${rw}.scopeMetrics`);
    for (let s = 0; s < scopeMetrics.length; s++) {
      const sw = `${rw}.scopeMetrics[${s}]`;
      const sm = obj(scopeMetrics[s], sw);
      const scope = obj(sm.scope, `${sw}.scope`);
      const scopeAttrs = attributeMap(scope.attributes, `${sw}.scope.attributes`, ctx);
      const head = [
        resAttrs,
        resSchema,
        str(scope.name, `${sw}.scope.name`),
        str(scope.version, `${sw}.scope.version`),
        scopeAttrs,
        num(scope.droppedAttributesCount, `${sw}.scope.droppedAttributesCount`),
        str(sm.schemaUrl, `${sw}.schemaUrl`),
        service,
      ];
      const metrics = list(sm.metrics, `${sw}.metrics`);
      budget.charge(countPoints(metrics), mapRowBytes(resAttrs) + mapRowBytes(scopeAttrs) + Buffer.byteLength(service), `${sw} (resource and scope)`);
      for (let m = 0; m < metrics.length; m++) {
        const mw = `${sw}.metrics[${m}]`;
        const metric = obj(metrics[m], mw);
        const named = [...head, str(metric.name, `${mw}.name`), str(metric.description, `${mw}.description`), str(metric.unit, `${mw}.unit`)];
        // The columns every point has (metric, attributes, times), or its refusal; `refused` reports one.
        const point = (p: Record<string, unknown>, pw: string): unknown[] | Refusal => {
          const times = pointTimes(p, pw);
          if (isRefusal(times)) return times;
          return [...named, attributeMap(p.attributes, `${pw}.attributes`, ctx), ...times];
        };
        const refused = (r: Refusal) => ctx.report.reject(r.refused, r.where);
        // A sum's or a gauge's point: the common columns, its value, flags and exemplars, then `tail`.
        const numberPoint = (dp: unknown, pw: string, tail: unknown[]) => {
          const p = obj(dp, pw);
          const head = point(p, pw);
          if (isRefusal(head)) return refused(head);
          const value = pointValue(p);
          if (value === undefined) return refused({ refused: METRIC_REASONS.badValue, where: `${pw}.${Object.hasOwn(p, 'asInt') ? 'asInt' : 'asDouble'}` });
          const ex = exemplarColumns(p, pw, ctx);
          if (isRefusal(ex)) return refused(ex);
          return [...head, value, num(p.flags, `${pw}.flags`), ...ex, ...tail];
        };
        if (metric.sum) {
          const sum = obj(metric.sum, `${mw}.sum`);
          const temporality = temporalityOf(sum.aggregationTemporality, `${mw}.sum.aggregationTemporality`, ctx);
          list(sum.dataPoints, `${mw}.sum.dataPoints`).forEach((dp, i) => {
            const row = numberPoint(dp, `${mw}.sum.dataPoints[${i}]`, [temporality, Boolean(sum.isMonotonic)]);
            if (row) out.sum.push(row);
          });
        } else if (metric.gauge) {
          const gauge = obj(metric.gauge, `${mw}.gauge`);
          list(gauge.dataPoints, `${mw}.gauge.dataPoints`).forEach((dp, i) => {
            const row = numberPoint(dp, `${mw}.gauge.dataPoints[${i}]`, []);
            if (row) out.gauge.push(row);
          });
        } else if (metric.histogram) {
          const h = obj(metric.histogram, `${mw}.histogram`);
          const temporality = temporalityOf(h.aggregationTemporality, `${mw}.histogram.aggregationTemporality`, ctx);
          list(h.dataPoints, `${mw}.histogram.dataPoints`).forEach((dp, i) => {
            const pw = `${mw}.histogram.dataPoints[${i}]`;
            const p = obj(dp, pw);
            const head = point(p, pw);
            if (isRefusal(head)) return refused(head);
            const v = histogramValues(p, pw);
            if (isRefusal(v)) return refused(v);
            const ex = exemplarColumns(p, pw, ctx);
            if (isRefusal(ex)) return refused(ex);
            out.histogram.push([...head, v.count, v.sum, v.bucketCounts, v.explicitBounds, ...ex, num(p.flags, `${pw}.flags`), v.min, v.max, temporality]);
          });
        } else {
          const kind = metric.exponentialHistogram ? 'exponentialHistogram' : metric.summary ? 'summary' : '';
          if (!kind) {
            out.rejected++;
            reasons.add(`metric ${JSON.stringify(metric.name ?? '')} has no data`);
            continue;
          }
          const points = list(obj(metric[kind], `${mw}.${kind}`).dataPoints, `${mw}.${kind}.dataPoints`).length;
          out.rejected += points;
          reasons.add(`${kind} metrics are not stored (only sum, gauge and histogram)`);
        }
      }
    }
  }
  out.rejected += ctx.report.rejected;
  out.message = [...reasons, ctx.report.message].filter(Boolean).join('; ');
  return out;
}

/**
 * A sum's or a histogram's AggregationTemporality as stored: its number, or 0 (unspecified) for a name this collector
 * does not know, with a warning naming `where` (it was stored as -1); a value of the wrong type is a 400.
 */
function temporalityOf(v: unknown, where: string, ctx: ValueContext): number {
  const t = enumNumber(v, TEMPORALITY, where);
  if (t >= 0 || typeof v !== 'string' || /^-?\d+$/.test(v)) return t;
  ctx.report.warn(WARN_UNKNOWN_TEMPORALITY, where);
  return 0;
}

/** Data points of the metrics of one scope, whatever their kind (each becomes a row). */
function countPoints(metrics: unknown[]): number {
  let n = 0;
  for (const m of metrics) {
    if (!m || typeof m !== 'object') continue;
    for (const kind of ['sum', 'gauge', 'histogram'] as const) {
      const data = (m as Record<string, unknown>)[kind] as { dataPoints?: unknown } | undefined;
      if (data && Array.isArray(data.dataPoints)) n += data.dataPoints.length;
    }
  }
  return n;
}
